"""Choose, register and check the TrueType fonts every printed document uses.

Five font roles follow GB/T 9704-2012 (procedures.md §6): ``title`` (小标宋, falling back to 黑体),
``hei`` (黑体), ``fang`` (仿宋, the body text), ``kai`` (楷体) and ``song`` (宋体, page numbers and
forms). For each role the first usable candidate wins:

1. a font file configured by the office (``PrintConfig.fonts``: role → ``path`` or ``path#index``
   for a face inside a .ttc; the key ``*`` covers every role not named);
2. on Windows the system fonts (方正小标宋简体 if installed, SimHei, 仿宋_GB2312 or FangSong, KaiTi,
   SimSun — simsun.ttc face 0) from ``%WINDIR%\\Fonts`` and the per-user fonts folder
   (``%LOCALAPPDATA%\\Microsoft\\Windows\\Fonts``), the preferred face first wherever it is;
3. elsewhere a CJK TrueType font (Debian ``fonts-wqy-zenhei``, WenQuanYi Micro Hei, AR PL).

ReportLab embeds a subset of every TrueType font it draws with, so the PDF shows the same glyphs on
any machine. Only TrueType outlines load (CFF fonts such as Noto CJK do not, platform-notes.md).
A role served by another style (e.g. 仿宋 by 文泉驿正黑) is a *substitution*: it is logged and
listed in :attr:`FontSet.notes` so the window can show it.

Rare characters are otherwise dropped silently by ReportLab, so every string is checked with
:meth:`FontSet.check` before it is drawn; a missing glyph raises :class:`MissingGlyphError`.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from .. import paths
from .errors import MissingGlyphError, PrintError

log = logging.getLogger(__name__)

ROLES: dict[str, str] = {"title": "小标宋", "hei": "黑体", "fang": "仿宋", "kai": "楷体", "song": "宋体"}

# (file name, face index, style it really is) — Windows fonts folder.
_WINDOWS: dict[str, list[tuple[str, int, str]]] = {
    "title": [("FZXBSJW.TTF", 0, "title"), ("方正小标宋简体.ttf", 0, "title"), ("FZXBSK.TTF", 0, "title"),
              ("simhei.ttf", 0, "hei")],
    "hei": [("simhei.ttf", 0, "hei")],
    "fang": [("仿宋_GB2312.ttf", 0, "fang"), ("FS_GB2312.ttf", 0, "fang"), ("simfang.ttf", 0, "fang")],
    "kai": [("楷体_GB2312.ttf", 0, "kai"), ("simkai.ttf", 0, "kai"), ("STKAITI.TTF", 0, "kai")],
    "song": [("simsun.ttc", 0, "song"), ("simsun.ttf", 0, "song")],
}
# Linux and other systems: full paths.
_WQY_ZEN = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
_WQY_MICRO = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
_UMING = "/usr/share/fonts/truetype/arphic/uming.ttc"
_UKAI = "/usr/share/fonts/truetype/arphic/ukai.ttc"
_OTHER: dict[str, list[tuple[str, int, str]]] = {
    "title": [(_WQY_ZEN, 0, "hei"), (_WQY_MICRO, 0, "hei")],
    "hei": [(_WQY_ZEN, 0, "hei"), (_WQY_MICRO, 0, "hei")],
    "fang": [(_WQY_ZEN, 0, "hei"), (_WQY_MICRO, 0, "hei"), (_UMING, 0, "song")],
    "kai": [(_UKAI, 0, "kai"), (_WQY_ZEN, 0, "hei"), (_WQY_MICRO, 0, "hei")],
    "song": [(_UMING, 0, "song"), (_WQY_ZEN, 0, "hei"), (_WQY_MICRO, 0, "hei")],
}
# A role may be served by these styles without a warning (小标宋 → 黑体 is the documented fallback).
_ACCEPTED = {"title": {"title", "hei"}, "hei": {"hei"}, "fang": {"fang"}, "kai": {"kai"}, "song": {"song"}}

_loaded: dict[tuple[str, int], TTFont] = {}


@dataclass(frozen=True)
class FontFace:
    """One registered font: the name ReportLab knows it by and where it came from."""

    name: str  # registered PostScript-ish name used in styles
    path: str
    index: int
    label: str  # the family name inside the file, for messages
    glyphs: frozenset[int] = field(repr=False, default=frozenset())


@dataclass
class FontSet:
    """The face chosen for each role, with the substitutions made."""

    faces: dict[str, FontFace]
    notes: list[str]
    _ok: dict[str, set[str]] = field(default_factory=dict, repr=False)

    def name(self, role: str) -> str:
        return self.faces[role].name

    def has_glyphs(self, text: str, role: str) -> bool:
        """Every character of ``text`` has a glyph in ``role``'s font."""
        try:
            self.check(text, role, "")
        except MissingGlyphError:
            return False
        return True

    def check(self, text: str, role: str, where: str) -> None:
        """Raise MissingGlyphError unless every character of ``text`` has a glyph in ``role``'s font."""
        ok = self._ok.setdefault(role, set())
        if ok.issuperset(text):  # every character seen before (a long list repeats its glyphs)
            return
        face = self.faces[role]
        for ch in text:
            if ch in ok:
                continue
            if ch in "\n\r\t" or ord(ch) in face.glyphs:
                ok.add(ch)
                continue
            raise MissingGlyphError(ch, face.label, where)


def _windows_dirs() -> list[Path]:
    """The system fonts folder and the per-user one (where Windows 10 1809+ installs a font for a
    user without administrator rights)."""
    windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot") or r"C:\Windows"
    dirs = [Path(windir) / "Fonts"]
    local = os.environ.get("LOCALAPPDATA")
    if local:
        dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    return dirs


def parse_font_path(spec: str) -> tuple[str, int]:
    """``path`` or ``path#index`` (a face inside a .ttc collection)."""
    path, sep, index = str(spec).rpartition("#")
    if sep and index.isdigit():
        return path, int(index)
    return str(spec), 0


def _load(path: str, index: int) -> TTFont:
    key = (os.path.abspath(path), index)
    font = _loaded.get(key)
    if font is None:
        digest = hashlib.sha1(f"{key[0]}#{index}".encode()).hexdigest()[:10]
        font = TTFont(f"DD{digest}", path, subfontIndex=index)
        pdfmetrics.registerFont(font)
        _loaded[key] = font
    return font


def _face(font: TTFont, path: str, index: int) -> FontFace:
    raw = font.face.familyName or font.face.name
    label = raw.decode("latin-1") if isinstance(raw, bytes) else str(raw)
    return FontFace(name=font.fontName, path=path, index=index, label=label,
                    glyphs=frozenset(font.face.charToGlyph))


def resolve_fonts(configured: Mapping[str, str] | None = None, *, platform: str | None = None) -> FontSet:
    """Pick and register a face for every role; raise PrintError when a role has none."""
    configured = dict(configured or {})
    platform = platform or paths.current_platform()  # looked up at call time (tests stand in Windows)
    faces: dict[str, FontFace] = {}
    notes: list[str] = []
    for role, role_label in ROLES.items():
        spec = configured.get(role) or configured.get("*")
        if spec:
            path, index = parse_font_path(spec)
            if not Path(path).is_file():
                raise PrintError(f"打印字体设置有误：{role_label}字体文件不存在：{path}", field=f"fonts.{role}")
            try:
                faces[role] = _face(_load(path, index), path, index)
            except (TTFError, OSError, ValueError) as exc:
                raise PrintError(
                    f"打印字体设置有误：{path} 不能用作{role_label}字体（只支持 TrueType 轮廓字体，"
                    f".ttc 可用“路径#序号”选字体）：{exc}", field=f"fonts.{role}") from None
            continue
        if platform.startswith("win"):
            # The preferred face first, wherever it is installed: 仿宋_GB2312 installed for one user
            # wins over the system's simfang.ttf, 方正小标宋 over SimHei.
            candidates = [(str(d / name), i, style) for name, i, style in _WINDOWS[role] for d in _windows_dirs()]
        else:
            candidates = list(_OTHER[role])
        for path, index, style in candidates:
            if not os.path.isfile(path):
                continue
            try:
                font = _load(path, index)
            except (TTFError, OSError, ValueError) as exc:
                log.info("font %s#%d unusable: %s", path, index, exc)
                continue
            faces[role] = _face(font, path, index)
            if style not in _ACCEPTED[role]:
                notes.append(f"{role_label}：未找到{role_label}字体，以「{faces[role].label}」代替")
            elif role == "title" and style == "hei":
                notes.append("小标宋：未找到方正小标宋简体，标题以黑体代替")
            break
        else:
            where = "Windows 字体文件夹" if platform.startswith("win") else "系统（如 Debian：apt-get install fonts-wqy-zenhei）"
            raise PrintError(
                f"找不到可用的中文 TrueType 字体（{role_label}）。请在{where}安装中文字体，"
                f"或在「打印字体」设置中指定字体文件路径。", field=f"fonts.{role}")
    for note in notes:
        log.warning("打印字体替换：%s", note)
    return FontSet(faces=faces, notes=notes)
