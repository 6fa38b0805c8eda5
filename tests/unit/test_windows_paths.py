"""Windows specifics, checked on Linux by standing in the system: the user folders under
%LOCALAPPDATA%\\doudi_desk with a Chinese user name, the program-data folders of a frozen bundle,
a SQLite file on a network share (UNC, a mapped drive, an NFS/SMB mount) refused, and the Windows
fonts found in the system and the per-user fonts folders."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from doudi_desk import paths
from doudi_desk.storage.netshare import DRIVE_REMOTE, mounted_share, network_share, windows_share

WQY = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
REPO = Path(__file__).resolve().parents[2]


# --- user folders ------------------------------------------------------------------------------------
def test_windows_user_folders_are_under_localappdata_also_for_a_chinese_user_name(tmp_path):
    local = tmp_path / "Users" / "张敏" / "AppData" / "Local"
    folders = paths.user_folders(platform="win32", environ={"LOCALAPPDATA": str(local)})
    assert folders.data == local / "doudi_desk"
    assert folders.logs == local / "doudi_desk" / "Logs"
    assert folders.cache == local / "doudi_desk" / "Cache"
    assert folders.backups == local / "doudi_desk" / "backups"
    assert folders.print_cache == local / "doudi_desk" / "Cache" / "print"
    # No LOCALAPPDATA (a stripped environment): where it points on every Windows.
    home = tmp_path / "Users" / "李强"
    assert paths.user_folders(platform="win32", environ={}, home=home).data == home / "AppData" / "Local" / "doudi_desk"


@pytest.fixture
def windows_profile(tmp_path, monkeypatch):
    """This process believes it runs on Windows for user 张敏 (only doudi_desk.paths is told)."""
    local = tmp_path / "Users" / "张敏" / "AppData" / "Local"
    local.mkdir(parents=True)
    monkeypatch.setattr(paths, "current_platform", lambda: "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(local))
    return local / "doudi_desk"


def test_database_log_backups_and_print_cache_all_land_in_the_windows_data_folder(windows_profile):
    from sqlalchemy.engine import make_url

    from doudi_desk.app import setup_logging
    from doudi_desk.services.backup import BackupService
    from doudi_desk.services.context import open_context
    from doudi_desk.storage.db import default_url
    from doudi_desk.ui.printing_ui import default_print_folder, write_pdf

    root = logging.getLogger()
    before = list(root.handlers)
    log_file = setup_logging()
    try:
        logging.getLogger("doudi_desk.test").warning("写入日志：张敏")
        for h in root.handlers:
            h.flush()
        assert log_file == windows_profile / "Logs" / "doudi_desk.log"
        assert "写入日志：张敏" in log_file.read_text(encoding="utf-8")
    finally:
        for h in list(root.handlers):
            if h not in before:
                root.removeHandler(h)
                h.close()

    assert make_url(default_url()).database == str(windows_profile / "doudi_desk.sqlite3")
    ctx = open_context()  # the default database: created and migrated in the Chinese-named folder
    try:
        assert ctx.db.revision() == ctx.db.head_revision()
        made = BackupService(ctx).daily()
    finally:
        ctx.db.dispose()
    assert (windows_profile / "doudi_desk.sqlite3").is_file()
    assert made is not None and made.parent == windows_profile / "backups" and made.is_file()
    assert default_print_folder() == windows_profile / "Cache" / "print"
    printed = write_pdf(default_print_folder(), "2026-DB-000001_审核审批表", b"%PDF-1.4\n%%EOF\n", "审核审批表")
    assert printed.path.parent == windows_profile / "Cache" / "print" and printed.path.is_file()


def test_doudi_admin_creates_the_database_under_a_chinese_home_directory(tmp_path):
    """A fresh process with HOME=/…/张敏 (Linux's layout): the default database is made there."""
    home = tmp_path / "张敏 的电脑"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env.update(HOME=str(home), PYTHONPATH=str(REPO))
    run = subprocess.run([sys.executable, "-m", "doudi_desk.cli", "init"], env=env, capture_output=True,
                         text=True, timeout=120, cwd=str(tmp_path))
    assert run.returncode == 0, run.stderr
    database = home / ".local" / "share" / "doudi_desk" / "doudi_desk.sqlite3"
    assert database.is_file() and str(database) in run.stdout


# --- program-data folders ------------------------------------------------------------------------------
def test_program_folders_come_from_the_bundle_when_frozen(tmp_path, monkeypatch):
    from doudi_desk.definitions.loader import default_root
    from doudi_desk.services.printing import shipped_templates

    monkeypatch.delenv(paths.ENV_PROGRAM_DIR, raising=False)
    assert paths.program_root() == REPO
    assert {"workflows", "forms", "print_templates"} <= set(paths.present_program_folders())
    bundle = tmp_path / "_internal"
    (bundle / "workflows").mkdir(parents=True)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    assert paths.program_root() == bundle == default_root()
    assert shipped_templates() == bundle / "print_templates"
    assert paths.program_folder("import_profiles") == bundle / "import_profiles"
    assert paths.present_program_folders() == ["workflows"]
    with pytest.raises(ValueError):
        paths.program_folder("secrets")
    monkeypatch.setenv(paths.ENV_PROGRAM_DIR, str(tmp_path))  # the override still wins
    assert paths.program_root() == tmp_path


# --- network shares ----------------------------------------------------------------------------------
def test_windows_unc_paths_and_mapped_network_drives_are_shares():
    local = {"C:\\": 3, "D:\\": 3, "E:\\": 2}  # fixed, fixed, removable
    drive = lambda root: local.get(root, DRIVE_REMOTE)  # noqa: E731 - Z: and the rest are mapped
    assert windows_share(r"\\nas\民政\doudi_desk.sqlite3", drive) == r"\\nas\民政"
    assert windows_share("//nas/share/x.sqlite3", drive) == r"\\nas\share"
    assert windows_share(r"\\?\UNC\nas\share\x.sqlite3", drive) == r"\\nas\share"
    assert windows_share(r"Z:\民政\doudi_desk.sqlite3", drive) == "Z:"
    assert windows_share(r"z:/x.sqlite3", drive) == "Z:"
    for path in (r"C:\Users\张敏\AppData\Local\doudi_desk\doudi_desk.sqlite3", r"D:\民政\x.sqlite3",
                 r"E:\backup.sqlite3", r"\\?\C:\very\long\x.sqlite3"):
        assert windows_share(path, drive) is None, path


MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
//nas/minzheng /mnt/nas cifs rw,vers=3.0 0 0
nas:/export/office /srv/office nfs4 rw 0 0
/dev/sdb1 /srv/office/local ext4 rw 0 0
nas:/with\\040space /mnt/my\\040share nfs rw 0 0
"""


def test_linux_network_mounts_are_found_in_the_mount_table():
    assert mounted_share("/mnt/nas/民政/doudi_desk.sqlite3", MOUNTS) == "//nas/minzheng（cifs）"
    assert mounted_share("/srv/office/db.sqlite3", MOUNTS) == "nas:/export/office（nfs4）"
    assert mounted_share("/srv/office/local/db.sqlite3", MOUNTS) is None  # a local disk mounted inside
    assert mounted_share("/mnt/nasty/db.sqlite3", MOUNTS) is None  # a sibling name, not inside
    assert mounted_share("/mnt/my share/db.sqlite3", MOUNTS) == "nas:/with space（nfs）"
    assert mounted_share("/home/zhangmin/db.sqlite3", MOUNTS) is None
    assert network_share("/mnt/nas/x.sqlite3", platform="linux", mounts=MOUNTS)
    assert network_share(r"Z:\x.sqlite3", platform="win32", drive_type=lambda _r: DRIVE_REMOTE) == "Z:"


def test_a_sqlite_database_on_a_network_share_is_refused_before_it_is_touched(tmp_path, monkeypatch):
    from doudi_desk.cli import main
    from doudi_desk.services.context import open_context
    from doudi_desk.storage import netshare
    from doudi_desk.storage.db import Database, StorageError

    share = tmp_path / "nas"
    share.mkdir()
    table = f"/dev/sda1 / ext4 rw 0 0\n//nas/minzheng {share} cifs rw 0 0\n"
    monkeypatch.setattr(netshare, "_read_mounts", lambda: table)
    monkeypatch.setattr(paths, "current_platform", lambda: "linux")
    target = share / "民政" / "doudi_desk.sqlite3"
    with pytest.raises(StorageError) as refused:
        open_context(f"sqlite:///{target}")
    assert refused.value.kind == "network"
    message = str(refused.value)
    assert str(target) in message and "//nas/minzheng" in message
    assert "网络共享" in message and "PostgreSQL" in message and "postgresql+psycopg://" in message
    assert not target.parent.exists()  # nothing created on the share
    assert main(["--db", f"sqlite:///{target}", "init"]) == 2  # the admin command says the same, exit 2
    assert not target.parent.exists()
    Database(f"sqlite:///{tmp_path / 'local.sqlite3'}").dispose()  # beside the share: a local disk, fine


# --- Windows fonts -------------------------------------------------------------------------------------
def _fake_fonts(folder: Path, names: tuple[str, ...]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).symlink_to(WQY)


def _render_module():
    import importlib

    return importlib.import_module("doudi_desk.printing.render")  # the package exports a function of that name


@pytest.fixture
def no_font_cache():
    _render_module()._fonts.cache_clear()  # fonts are resolved once per configuration
    yield
    _render_module()._fonts.cache_clear()


def test_fonts_in_the_per_user_fonts_folder_are_found_and_preferred(tmp_path, monkeypatch, no_font_cache):
    """Windows 10 1809+ installs a font for a user without administrator rights into
    %LOCALAPPDATA%\\Microsoft\\Windows\\Fonts: a 仿宋_GB2312 and a 方正小标宋 installed there win over
    the system's FangSong and SimHei."""
    from doudi_desk.printing.fonts import resolve_fonts

    if not Path(WQY).is_file():
        pytest.skip("fonts-wqy-zenhei not installed")
    windows = tmp_path / "Windows"
    local = tmp_path / "Users" / "张敏" / "AppData" / "Local"
    _fake_fonts(windows / "Fonts", ("simsun.ttc", "simhei.ttf", "simfang.ttf", "simkai.ttf"))
    _fake_fonts(local / "Microsoft" / "Windows" / "Fonts", ("仿宋_GB2312.ttf", "FZXBSJW.TTF"))
    monkeypatch.setenv("WINDIR", str(windows))
    monkeypatch.setenv("LOCALAPPDATA", str(local))
    fonts = resolve_fonts(platform="win32")
    user_fonts = local / "Microsoft" / "Windows" / "Fonts"
    assert Path(fonts.faces["fang"].path) == user_fonts / "仿宋_GB2312.ttf"
    assert Path(fonts.faces["title"].path) == user_fonts / "FZXBSJW.TTF"
    assert Path(fonts.faces["song"].path) == windows / "Fonts" / "simsun.ttc" and fonts.faces["song"].index == 0
    assert Path(fonts.faces["hei"].path) == windows / "Fonts" / "simhei.ttf"
    assert Path(fonts.faces["kai"].path) == windows / "Fonts" / "simkai.ttf"
    assert not any("小标宋" in n for n in fonts.notes)  # 方正小标宋 found: no substitution

    # Only in the per-user folder (the system folder has none of them): still found.
    monkeypatch.setenv("WINDIR", str(tmp_path / "EmptyWindows"))
    only_user = tmp_path / "Users" / "李强" / "AppData" / "Local"
    _fake_fonts(only_user / "Microsoft" / "Windows" / "Fonts", ("simsun.ttc", "simhei.ttf", "simfang.ttf", "simkai.ttf"))
    monkeypatch.setenv("LOCALAPPDATA", str(only_user))
    fonts = resolve_fonts(platform="win32")
    assert all(Path(f.path).parent == only_user / "Microsoft" / "Windows" / "Fonts" for f in fonts.faces.values())


def test_a_document_printed_on_windows_uses_the_windows_fonts(tmp_path, monkeypatch, no_font_cache):
    """The print path itself (not only the lookup): on 'Windows' with SimSun, SimHei, FangSong and
    KaiTi in %WINDIR%\\Fonts a posting list renders with them; without them it is refused by name."""
    import datetime as dt

    from printing_helpers import flat, pages_text

    from doudi_desk.printing import (
        Part,
        PostedList,
        PostedOffice,
        PostedRow,
        PrintConfig,
        PrintError,
        render,
    )
    from doudi_desk.printing.render import fonts_for

    if not Path(WQY).is_file():
        pytest.skip("fonts-wqy-zenhei not installed")
    monkeypatch.setattr(paths, "current_platform", lambda: "win32")
    monkeypatch.delenv("LOCALAPPDATA", raising=False)
    monkeypatch.setenv("WINDIR", str(tmp_path / "NoFonts"))
    office = PostedOffice(name="桃源镇人民政府", phone="0311-8661 2345", address="桃源镇人民路1号", seal_text="桃源镇人民政府")
    posted = PostedList(title="东岗村最低生活保障初审公示", village="东岗村", township="桃源镇", office=office,
                        issued_on=dt.date(2026, 11, 20), start=dt.date(2026, 11, 20), end=dt.date(2026, 11, 26),
                        rows=(PostedRow(name="王建国", members=2, covered=2, amount="500"),))
    config = PrintConfig(template_dirs=(str(paths.program_folder("print_templates")),))
    with pytest.raises(PrintError, match="Windows 字体文件夹"):
        render(Part("posting_list", posted), config)

    _render_module()._fonts.cache_clear()
    _fake_fonts(tmp_path / "Windows" / "Fonts", ("simsun.ttc", "simhei.ttf", "simfang.ttf", "simkai.ttf"))
    monkeypatch.setenv("WINDIR", str(tmp_path / "Windows"))
    fonts = fonts_for(config)
    assert {Path(f.path).name for f in fonts.faces.values()} == {"simsun.ttc", "simhei.ttf", "simfang.ttf", "simkai.ttf"}
    assert all(Path(f.path).parent == tmp_path / "Windows" / "Fonts" for f in fonts.faces.values())
    pdf = render(Part("posting_list", posted), config)
    assert "王建国" in flat("".join(pages_text(pdf)))
