"""The Windows installer script compiles here (Debian's makensis) against a stand-in payload shaped
like the PyInstaller folder, with warnings as errors, so it cannot rot unnoticed; and what it
promises is in the script: per-user by default, the shortcuts, the self-test as the last step
failing loudly, an uninstaller that never touches the data folder. (Running it needs Windows:
.github/workflows/windows-installer.yml.)"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import doudi_desk

REPO = Path(__file__).resolve().parents[2]
NSI = REPO / "installer" / "doudi_desk.nsi"


def _script() -> str:
    raw = NSI.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "the .nsi must be UTF-8 with a BOM (Chinese names)"
    return raw.decode("utf-8-sig")


def _section(text: str, name: str) -> str:
    match = re.search(rf'^Section "{re.escape(name)}".*?^SectionEnd', text, re.S | re.M)
    assert match, name
    return match.group(0)


def test_the_nsis_script_compiles_against_a_stand_in_payload(tmp_path):
    makensis = shutil.which("makensis")
    if makensis is None:
        if os.environ.get("CI"):
            pytest.fail("makensis is missing in CI (.ci/run installs Debian's nsis package)")
        pytest.skip("makensis not installed (apt-get install nsis)")
    payload = tmp_path / "payload"  # what PyInstaller leaves in dist/doudi-desk
    (payload / "_internal" / "workflows").mkdir(parents=True)
    (payload / "_internal" / "workflows" / "dibao.yaml").write_text("id: dibao\n", encoding="utf-8")
    for exe in ("doudi-desk.exe", "doudi-admin.exe"):
        (payload / exe).write_bytes(b"MZ stand-in")
    out = tmp_path / f"doudi-desk-{doudi_desk.__version__}-setup.exe"
    run = subprocess.run([makensis, "-WX", "-V2", "-INPUTCHARSET", "UTF8", f"-DVERSION={doudi_desk.__version__}",
                          f"-DSOURCE_DIR={payload}", f"-DOUTFILE={out}", str(NSI)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    data = out.read_bytes()
    assert data[:2] == b"MZ" and len(data) > 50_000
    # Without a payload the script refuses to build instead of making an empty installer.
    bad = subprocess.run([makensis, "-V1", "-INPUTCHARSET", "UTF8", f"-DOUTFILE={tmp_path / 'x.exe'}", str(NSI)],
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode != 0 and "SOURCE_DIR" in bad.stdout + bad.stderr


def test_the_script_keeps_its_promises():
    text = _script()
    assert re.search(r"^Unicode true", text, re.M)
    # Per user by default (no administrator rights), per machine for an administrator or /AllUsers.
    assert "!define MULTIUSER_EXECUTIONLEVEL Highest" in text
    assert "!define MULTIUSER_INSTALLMODE_DEFAULT_CURRENTUSER" in text
    assert "!define MULTIUSER_INSTALLMODE_COMMANDLINE" in text
    assert '!define APP_NAME "兜底 Desk"' in text
    main = _section(text, "${APP_NAME}")
    assert 'CreateShortCut "$SMPROGRAMS\\${APP_NAME}.lnk"' in main
    assert 'CreateShortCut "$DESKTOP\\${APP_NAME}.lnk"' in main
    assert "WriteUninstaller" in main and 'WriteRegStr SHCTX "${UNINSTALL_KEY}" "UninstallString"' in main
    # The self-test is the last section and stops the installation on failure.
    sections = re.findall(r'^Section "([^"]+)"', text, re.M)
    assert sections[-2:] == ["-self-test", "Uninstall"]
    test = _section(text, "-self-test")
    assert "ExecWait '\"$INSTDIR\\${EXE}\" --self-test' $SelfTestCode" in test
    assert "SetErrorLevel" in test and "Abort" in test and "MB_ICONSTOP" in test
    # The uninstaller removes the program and nothing of the data folder %LOCALAPPDATA%\doudi_desk.
    uninstall = _section(text, "Uninstall")
    removals = re.findall(r"^\s*(?:RMDir|Delete)\b.*$", uninstall, re.M)
    assert removals and all("$LOCALAPPDATA" not in line and "${APP_ID}" not in line for line in removals)
    assert 'RMDir "$INSTDIR"' in uninstall  # the folder itself only when empty (no /r)
    assert "MIN_BUILD 17763" in text  # Windows 10 1809, Qt 6's floor
