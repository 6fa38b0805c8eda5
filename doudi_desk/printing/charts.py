"""Charts in the PDF with ReportLab's own graphics (``reportlab.graphics.charts``): grouped bars
and lines from a :class:`~doudi_desk.domain.charts.ChartSpec`, in the print fonts (every label is
checked against its font like any printed text)."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from ..domain.charts import PALETTE, ChartSpec, nice_max
from .fonts import FontSet

LABEL_SIZE = 8
MAX_LABEL_CHARS = 6


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def chart_drawing(spec: ChartSpec, fonts: FontSet, width: float, height: float) -> Drawing:
    """One chart as a Drawing of ``width`` × ``height`` points: title, plot, axis labels, legend."""
    hei, song = fonts.name("hei"), fonts.name("song")
    where = f"图表「{spec.title}」"
    fonts.check(spec.title + spec.unit, "hei", where)
    for text in (*spec.categories, *(s.name for s in spec.series)):
        fonts.check(text, "song", where)
    drawing = Drawing(width, height)
    drawing.initialFontName, drawing.initialFontSize = song, LABEL_SIZE  # not Helvetica, unembedded
    drawing.add(String(width / 2, height - 14, spec.title, fontName=hei, fontSize=11, textAnchor="middle"))
    legend_h = 16
    left, bottom, top = 42, 34 + legend_h, height - 26
    plot = (VerticalBarChart() if spec.kind == "bar" else HorizontalLineChart())
    plot.x, plot.y = left, bottom
    plot.width, plot.height = width - left - 10, max(top - bottom, 20)
    data = [list(s.values) or [0] for s in spec.series] or [[0]]
    plot.data = data
    top_value, step = nice_max(spec.max_value)
    plot.valueAxis.valueMin, plot.valueAxis.valueMax, plot.valueAxis.valueStep = 0, top_value, step
    plot.valueAxis.labels.fontName, plot.valueAxis.labels.fontSize = song, LABEL_SIZE
    plot.valueAxis.labelTextFormat = _axis_format(top_value)
    plot.valueAxis.visibleGrid = True
    plot.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    plot.categoryAxis.categoryNames = [_short(c) for c in spec.categories] or [""]
    plot.categoryAxis.labels.fontName, plot.categoryAxis.labels.fontSize = song, LABEL_SIZE
    widest = max((stringWidth(_short(c), song, LABEL_SIZE) for c in spec.categories), default=0)
    if spec.categories and widest + 4 > plot.width / len(spec.categories):
        plot.categoryAxis.labels.angle = 30
        plot.categoryAxis.labels.boxAnchor = "ne"
    plot.categoryAxis.labels.dy = -2
    for i, _s in enumerate(spec.series):
        colour = colors.HexColor(PALETTE[i % len(PALETTE)])
        if spec.kind == "bar":
            plot.barLabels.fontName = song
            plot.bars[i].fillColor = colour
            plot.bars[i].strokeColor = None
        else:
            plot.lines[i].strokeColor = colour
            plot.lines[i].strokeWidth = 1.6
    if spec.kind == "bar":
        plot.groupSpacing, plot.barSpacing = 6, 1
    else:
        plot.joinedLines = 1
        plot.lineLabels.fontName = song
        from reportlab.graphics.widgets.markers import makeMarker

        for i, _s in enumerate(spec.series):
            plot.lines[i].symbol = makeMarker("FilledCircle", size=3)
    drawing.add(plot)
    if spec.unit:
        drawing.add(String(4, height - 14, f"单位：{spec.unit}", fontName=song, fontSize=LABEL_SIZE))
    legend = Legend()
    legend.fontName, legend.fontSize = song, LABEL_SIZE
    legend.x, legend.y = left, 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.dx = legend.dy = 8
    legend.deltax = max((stringWidth(s.name, song, LABEL_SIZE) for s in spec.series), default=20) + 24
    legend.colorNamePairs = [(colors.HexColor(PALETTE[i % len(PALETTE)]), s.name) for i, s in enumerate(spec.series)]
    drawing.add(legend)
    if spec.empty:
        drawing.add(String(width / 2, bottom + plot.height / 2, "本期无数据", fontName=song, fontSize=10,
                           textAnchor="middle", fillColor=colors.HexColor("#888888")))
    return drawing


def _axis_format(top: float):
    if top >= 100_000:
        return lambda v: f"{v / 10_000:g}万"
    return lambda v: f"{v:g}"


def chart_grid(specs: Sequence[ChartSpec], fonts: FontSet, frame_width: float, *, per_row: int | None = None,
               height: float = 66 * mm) -> list[Flowable]:
    """Charts as flowables for a page of the given width: three to a row on a landscape page, two on
    a portrait one."""
    per_row = per_row or (3 if frame_width > 200 * mm else 2)
    if not specs:
        return []
    cell_w = frame_width / per_row - 4
    drawings = [chart_drawing(s, fonts, cell_w, height) for s in specs]
    rows = [drawings[i:i + per_row] for i in range(0, len(drawings), per_row)]
    for row in rows:
        row += [""] * (per_row - len(row))
    table = Table(rows, colWidths=[frame_width / per_row] * per_row, rowHeights=[height + 6] * len(rows),
                  style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                    ("FONTNAME", (0, 0), (-1, -1), fonts.name("song"))]))
    return [Spacer(1, 4), table]
