"""Print markup: the small XML vocabulary the Jinja2 templates produce, turned into flowables.

The vocabulary is documented for offices in ``print_templates/README.md``. Every string is checked
against the font that will draw it before anything is drawn, and collected in
:attr:`Built.texts` so the privacy rules can read exactly what will be printed.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from . import linebreak
from .errors import TemplateError
from .fonts import ROLES, FontSet
from .layout import (
    BODY_LEADING,
    BODY_SIZE,
    LANDSCAPE,
    PORTRAIT,
    SIZES,
    PagedTable,
    RepeatedParagraph,
    Rule,
    Signoff,
)

_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}
_TABLE_ALIGN = {"left": "LEFT", "center": "CENTER", "right": "RIGHT", "justify": "LEFT"}
_SPACE_NL = re.compile(r"\s*\n\s*")
_PAD = 3.0  # table cell padding, points
_PAGED_AUTO_ROWS = 30
_FIT_BODY_ROWS = 200
_SHORT_VALUE = 18  # characters: a body value this short (name, date, ID number) should not wrap
# Runs a line must not cut: numbers (with their separators) and Latin words.
_RUNS = re.compile(r"[0-9A-Za-z][0-9A-Za-z.,%:/\-]*")
_TRAILING_GROUP = re.compile(r"^(.+?)(（[^（）]*）)$")


def _heading_lines(cell: ET.Element, inner: float, font: str, size: float) -> ET.Element:
    """A plain heading too wide for its column, broken where a heading may break (heading_words)
    instead of wherever the line runs out ("家庭成员签字（手/印）")."""
    if len(cell) or not cell.text or stringWidth(_clean(cell.text), font, size) <= inner:
        return cell
    words = heading_words(_clean(cell.text))
    if len(words) < 2:
        return cell
    lines = ET.Element(cell.tag, dict(cell.attrib))
    lines.text = words[0]
    for word in words[1:]:
        br = ET.SubElement(lines, "br")
        br.tail = word
    return lines


def _widen(widths: list[float], need: list[float]) -> list[float]:
    """Give each column what it needs, taking the room from the columns that have more."""
    lacking = [max(n - w, 0) for n, w in zip(need, widths, strict=True)]
    if not sum(lacking):
        return widths
    slack = [max(w - n, 0) for n, w in zip(need, widths, strict=True)]
    spare = sum(slack)
    return [w + extra if extra else w - sum(lacking) * k / spare
            for w, extra, k in zip(widths, lacking, slack, strict=True)]


def heading_words(text: str) -> list[str]:
    """The words of a table heading: its lines (<br/>), each split once before a closing "（…）"
    group ("拟保障金额（元/月）" → 拟保障金额, （元/月）); nothing else may be broken."""
    words = []
    for line in text.split("\n"):
        m = _TRAILING_GROUP.match(line.strip())
        words.extend(m.groups() if m else [line.strip()])
    return [w for w in words if w]

# Chinese line breaking (禁则): no line starts with "，；）…" or ends with "（「" (linebreak.py).
linebreak.install()


@dataclass(frozen=True)
class StyleSet:
    """Defaults of one kind of page: notices (GB/T 9704 body), forms, posted lists."""

    body_size: float
    body_leading: float
    title_size: float
    table_size: float


STYLES = {
    "notice": StyleSet(BODY_SIZE, BODY_LEADING, 22, 14),
    "form": StyleSet(12, 20, 18, 11),
    "list": StyleSet(14, 24, 22, 14),
}


@dataclass
class Built:
    """One document as flowables, with its page orientation and every text it prints."""

    flowables: list[Flowable]
    orientation: str
    title: str
    header: str
    texts: list[str] = field(default_factory=list)
    running: str = ""  # printed at the top of the document's pages after the first


def _size(raw: str | None, default: float) -> float:
    if not raw:
        return default
    raw = raw.strip()
    if raw in SIZES:
        return SIZES[raw]
    try:
        return float(raw.removesuffix("pt"))
    except ValueError:
        raise TemplateError(f"字号「{raw}」无效：用“三号”“小四”等或磅值数字") from None


def _length(raw: str, what: str) -> float:
    raw = raw.strip()
    try:
        if raw.endswith("mm"):
            return float(raw[:-2]) * mm
        if raw.endswith("pt"):
            return float(raw[:-2])
        return float(raw)
    except ValueError:
        raise TemplateError(f"{what}「{raw}」无效：应为数字，可带 mm 或 pt") from None


# Characters with an exact typographic equivalent that Chinese fonts more often have (the policy
# explanation writes a minus sign U+2212). Anything else missing from the font is an error.
_EQUIVALENT = str.maketrans({"\u2212": "－", "\u2010": "-", "\u2011": "-", "\u00a0": " ", "\u2009": " "})


def _clean(text: str | None) -> str:
    if not text:
        return ""
    if "\n" in text:  # the only place _SPACE_NL can match
        text = _SPACE_NL.sub("", text)
    return text.translate(_EQUIVALENT)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _plain(el: ET.Element) -> str:
    """The text of an element with inline children, as it will print."""
    if not len(el):
        return _clean(el.text)
    parts = [_clean(el.text)]
    for child in el:
        parts.append("\n" if child.tag == "br" else _plain(child))
        parts.append(_clean(child.tail))
    return "".join(parts)


class Builder:
    """Turns one parsed template into flowables with fonts checked."""

    def __init__(self, fonts: FontSet, source: str):
        self.fonts = fonts
        self.source = source
        self.texts: list[str] = []
        self._styles: dict[tuple, ParagraphStyle] = {}
        self.style = STYLES["notice"]
        self.frame_width = PORTRAIT.width
        self.head_scale = 1.0  # headings of the current table set smaller when they cannot fit (_fit_words)
        self._widths: dict[tuple[str, str, float], float] = {}

    def width(self, text: str, font: str, size: float) -> float:
        """``stringWidth`` of a text, measured once per document: a long list measures each cell
        to choose the orientation and again to lay it out."""
        key = (text, font, size)
        found = self._widths.get(key)
        if found is None:
            found = self._widths[key] = stringWidth(text, font, size)
        return found

    def fits(self, text: str, font: str, size: float, room: float) -> bool:
        """``text`` is no wider than ``room``: settled without measuring when even as many of the
        font's widest glyph would fit (a name or a number in a list's cell), else measured."""
        return len(text) * _widest(font) * size <= room or self.width(text, font, size) <= room

    # --- helpers ---
    def _role(self, raw: str | None, default: str) -> str:
        role = raw or default
        if role not in ROLES:
            raise TemplateError(f"{self.source}: 字体「{role}」无效，可用：{'、'.join(ROLES)}")
        return role

    def check(self, text: str, role: str, where: str | Callable[[], str]) -> None:
        """Every character of ``text`` has a glyph (else the refusal names ``where``, a text or, for
        the cells of a long table, a function giving it); the text is kept for the privacy check."""
        if callable(where):
            if not self.fonts.has_glyphs(text, role):
                self.fonts.check(text, role, f"{self.source}：{where()}")
        else:
            self.fonts.check(text, role, f"{self.source}：{where}")
        self.texts.append(text)

    def _em_space(self, role: str) -> str:
        """No-break spaces about one character wide in ``role``'s font (ReportLab keeps those)."""
        width = stringWidth("\xa0", self.fonts.name(role), 1000) if ord("\xa0") in self.fonts.faces[role].glyphs else 0
        return "\xa0" * max(1, round(1000 / width)) if width else "\xa0\xa0"

    def pstyle(self, role: str, size: float, leading: float, align: str = "justify", indent: float = 0,
               space_before: float = 0, space_after: float = 0) -> ParagraphStyle:
        key = (role, size, leading, align, indent, space_before, space_after)
        st = self._styles.get(key)
        if st is None:
            st = ParagraphStyle(
                f"s{len(self._styles)}", fontName=self.fonts.name(role), fontSize=size, leading=leading,
                alignment=_ALIGN.get(align, TA_JUSTIFY), firstLineIndent=indent * size, wordWrap="CJK",
                spaceBefore=space_before, spaceAfter=space_after, allowWidows=1, allowOrphans=1,
            )
            self._styles[key] = st
        return st

    def inline(self, el: ET.Element, role: str, where: str) -> str:
        """Paragraph markup of an element's mixed content; checks every piece's glyphs."""
        out: list[str] = []

        def text(t: str | None, r: str) -> None:
            t = _clean(t)
            if t:
                self.check(t, r, where)
                if "\u3000" in t:  # Paragraph collapses U+3000 like a space; keep blanks to write in
                    t = t.replace("\u3000", self._em_space(r))
                out.append(_esc(t))

        text(el.text, role)
        for child in el:
            if child.tag == "br":
                out.append("<br/>")
            elif child.tag == "b":
                out.append(f'<font name="{self.fonts.name("hei")}">')
                out.append(self.inline(child, "hei", where))
                out.append("</font>")
            elif child.tag == "u":
                out.append("<u>" + self.inline(child, role, where) + "</u>")
            elif child.tag in ("kai", "fang", "hei", "song"):
                out.append(f'<font name="{self.fonts.name(child.tag)}">')
                out.append(self.inline(child, child.tag, where))
                out.append("</font>")
            else:
                raise TemplateError(f"{self.source}: <{el.tag}> 中不能有 <{child.tag}>（可用 b、u、br、kai、hei、fang、song）")
            text(child.tail, role)
        return "".join(out)

    # --- document ---
    def build(self, root: ET.Element) -> Built:
        if root.tag != "document":
            raise TemplateError(f"{self.source}: 根元素应为 <document>，现为 <{root.tag}>")
        kind = root.get("style", "notice")
        if kind not in STYLES:
            raise TemplateError(f"{self.source}: style 只能是 {'、'.join(STYLES)}")
        self.style = STYLES[kind]
        orientation = root.get("orientation", "portrait")
        if orientation == "auto":
            orientation = "landscape" if self._needs_landscape(root) else "portrait"
        if orientation not in ("portrait", "landscape"):
            raise TemplateError(f"{self.source}: orientation 只能是 portrait、landscape 或 auto")
        self.frame_width = (LANDSCAPE if orientation == "landscape" else PORTRAIT).width
        header = root.get("header", "")
        if header:
            self.check(header, "hei", "页眉")
        flowables: list[Flowable] = []
        title = ""
        previous = ""
        for el in root:
            if el.tag == "title" and not title:
                title = _plain(el)
            block = self.block(el)
            if el.tag == "signoff":
                block = [_keep_with_previous(flowables, block)]
            elif el.tag == "note" and previous == "signoff":  # "（本通知书由…转交）" stays with the 落款
                block = [KeepTogether([*flowables.pop()._content, *block])]
            flowables.extend(block)
            previous = el.tag
        running = root.get("running", "")
        if running:
            running = f"{title}（续）　{running}" if title else running
            self.check(running, "hei", "续页页眉")
        return Built(flowables=flowables, orientation=orientation, title=title, header=header, texts=self.texts,
                     running=running)

    def _needs_landscape(self, root: ET.Element) -> bool:
        """A table wider than the portrait text block (its cells unwrapped) needs landscape. Each
        column's distinct texts are measured only when the longest of them times the font's widest
        glyph does not fit."""
        font = self.fonts.name("fang")
        for table in root.iter("table"):
            size = _size(table.get("size"), self.style.table_size)
            columns = _column_texts(table)
            widest = _widest(font) * size
            if _unwrapped_width(columns, lambda text, w=widest: len(text) * w) > PORTRAIT.width and \
                    _unwrapped_width(columns, partial(self.width, font=font, size=size)) > PORTRAIT.width:
                return True
        return False

    def block(self, el: ET.Element) -> list[Flowable]:
        st = self.style
        tag = el.tag
        size = _size(el.get("size"), st.body_size)
        leading = size * st.body_leading / st.body_size
        if tag == "title":
            size = _size(el.get("size"), st.title_size)
            role = self._role(el.get("font"), "title")
            return [Paragraph(self.inline(el, role, "标题"),
                              self.pstyle(role, size, size * 1.5, "center", 0, 0, leading * 0.8))]
        if tag == "subtitle":
            role = self._role(el.get("font"), "kai")
            return [Paragraph(self.inline(el, role, "副标题"),
                              self.pstyle(role, size, leading, el.get("align", "center"), 0, 0, leading * 0.3))]
        if tag in ("p", "addressee", "h1", "h2", "note"):
            default_role = {"h1": "hei", "h2": "kai"}.get(tag, "fang")
            role = self._role(el.get("font"), default_role)
            if tag == "note":
                size = _size(el.get("size"), 10.5)
                leading = size * 1.5
            indent = float(el.get("indent", "0" if tag == "addressee" else "2"))
            align = el.get("align", "left" if tag == "addressee" else "justify")
            where = {"p": "正文", "addressee": "主送", "h1": "标题", "h2": "标题", "note": "附注"}[tag]
            plain = _plain(el)
            return [Paragraph(self.inline(el, role, f"{where}「{plain[:12]}」"),
                              self.pstyle(role, size, leading, align, indent,
                                          _length(el.get("before", "0"), "before"),
                                          _length(el.get("after", "0"), "after")))]
        if tag == "table":
            return [self.table(el)]
        if tag == "signoff":
            name = el.get("name", "")
            date = el.get("date", "")
            seal = el.get("seal", "yes") != "no"
            seal_text = el.get("seal_text", "") if seal else ""
            for text in (name, date, seal_text):
                if text:
                    self.check(text, "fang", "落款")
            self.fonts.check("（盖章）", "fang", "落款")
            right = float(el.get("right", "4" if seal else "2"))
            return [Signoff(name, date, font=self.fonts.name("fang"), size=size, leading=leading, seal=seal,
                            seal_text=seal_text, right_chars=right)]
        if tag == "spacer":
            if el.get("lines"):
                return [Spacer(1, float(el.get("lines", "1")) * leading)]
            return [Spacer(1, _length(el.get("height", "5mm"), "height"))]
        if tag == "pagebreak":
            return [PageBreak()]
        if tag == "needspace":
            return [CondPageBreak(_length(el.get("height", "40mm"), "height"))]
        if tag == "rule":
            return [Rule(float(el.get("thickness", "0.5")))]
        if tag == "keep":
            inner: list[Flowable] = []
            for child in el:
                inner.extend(self.block(child))
            return [KeepTogether(inner)]
        raise TemplateError(f"{self.source}: 不认识的元素 <{tag}>（见 print_templates/README.md）")

    # --- tables ---
    def _col_widths(self, el: ET.Element, ncols: int) -> list[float]:
        raw = el.get("widths")
        total = _length(el.get("width"), "width") if el.get("width") and not el.get("width", "").endswith("%") \
            else self.frame_width * float(el.get("width", "100%").rstrip("%")) / 100
        if not raw:
            return [total / ncols] * ncols
        parts = [p.strip() for p in raw.split(",")]
        if len(parts) != ncols:
            raise TemplateError(f"{self.source}: 表格 widths 有 {len(parts)} 项，但表格有 {ncols} 列")
        fixed = [(_length(p, "widths") if p.endswith(("mm", "pt")) else None) for p in parts]
        weights = [0 if f is not None else float(p) for p, f in zip(parts, fixed, strict=True)]
        rest = max(total - sum(f for f in fixed if f is not None), 0)
        wsum = sum(weights) or 1
        return [f if f is not None else rest * w / wsum for f, w in zip(fixed, weights, strict=True)]

    def table(self, el: ET.Element) -> Flowable:
        rows = [tr for tr in el if tr.tag == "tr"]
        if len(rows) != len(el):
            bad = next(c.tag for c in el if c.tag != "tr")
            raise TemplateError(f"{self.source}: <table> 中只能有 <tr>，发现 <{bad}>")
        if not rows:
            raise TemplateError(f"{self.source}: 表格没有行")
        header = int(el.get("header", "0"))
        size = _size(el.get("size"), self.style.table_size)
        leading = size * 1.3
        spans = any(c.get("span") or c.get("rowspan") for tr in rows for c in tr)
        paged = el.get("paged", "auto")
        if paged == "yes" and spans:
            raise TemplateError(f"{self.source}: 分页表格（paged=\"yes\"）不能合并单元格")
        if paged == "auto":
            paged = "yes" if not spans and len(rows) > _PAGED_AUTO_ROWS else "no"
        ncols = self._ncols(rows) if spans else max(len(tr) for tr in rows)
        body_role = self._role(el.get("font"), "fang")
        widths = self._fit_words(rows, header, self._col_widths(el, ncols), size, body_role)
        aligns = [a.strip() for a in el.get("align", "").split(",") if a.strip()] or ["center"] * ncols
        aligns += [aligns[-1]] * (ncols - len(aligns))
        labels = [_plain(c) for c in rows[0]] if header else []
        if paged == "yes":
            return self._paged(rows, header, widths, aligns, size, leading, body_role, labels)
        return self._grid(rows, header, widths, aligns, size, leading, body_role, labels, el)

    def _fit_words(self, rows: list[ET.Element], header: int, widths: list[float], size: float,
                   body_role: str) -> list[float]:
        """Column widths in which no heading breaks inside a word ("与户主关/系") and no number in
        the body is cut.

        Each column should be as wide as its longest heading word (a heading breaks only at <br/>
        and before a closing "（…）") and its longest body value when that value is short (a name, a
        date, an ID number); the room is taken from columns with more than they need. Where that
        cannot fit, headings are set smaller (down to 70 %, ``self.head_scale``), then short body
        values may wrap (numbers still whole), and only then does every column get its share."""
        self.head_scale = 1.0
        n = len(widths)
        head, short, runs = [0.0] * n, [0.0] * n, [0.0] * n
        hei, body = self.fonts.name("hei"), self.fonts.name(body_role)
        occupied: set[tuple[int, int]] = set()
        headings_only = len(rows) > _FIT_BODY_ROWS  # long lists: headings only (speed)
        for r, tr in enumerate(rows):
            if headings_only and r >= header and all(cell.tag != "th" and cell.get("rowspan") is None for cell in tr):
                continue  # a body row that neither holds a heading nor covers a later row's cells
            c = 0
            for cell in tr:
                while (r, c) in occupied:
                    c += 1
                span, rowspan = int(cell.get("span", "1")), int(cell.get("rowspan", "1"))
                if rowspan > 1:
                    occupied.update((r + dr, c + dc) for dr in range(rowspan) for dc in range(span))
                if span == 1 and c < n:
                    cell_size = _size(cell.get("size"), size)
                    is_head = r < header or cell.tag == "th"
                    if not is_head and headings_only:
                        c += span
                        continue
                    text = _plain(cell)
                    if is_head:
                        head[c] = max(head[c], *(stringWidth(w, hei, cell_size) for w in heading_words(text)), 0)
                    else:
                        found = [stringWidth(run, body, cell_size) for run in _RUNS.findall(text)]
                        runs[c] = max(runs[c], *found, 0)
                        if "\n" not in text and len(text) <= _SHORT_VALUE:
                            short[c] = max(short[c], stringWidth(text, body, cell_size))
                c += span
        total = sum(widths)
        pad = 2 * _PAD + 0.5
        for body_need in (short, runs):
            for scale in (1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7):
                need = [max(h * scale, b) + pad for h, b in zip(head, body_need, strict=True)]
                if sum(need) <= total:
                    self.head_scale = scale
                    return _widen(widths, need)
        self.head_scale = 0.7
        need = [max(h * 0.7, b) + pad for h, b in zip(head, runs, strict=True)]
        return [total * x / sum(need) for x in need]

    def _ncols(self, rows: list[ET.Element]) -> int:
        """Columns of a table, counting spans; rows taken one by one (linear in the rows)."""
        carried: dict[int, int] = {}  # column -> rows still covered by a rowspan from above
        best = 0
        for tr in rows:
            below: dict[int, int] = {c: n - 1 for c, n in carried.items() if n > 1}
            c = 0
            for cell in tr:
                while carried.get(c, 0) > 0:
                    c += 1
                span = int(cell.get("span", "1"))
                rowspan = int(cell.get("rowspan", "1"))
                if rowspan > 1:
                    for dc in range(span):
                        below[c + dc] = rowspan - 1
                c += span
            best = max(best, c, max((k + 1 for k in carried if carried[k] > 0), default=0))
            carried = below
        return best

    def _where(self, r: int, c: int, labels: list[str], header: int) -> str:
        if r < header:
            return f"表头第{c + 1}列"
        label = f"「{labels[c]}」" if c < len(labels) and labels[c] else f"第{c + 1}列"
        return f"表格第{r - header + 1}行{label}"

    def _paged(self, rows, header, widths, aligns, size, leading, body_role, labels) -> Flowable:
        body_font = self.fonts.name(body_role)
        hei = self.fonts.name("hei")
        data: list[list[Any]] = []
        heights: list[float] = []
        min_h = leading + 2 * _PAD
        # A column's plain body texts already checked and found to fit, as written → as printed: a
        # long list repeats its numbers, amounts and categories in every row. (A cell's attributes are
        # asked with keys() and get(): reading .attrib would give each of its elements a dict.)
        settled: list[dict[str, str]] = [{} for _ in widths]
        for r, tr in enumerate(rows):
            cells: list[Any] = []
            height = _length(tr.get("height"), "height") if tr.get("height") else min_h
            for c, cell in enumerate(tr):
                if c >= len(widths):
                    raise TemplateError(f"{self.source}: 表格第{r + 1}行的单元格多于列数")
                if r >= header and not len(cell) and cell.tag == "td" and not cell.keys():
                    text = settled[c].get(cell.text)
                    if text is not None:
                        self.texts.append(text)  # printed: the privacy check reads it
                        cells.append(text)
                        continue
                is_head = r < header or cell.tag == "th"
                role = self._role(cell.get("font"), "hei" if is_head else body_role)
                inner = widths[c] - 2 * _PAD
                plain_cell = len(cell) == 0 and cell.get("align") is None and cell.get("font") is None
                if plain_cell and (r < header or cell.tag != "th"):
                    text = _clean(cell.text)
                    self.check(text, role, partial(self._where, r, c, labels, header))  # named only on a refusal
                    font = hei if role == "hei" else (body_font if role == body_role else self.fonts.name(role))
                    if self.fits(text, font, size, inner):
                        if r >= header and cell.text is not None and not cell.keys():
                            settled[c][cell.text] = text
                        cells.append(text)
                        continue
                align = cell.get("align") or ("center" if is_head else aligns[c])
                scale = self.head_scale if is_head else 1
                if is_head:
                    cell = _heading_lines(cell, inner, self.fonts.name(role), size * scale)
                paragraph = RepeatedParagraph if r < header else Paragraph  # a heading row is drawn on every page
                p = paragraph(self.inline(cell, role, self._where(r, c, labels, header)),
                              self.pstyle(role, size * scale, leading * scale, align))
                height = max(height, p.wrap(inner, 10_000)[1] + 2 * _PAD)
                cells.append(p)
            cells += [""] * (len(widths) - len(cells))
            data.append(cells)
            heights.append(height)
        # Every command is applied to each cell of every page's table: as few as give the same cells
        # (ReportLab's cells already have 3 pt above and below).
        style = [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("FONT", (0, 0), (-1, -1), body_font, size, leading),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
        ]
        if _PAD != 3:
            style += [("TOPPADDING", (0, 0), (-1, -1), _PAD), ("BOTTOMPADDING", (0, 0), (-1, -1), _PAD)]
        body_aligns = [_TABLE_ALIGN.get(a, "CENTER") for a in aligns]
        if len(set(body_aligns)) == 1:
            style.append(("ALIGN", (0, header), (-1, -1), body_aligns[0]))
        else:
            style += [("ALIGN", (c, header), (c, -1), a) for c, a in enumerate(body_aligns)]
        if header:
            style += [("FONTNAME", (0, 0), (-1, header - 1), hei), ("ALIGN", (0, 0), (-1, header - 1), "CENTER"),
                      ("BACKGROUND", (0, 0), (-1, header - 1), colors.HexColor("#eeeeee"))]
        return PagedTable(data[:header], heights[:header], data[header:], heights[header:], widths, style)

    def _grid(self, rows, header, widths, aligns, size, leading, body_role, labels, el) -> Flowable:
        ncols = len(widths)
        grid: list[list[Any]] = [["" for _ in range(ncols)] for _ in rows]
        occupied: set[tuple[int, int]] = set()
        style: list[tuple] = [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            # Empty cells are drawn as strings too; without this they would name Helvetica, unembedded.
            ("FONTNAME", (0, 0), (-1, -1), self.fonts.name(body_role)),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), _PAD),
            ("BOTTOMPADDING", (0, 0), (-1, -1), _PAD),
            ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
        ]
        if el.get("grid") == "no":
            style = style[1:]  # drop the GRID command
        min_heights: list[float] = []
        for r, tr in enumerate(rows):
            min_heights.append(_length(tr.get("height"), "height") if tr.get("height") else 0)
            c = 0
            for cell in tr:
                while (r, c) in occupied:
                    c += 1
                if c >= ncols:
                    raise TemplateError(f"{self.source}: 表格第{r + 1}行的单元格多于列数")
                span, rowspan = int(cell.get("span", "1")), int(cell.get("rowspan", "1"))
                for dr in range(rowspan):
                    for dc in range(span):
                        occupied.add((r + dr, c + dc))
                if span > 1 or rowspan > 1:
                    style.append(("SPAN", (c, r), (c + span - 1, r + rowspan - 1)))
                is_head = r < header or cell.tag == "th"
                role = self._role(cell.get("font"), "hei" if is_head else body_role)
                align = cell.get("align") or ("center" if is_head else aligns[min(c, len(aligns) - 1)])
                cell_size = _size(cell.get("size"), size) * (self.head_scale if is_head else 1)
                if cell.get("valign"):
                    style.append(("VALIGN", (c, r), (c, r), cell.get("valign", "middle").upper()))
                if cell.get("bg"):
                    style.append(("BACKGROUND", (c, r), (c + span - 1, r + rowspan - 1), colors.HexColor(cell.get("bg", ""))))
                if is_head and span == 1:
                    cell = _heading_lines(cell, widths[c] - 2 * _PAD, self.fonts.name(role), cell_size)
                grid[r][c] = Paragraph(self.inline(cell, role, self._where(r, c, labels, header)),
                                       self.pstyle(role, cell_size, cell_size * 1.3, align))
                c += span
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, header - 1), colors.HexColor("#eeeeee")))
        return Table(grid, colWidths=widths, style=TableStyle(style), repeatRows=header, hAlign="CENTER",
                     minRowHeights=min_heights, spaceBefore=_length(el.get("before", "0"), "before"),
                     spaceAfter=_length(el.get("after", "4"), "after"))


def _column_texts(table: ET.Element) -> dict[int, tuple[set[str], set[str]]]:
    """Column → (its headings' texts, its other cells' texts), each text once (a long list repeats
    its counts and amounts); cells spanning columns are left out."""
    columns: dict[int, tuple[set[str], set[str]]] = {}
    for tr in table.iter("tr"):
        for i, cell in enumerate(c for c in tr if c.tag in ("td", "th")):
            if cell.get("span"):
                continue
            heads, values = columns.get(i) or columns.setdefault(i, (set(), set()))
            (heads if cell.tag == "th" else values).add(_plain(cell))
    return columns


def _unwrapped_width(columns: dict[int, tuple[set[str], set[str]]], width: Callable[[str], float]) -> float:
    """The width of a table whose cells do not wrap (headings on two lines), each text measured by
    ``width``."""
    return sum(max(max(map(width, heads), default=0) / 2,  # headings may wrap onto two lines
                   max(map(width, values), default=0)) + 2 * _PAD for heads, values in columns.values())


@functools.lru_cache(maxsize=32)
def _widest(font: str) -> float:
    """The advance of the font's widest glyph per point of size (a hair over, against rounding);
    infinite for a font without a table of glyph widths (its texts are then always measured)."""
    face = getattr(getFont(font), "face", None)
    widths = getattr(face, "charWidths", None)
    if not widths:
        return float("inf")
    return max(max(widths.values()), face.defaultWidth) * 0.001 * (1 + 1e-9)


def _keep_with_previous(flowables: list[Flowable], block: list[Flowable]) -> Flowable:
    """A 落款 never stands alone at the top of a page: it is kept with the paragraph before it (and
    the spacing between), taken off the end of ``flowables``."""
    taken: list[Flowable] = []
    while flowables and isinstance(flowables[-1], Spacer):
        taken.insert(0, flowables.pop())
    if flowables and isinstance(flowables[-1], Paragraph):
        taken.insert(0, flowables.pop())
    return KeepTogether([*taken, *block])


def parse(xml_text: str, source: str) -> ET.Element:
    try:
        return ET.fromstring(xml_text)
    except ET.ParseError as exc:
        line, col = exc.position
        lines = xml_text.splitlines()
        near = lines[line - 1].strip()[:60] if 0 < line <= len(lines) else ""
        raise TemplateError(f"{source}: 生成的打印标记不是有效的 XML（第{line}行第{col}列：{near}）") from None
