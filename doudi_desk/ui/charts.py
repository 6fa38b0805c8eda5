"""A small chart widget drawn with QPainter: grouped bars or lines from a
:class:`~doudi_desk.domain.charts.ChartSpec` (PySide6-Essentials has no QtCharts), with a title,
a value axis on a 1-2-5 scale, category labels and a legend. ``render_png`` draws one to a file."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..domain.charts import PALETTE, ChartSpec, nice_max


def _axis_text(value: float, top: float) -> str:
    if top >= 100_000:
        return f"{value / 10_000:g}万"
    return f"{value:g}"


def paint_chart(painter: QPainter, rect: QRectF, spec: ChartSpec, font: QFont | None = None) -> None:
    """Draw ``spec`` into ``rect``."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.fillRect(rect, QColor("white"))
    base = QFont(font) if font else QFont(painter.font())
    small = QFont(base)
    small.setPointSizeF(max(base.pointSizeF() * 0.85, 7))
    bold = QFont(base)
    bold.setBold(True)
    fm, sm = QFontMetrics(bold), QFontMetrics(small)
    painter.setFont(bold)
    painter.setPen(QColor("#222222"))
    title_h = fm.height() + 6
    painter.drawText(QRectF(rect.left(), rect.top() + 2, rect.width(), title_h), Qt.AlignmentFlag.AlignCenter,
                     spec.title)
    painter.setFont(small)
    if spec.unit:
        painter.setPen(QColor("#555555"))
        painter.drawText(QRectF(rect.left() + 4, rect.top() + 2, 120, title_h),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"单位：{spec.unit}")
    top_value, step = nice_max(spec.max_value)
    axis_w = max(sm.horizontalAdvance(_axis_text(top_value, top_value)), sm.horizontalAdvance("0")) + 8
    legend_h = sm.height() + 8
    labels_h = sm.height() + 6
    plot = QRectF(rect.left() + axis_w + 4, rect.top() + title_h + 6, rect.width() - axis_w - 14,
                  rect.height() - title_h - labels_h - legend_h - 12)
    if plot.width() < 20 or plot.height() < 20:
        painter.restore()
        return

    def y_of(value: float) -> float:
        return plot.bottom() - plot.height() * (value / top_value if top_value else 0)

    # grid and value axis
    ticks = int(round(top_value / step)) if step else 0
    for k in range(ticks + 1):
        value = k * step
        y = y_of(value)
        painter.setPen(QPen(QColor("#e3e3e3"), 1))
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(QColor("#444444"))
        painter.drawText(QRectF(rect.left(), y - sm.height() / 2, axis_w, sm.height()),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, _axis_text(value, top_value))
    painter.setPen(QPen(QColor("#444444"), 1))
    painter.drawLine(plot.bottomLeft(), plot.bottomRight())
    painter.drawLine(plot.bottomLeft(), plot.topLeft())

    n = len(spec.categories)
    slot = plot.width() / n if n else plot.width()
    # category labels: every one that fits, else every k-th
    widest = max((sm.horizontalAdvance(c) for c in spec.categories), default=0)
    every = max(1, int((widest + 6) // slot) + 1) if slot else 1
    for i, name in enumerate(spec.categories):
        if i % every:
            continue
        x = plot.left() + slot * (i + 0.5)
        text = sm.elidedText(name, Qt.TextElideMode.ElideRight, int(slot * every))
        painter.drawText(QRectF(x - slot * every / 2, plot.bottom() + 3, slot * every, labels_h),
                         Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, text)

    colours = [QColor(PALETTE[i % len(PALETTE)]) for i in range(len(spec.series))]
    if spec.kind == "bar" and n:
        groups = max(len(spec.series), 1)
        bar_w = slot * 0.8 / groups
        for s, series in enumerate(spec.series):
            for i, value in enumerate(series.values):
                x = plot.left() + slot * i + slot * 0.1 + bar_w * s
                y = y_of(value)
                painter.fillRect(QRectF(x, y, max(bar_w - 1, 1), plot.bottom() - y), colours[s])
    elif n:
        for s, series in enumerate(spec.series):
            path = QPainterPath()
            for i, value in enumerate(series.values):
                point = QPointF(plot.left() + slot * (i + 0.5), y_of(value))
                path.moveTo(point) if i == 0 else path.lineTo(point)
            painter.setPen(QPen(colours[s], 2))
            painter.drawPath(path)
            painter.setBrush(colours[s])
            for i, value in enumerate(series.values):
                painter.drawEllipse(QPointF(plot.left() + slot * (i + 0.5), y_of(value)), 2.5, 2.5)
            painter.setBrush(Qt.BrushStyle.NoBrush)
    if spec.empty:
        painter.setPen(QColor("#888888"))
        painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "本期无数据")

    # legend
    x = plot.left()
    y = rect.bottom() - legend_h + 4
    for s, series in enumerate(spec.series):
        painter.fillRect(QRectF(x, y + 2, 10, 10), colours[s])
        painter.setPen(QColor("#222222"))
        width = sm.horizontalAdvance(series.name)
        painter.drawText(QRectF(x + 14, y - 1, width + 4, sm.height() + 2),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, series.name)
        x += width + 32
    painter.restore()


class ChartWidget(QWidget):
    """Shows one chart; ``set_spec(None)`` clears it."""

    def __init__(self, spec: ChartSpec | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        self.setMinimumSize(280, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_spec(self, spec: ChartSpec | None) -> None:
        self.spec = spec
        self.setToolTip(spec.title if spec else "")
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(420, 260)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        if self.spec is None:
            painter.fillRect(self.rect(), QColor("white"))
        else:
            paint_chart(painter, QRectF(self.rect()), self.spec, self.font())
        painter.end()


def render_png(spec: ChartSpec, path: str, width: int = 640, height: int = 380, font: QFont | None = None) -> None:
    """Draw a chart into a PNG file (for looking at, and for tests)."""
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    paint_chart(painter, QRectF(0, 0, width, height), spec, font)
    painter.end()
    image.save(path)
