"""Page geometry after GB/T 9704-2012 (procedures.md §6) and the flowables the markup needs.

Portrait pages: A4, 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm; page numbers "— 1 —" in 4号宋体
7 mm below the text block, odd pages at the right and even pages at the left, one character in.
Landscape pages (wide lists) keep 20 mm side margins and 25 mm top and bottom.

Long tables are :class:`PagedTable`: one ReportLab ``Table`` per page, each with the header rows,
cut only between rows. ReportLab's own splitting re-measures the whole remainder at every page
(super-linear, platform-notes.md); here row heights are measured once and each page takes a slice.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Frame, PageTemplate, Paragraph, Table, TableStyle
from reportlab.platypus.doctemplate import BaseDocTemplate
from reportlab.platypus.tables import LINECOMMANDS

# 号 → points (GB/T 9704 and common Chinese word processors).
SIZES: dict[str, float] = {
    "初号": 42, "小初": 36, "一号": 26, "小一": 24, "二号": 22, "小二": 18, "三号": 16, "小三": 15,
    "四号": 14, "小四": 12, "五号": 10.5, "小五": 9, "六号": 7.5,
}
BODY_SIZE = 16.0  # 3号
BODY_LEADING = 225 * mm / 22  # 22 lines in the 225 mm text block: ≈28.95 pt
PAGE_NUMBER_SIZE = 14.0  # 4号
# Table style commands that are not kept in each cell's style (ReportLab's Table._addCommand).
_NOT_PER_CELL = frozenset({"BACKGROUND", "ROWBACKGROUNDS", "COLBACKGROUNDS", "SPAN", "NOSPLIT", "ROUNDEDCORNERS",
                           *LINECOMMANDS})


@dataclass(frozen=True)
class PageGeometry:
    name: str
    size: tuple[float, float]
    left: float
    top: float
    width: float
    height: float

    @property
    def bottom(self) -> float:
        return self.size[1] - self.top - self.height


PORTRAIT = PageGeometry("portrait", A4, 28 * mm, 37 * mm, 156 * mm, 225 * mm)
_LAND = landscape(A4)
LANDSCAPE = PageGeometry("landscape", _LAND, 20 * mm, 25 * mm, _LAND[0] - 40 * mm, _LAND[1] - 50 * mm)
GEOMETRIES = {g.name: g for g in (PORTRAIT, LANDSCAPE)}


class SectionStart(Flowable):
    """Marks the start of a document inside a PDF: restarts page numbers, sets the page header."""

    def __init__(self, *, restart: bool, header: str = "", label: str = "", running: str = ""):
        super().__init__()
        self.restart = restart
        self.header = header
        self.label = label
        self.running = running
        self.width = self.height = 0

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        doc = self.canv._doctemplate  # type: ignore[attr-defined]
        if self.restart:
            doc.dd_first_page = doc.page
        doc.dd_header = self.header
        doc.dd_running = self.running
        doc.dd_section_page = doc.page
        doc.dd_sections.append((self.label, doc.page))


class DocTemplate(BaseDocTemplate):
    """Portrait and landscape page templates with GB/T 9704 page numbers and an optional header."""

    def __init__(self, buffer, *, fonts, title: str = "", author: str = "",
                 page_number: Callable[[int], str] | None = None):
        # The canvas' initial font would otherwise be Helvetica, a font the PDF names without embedding.
        super().__init__(buffer, pagesize=A4, title=title, author=author, creator="兜底 Desk",
                         leftMargin=0, rightMargin=0, topMargin=0, bottomMargin=0,
                         initialFontName=fonts.name("song"), initialFontSize=12)
        self.dd_fonts = fonts
        self.dd_first_page = 1
        self.dd_header = ""
        self.dd_running = ""  # the document's title and household, on its pages after the first
        self.dd_section_page = 1
        self.dd_sections: list[tuple[str, int]] = []
        self.dd_page_number = page_number or (lambda n: f"— {n} —")
        templates = []
        for g in (PORTRAIT, LANDSCAPE):
            frame = Frame(g.left, g.bottom, g.width, g.height, id=g.name,
                          leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
            templates.append(PageTemplate(id=g.name, frames=[frame], pagesize=g.size,
                                          onPageEnd=self._decorate(g)))
        self.addPageTemplates(templates)

    def _decorate(self, g: PageGeometry) -> Callable[[Any, Any], None]:
        def decorate(canv, doc) -> None:
            number = doc.page - doc.dd_first_page + 1
            text = doc.dd_page_number(number)
            font = doc.dd_fonts.name("song")
            canv.saveState()
            canv.setFont(font, PAGE_NUMBER_SIZE)
            y = g.bottom - 7 * mm - PAGE_NUMBER_SIZE * 0.8
            if number % 2:
                canv.drawRightString(g.left + g.width - PAGE_NUMBER_SIZE, y, text)
            else:
                canv.drawString(g.left + PAGE_NUMBER_SIZE, y, text)
            if doc.dd_header:
                canv.setFont(doc.dd_fonts.name("hei"), 10.5)
                canv.setFillColor(colors.HexColor("#555555"))
                canv.drawRightString(g.left + g.width, g.size[1] - g.top + 6 * mm, doc.dd_header)
            if doc.dd_running and doc.page > doc.dd_section_page:
                canv.setFont(doc.dd_fonts.name("hei"), 10.5)
                canv.setFillColor(colors.HexColor("#333333"))
                canv.drawString(g.left, g.size[1] - g.top + 6 * mm, doc.dd_running)
            canv.restoreState()

        return decorate


class Signoff(Flowable):
    """落款: issuer name centred over the date, date 4 characters from the right, seal area over both.

    GB/T 9704 §7.3.5: the red seal is centred on the name and date, which sit slightly below its
    centre. The printout leaves a dashed circle (Ø 42 mm, a township seal) as the place to stamp;
    a seal is never printed.
    """

    SEAL = 42 * mm

    def __init__(self, name: str, date: str, *, font: str, size: float = BODY_SIZE,
                 leading: float = BODY_LEADING, seal: bool = True, seal_text: str = "",
                 seal_font: str | None = None, right_chars: float = 4):
        super().__init__()
        self.name, self.date, self.font, self.size, self.leading = name, date, font, size, leading
        self.seal, self.seal_text, self.seal_font, self.right_chars = seal, seal_text, seal_font or font, right_chars
        self.spaceBefore = leading * 1.5 if seal else leading

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = aw
        self.height = self.leading * 2
        return aw, self.height

    def draw(self) -> None:
        c = self.canv
        date_w = stringWidth(self.date, self.font, self.size)
        date_right = self.width - self.right_chars * self.size
        centre = date_right - date_w / 2
        name_w = stringWidth(self.name, self.font, self.size)
        if centre + name_w / 2 > self.width:  # a long name: keep it inside the text block
            centre = self.width - name_w / 2
        base_date = self.leading * 0.3
        base_name = base_date + self.leading
        c.setFont(self.font, self.size)
        c.drawCentredString(centre, base_name, self.name)
        c.drawRightString(date_right, base_date, self.date)
        if self.seal:
            cy = base_name + self.size * 0.3 + 4 * mm  # name and date slightly below the centre
            c.saveState()
            c.setStrokeColor(colors.HexColor("#d08080"))
            c.setDash(3, 3)
            c.setLineWidth(0.6)
            c.circle(centre, cy, self.SEAL / 2, stroke=1, fill=0)
            c.setFillColor(colors.HexColor("#c06060"))
            c.setFont(self.seal_font, 9)
            top = cy + self.SEAL / 2
            if self.seal_text:
                c.drawCentredString(centre, top - 8 * mm, self.seal_text)
            c.drawCentredString(centre, top - (12 if self.seal_text else 8) * mm, "（盖章）")
            c.restoreState()


class Rule(Flowable):
    """A horizontal line across the text block (版记 rules, section separators)."""

    def __init__(self, thickness: float = 0.5, space: float = 4):
        super().__init__()
        self.thickness = thickness
        self.spaceBefore = self.spaceAfter = space

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = aw
        return aw, self.thickness

    def draw(self) -> None:
        self.canv.setLineWidth(self.thickness)
        self.canv.line(0, self.thickness / 2, self.width, self.thickness / 2)


class RepeatedParagraph(Paragraph):
    """A paragraph drawn at one width again and again (a heading of a long table, on every page):
    broken into lines the first time it is given a width, not again for the same width."""

    _wrapped: tuple[float, tuple[float, float]] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._wrapped is not None and self._wrapped[0] == availWidth:
            return self._wrapped[1]
        size = super().wrap(availWidth, availHeight)
        self._wrapped = (availWidth, size)
        return size


class PagedTable(Flowable):
    """A long table cut into one ``Table`` per page, header rows on each, never inside a row.

    ``rows`` are lists of cell values (strings or flowables) and ``heights`` their measured heights,
    so a page's slice is found with one bisection over prefix sums. ``style``'s commands address
    the header rows and the body as a whole (never one body row), so every body row has the same
    cell styles: they are worked out once, not once per cell of every page's table.
    """

    def __init__(self, header: list[list[Any]], header_heights: Sequence[float], rows: list[list[Any]],
                 heights: Sequence[float], col_widths: Sequence[float], style: list[tuple], *,
                 start: int = 0, prefix: list[float] | None = None):
        super().__init__()
        self.header, self.header_heights = header, list(header_heights)
        self.rows, self.heights = rows, heights
        self.col_widths, self.style = list(col_widths), style
        self.start = start
        self.hAlign = "CENTER"
        if prefix is None:
            prefix = [0.0]
            for h in heights:
                prefix.append(prefix[-1] + h)
        self.prefix = prefix
        self.header_h = sum(self.header_heights)
        self.width = sum(self.col_widths)
        self._cell_styles: tuple[list[list[Any]], list[Any]] | None = None

    def _height(self) -> float:
        return self.header_h + self.prefix[-1] - self.prefix[self.start]

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.height = self._height()
        return self.width, self.height

    def _table(self, start: int, end: int) -> Table:
        if self._cell_styles is None:  # the header rows' cell styles and a body row's, from the style
            sample = Table(self.header + self.rows[:1], colWidths=self.col_widths, style=TableStyle(self.style))
            self._cell_styles = sample._cellStyles[:len(self.header)], sample._cellStyles[len(self.header):][:1]
        header, body = self._cell_styles
        table = Table(self.header + self.rows[start:end], colWidths=self.col_widths,
                      rowHeights=self.header_heights + list(self.heights[start:end]),
                      cellStyles=header + body * (end - start) if body else None,
                      repeatRows=len(self.header), hAlign="CENTER")
        # with the cells' styles given, the rest: the grid and the backgrounds
        table.setStyle(TableStyle(self.style if not body else
                                  [cmd for cmd in self.style if cmd[0] in _NOT_PER_CELL]))
        return table

    def split(self, aw: float, ah: float) -> list[Flowable]:
        room = ah - self.header_h
        if room <= 0:
            return []
        end = bisect_right(self.prefix, self.prefix[self.start] + room + 0.01) - 1
        end = min(end, len(self.rows))
        if end <= self.start:
            return []
        if end >= len(self.rows):
            return [self._table(self.start, len(self.rows))]
        rest = PagedTable(self.header, self.header_heights, self.rows, self.heights, self.col_widths, self.style,
                          start=end, prefix=self.prefix)
        return [self._table(self.start, end), rest]

    def draw(self) -> None:
        t = self._table(self.start, len(self.rows))
        t.wrapOn(self.canv, self.width, self.height)
        t.drawOn(self.canv, 0, 0)
