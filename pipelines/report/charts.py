"""The report's charts, written as inline SVG on the server, so the HTML needs no script, font or network
to show them.

Accessibility: every series has its own marker, line style or hatch as well as its colour
(Okabe-Ito palette, readable with colour-vision deficiencies), values are written on the chart
where they fit, and a hidden value (a group too small to publish) is drawn as a hatched, labelled
cell or bar, never as zero. Text stays text in the SVG (searchable, scalable, screen-readable).

The charts are simple (a grid of cells, bars, lines, boxes), so they are drawn here directly, in
points on a page 7.2 inches wide, rather than through a plotting library: matplotlib's layout engine
cost a report about two CPU seconds, most of it measuring text to place axes. The margins come
from the labels' widths in DejaVu Sans (the first font the charts ask for), and axis ticks fall on
round steps as before. Tick labels sit in groups with the ids `xtick_N` / `ytick_N`, so a reader
(or a test) can tell the axis' round numbers from the values written on the chart.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

# Okabe-Ito: distinguishable with the common colour-vision deficiencies
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
LINESTYLES = ["-", "--", "-.", ":", (5, 1), (3, 1, 1, 1, 1, 1), "-", "--"]
HATCHES = ["", "///", "\\\\\\", "xx", "||", "++", "--", "//"]
HIDDEN_HATCH = "////"
HIDDEN_COLOUR = "#9e9e9e"
WIDTH_IN = 7.2  # fits an A4 page's text width
WIDTH = WIDTH_IN * 72  # the drawing's unit is the point
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
FONT_SIZE = 9
RIGHT = 18  # room right of a value axis for half its last tick label ("100 %")
# viridis in 16 steps of 0.25 on the 1-5 scale (matplotlib's colormaps["viridis"].resampled(16))
VIRIDIS_16 = [
    "#440154", "#481a6c", "#472f7d", "#414487", "#39568c", "#31688e", "#2a788e", "#23888e",
    "#1f988b", "#22a884", "#35b779", "#54c568", "#7ad151", "#a5db36", "#d2e21b", "#fde725",
]  # fmt: skip
# advance widths in DejaVu Sans, in ems: enough to size margins (the reader's font may differ a little)
_WIDTHS = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;-()/%+−–æøåÆØÅ_",
        [0.62, 0.63, 0.56, 0.64, 0.62, 0.35, 0.64, 0.63, 0.28, 0.28, 0.58, 0.28, 0.97, 0.63, 0.61, 0.63, 0.64]
        + [0.42, 0.52, 0.39, 0.63, 0.59, 0.82, 0.59, 0.59, 0.52, 0.68, 0.69, 0.7, 0.77, 0.63, 0.58, 0.78, 0.75]
        + [0.29, 0.29, 0.65, 0.56, 0.86, 0.75, 0.79, 0.6, 0.79, 0.7, 0.64, 0.62, 0.73, 0.68, 0.99, 0.69, 0.61]
        + [0.68]
        + [0.64] * 10
        + [0.32, 0.32, 0.32, 0.34, 0.34, 0.36, 0.39, 0.39, 0.34, 0.96, 0.85, 0.84, 0.5]
        + [0.98, 0.61, 0.62, 0.97, 0.79, 0.69, 0.5],
        strict=True,
    )
)
# dash patterns in multiples of the line width, as matplotlib draws "--", "-." and ":"
_DASHES = {"-": None, "--": (3.7, 1.6), "-.": (6.4, 1.6, 1.0, 1.6), ":": (1.0, 1.65)}
_CHART_ID = "\x00"  # stands for the chart's id in pattern ids until the chart is rendered

Number = float | None


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def text_width(text: str, size: float = FONT_SIZE) -> float:
    return size * sum(_WIDTHS.get(ch, 0.62 if ch.islower() else 0.72) for ch in text)


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def nice_ticks(low: float, high: float, bins: int = 8) -> list[float]:
    """Ticks at round steps (1, 2 or 5 times a power of ten) within [low, high], at most `bins` intervals, so two
    decimals show them exactly (not 0.025 printed as 0,03)."""
    if not high > low:
        return [low]
    raw = (high - low) / bins
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    first = math.ceil(low / step - 1e-9)
    ticks = []
    while (first + len(ticks)) * step <= high + step * 1e-9:
        ticks.append(round((first + len(ticks)) * step, 12) + 0.0)
    return ticks


def _padded(values: Sequence[float], fixed: tuple[float, float] | None = None) -> tuple[float, float]:
    """The axis range: `fixed`, or the values with 5 % to spare on each side (as matplotlib autoscales)."""
    if fixed:
        return fixed
    if not values:
        return (0.0, 1.0)
    low, high = min(values), max(values)
    if high == low:
        return (low - 0.5, high + 0.5) if low == 0 else (low - abs(low) * 0.05, high + abs(high) * 0.05)
    spare = (high - low) * 0.05
    return (low - spare, high + spare)


@dataclass
class Frame:
    """An axes: a rectangle on the page (points, y down) and the data range it shows (y up)."""

    left: float
    top: float
    width: float
    height: float
    x_range: tuple[float, float]
    y_range: tuple[float, float]

    def x(self, value: float) -> float:
        low, high = self.x_range
        return self.left + (value - low) / ((high - low) or 1.0) * self.width

    def y(self, value: float) -> float:
        low, high = self.y_range
        return self.top + (1 - (value - low) / ((high - low) or 1.0)) * self.height

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def right(self) -> float:
        return self.left + self.width


class Chart:
    """SVG elements being drawn, and the hatch patterns they use; `render` makes the <svg>."""

    def __init__(self, height_in: float):
        self.width = WIDTH
        self.height = height_in * 72
        self.parts: list[str] = []
        self.patterns: dict[tuple[str, str, str], str] = {}
        self.ticks = 0

    # ------------------------------------------------------------------ shapes

    def fill(self, colour: str, hatch: str = "", hatch_colour: str = "#333333") -> str:
        """A fill attribute's value: the colour, or a pattern of the hatch's lines over it."""
        if not hatch:
            return colour
        key = (hatch, colour, hatch_colour)
        if key not in self.patterns:
            self.patterns[key] = f"{_CHART_ID}-p{len(self.patterns) + 1}"
        return f"url(#{self.patterns[key]})"

    def rect(self, x, y, w, h, colour, hatch="", edge=None, lw=0.0) -> None:
        if w < 0:
            x, w = x + w, -w
        if h < 0:
            y, h = y + h, -h
        stroke = f' stroke="{edge}" stroke-width="{_n(lw)}"' if edge and lw else ""
        fill = self.fill(colour, hatch, edge or "#333333")
        self.parts.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="{fill}"{stroke}/>')

    def line(self, points: Sequence[tuple[float, float]], colour, lw=1.0, style="-") -> None:
        if len(points) < 2:
            return
        dash = _DASHES.get(style, style) if isinstance(style, str) else style
        dashes = f' stroke-dasharray="{",".join(_n(d * lw) for d in dash)}"' if dash else ""
        path = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
        self.parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="{_n(lw)}"{dashes}'
            ' stroke-linejoin="round" stroke-linecap="butt"/>'
        )

    def marker(self, kind: str, x: float, y: float, size: float, colour: str) -> None:
        r = size / 2
        if kind == "o":
            self.parts.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{colour}"/>')
            return
        shapes = {
            "s": [(-1, -1), (1, -1), (1, 1), (-1, 1)],
            "^": [(0, -1), (1, 1), (-1, 1)],
            "v": [(0, 1), (1, -1), (-1, -1)],
            "D": [(0, -1.4), (1.4, 0), (0, 1.4), (-1.4, 0)],
            "P": [(-0.35, -1), (0.35, -1), (0.35, -0.35), (1, -0.35), (1, 0.35), (0.35, 0.35), (0.35, 1)]
            + [(-0.35, 1), (-0.35, 0.35), (-1, 0.35), (-1, -0.35), (-0.35, -0.35)],
            "X": [(-1, -0.6), (-0.6, -1), (0, -0.4), (0.6, -1), (1, -0.6), (0.4, 0), (1, 0.6), (0.6, 1)]
            + [(0, 0.4), (-0.6, 1), (-1, 0.6), (-0.4, 0)],
            "*": [
                (math.cos(math.pi / 2 + k * math.pi / 5) * (1.2 if k % 2 == 0 else 0.5),
                 -math.sin(math.pi / 2 + k * math.pi / 5) * (1.2 if k % 2 == 0 else 0.5))
                for k in range(10)
            ],
        }  # fmt: skip
        scale = r * (0.85 if kind in ("s", "P", "X") else 1.0)
        points = " ".join(f"{_n(x + dx * scale)},{_n(y + dy * scale)}" for dx, dy in shapes[kind])
        self.parts.append(f'<polygon points="{points}" fill="{colour}"/>')

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float = FONT_SIZE,
        anchor: str = "start",
        valign: str = "center",
        colour: str = "#000000",
        rotate: float = 0.0,
        box: str | None = None,
        pad: float = 0.5,
    ) -> None:
        """Text at (x, y): anchored start/middle/end, its middle, top, bottom or baseline at y; `box` a colour
        drawn behind it (it keeps a value readable over lines and hatching)."""
        baseline = y + {"center": 0.36, "top": 0.76, "bottom": -0.24, "baseline": 0.0}[valign] * size
        if box and not rotate:
            width = text_width(text, size)
            start = x - {"start": 0, "middle": width / 2, "end": width}[anchor]
            self.rect(start - pad, baseline - 0.76 * size - pad, width + 2 * pad, size + 2 * pad, box)
        turn = f' transform="rotate({_n(-rotate)} {_n(x)} {_n(y)})"' if rotate else ""
        anchor_attribute = f' text-anchor="{anchor}"' if anchor != "start" else ""
        colour_attribute = f' fill="{colour}"' if colour != "#000000" else ""
        self.parts.append(
            f'<text x="{_n(x)}" y="{_n(baseline)}" font-size="{_n(size)}"{anchor_attribute}{colour_attribute}{turn}>'
            f"{escape(text, quote=False)}</text>"
        )

    # ------------------------------------------------------------------ axes

    def tick_label(self, axis: str, *args, **kwargs) -> None:
        """A tick label in its own group (`xtick_N` / `ytick_N`), as matplotlib wrote them."""
        self.ticks += 1
        self.parts.append(f'<g id="{axis}tick_{self.ticks}">')
        self.text(*args, **kwargs)
        self.parts.append("</g>")

    def spines(self, frame: Frame, left: bool = True, bottom: bool = True) -> None:
        if left:
            self.line([(frame.left, frame.top), (frame.left, frame.bottom)], "#000000", 0.8)
        if bottom:
            self.line([(frame.left, frame.bottom), (frame.right, frame.bottom)], "#000000", 0.8)

    def value_axis_x(self, frame: Frame, fmt, label: str = "", grid: str | None = None, size: float = FONT_SIZE):
        for tick in nice_ticks(*frame.x_range):
            x = frame.x(tick)
            if grid:
                self.line([(x, frame.top), (x, frame.bottom)], grid, 0.6)
            self.line([(x, frame.bottom), (x, frame.bottom + 3.5)], "#000000", 0.8)
            self.tick_label("x", x, frame.bottom + 5, fmt(tick), size=size, anchor="middle", valign="top")
        if label:
            self.text(frame.left + frame.width / 2, frame.bottom + 7 + size * 1.2, label, anchor="middle", valign="top")

    def value_axis_y(self, frame: Frame, fmt, label: str = "", grid: str | None = None, size: float = FONT_SIZE):
        widest = 0.0
        for tick in nice_ticks(*frame.y_range):
            y = frame.y(tick)
            if grid:
                self.line([(frame.left, y), (frame.right, y)], grid, 0.6)
            self.line([(frame.left - 3.5, y), (frame.left, y)], "#000000", 0.8)
            self.tick_label("y", frame.left - 5, y, fmt(tick), size=size, anchor="end")
            widest = max(widest, text_width(fmt(tick), size))
        if label:
            x = frame.left - 8 - widest - size * 0.4
            self.text(x, frame.top + frame.height / 2, label, size=size, anchor="middle", rotate=90, valign="bottom")

    def category_axis_y(self, frame: Frame, positions, labels, size: float = FONT_SIZE, tick: bool = True) -> None:
        for y, label in zip(positions, labels, strict=False):
            if tick:
                self.line([(frame.left - 3.5, frame.y(y)), (frame.left, frame.y(y))], "#000000", 0.8)
            self.tick_label("y", frame.left - 5, frame.y(y), str(label), size=size, anchor="end")

    def category_axis_x(self, frame: Frame, positions, labels, rotate: float = 0.0, size: float = FONT_SIZE) -> None:
        for x, label in zip(positions, labels, strict=False):
            self.line([(frame.x(x), frame.bottom), (frame.x(x), frame.bottom + 3.5)], "#000000", 0.8)
            if rotate:
                self.tick_label(
                    "x", frame.x(x), frame.bottom + 5, str(label), size=size, anchor="end", valign="top", rotate=rotate
                )
            else:
                self.tick_label("x", frame.x(x), frame.bottom + 5, str(label), size=size, anchor="middle", valign="top")

    # ------------------------------------------------------------------ legends

    def swatch(self, x: float, y: float, item: dict) -> None:
        """A legend key 20 points wide centred on y: a (hatched) box, a line with its marker, or a marker alone."""
        if "line" in item:
            self.line([(x, y), (x + 20, y)], item["colour"], item.get("lw", 1.6), item["line"])
        elif not item.get("marker"):
            self.rect(x + 2, y - 4, 16, 8, item["colour"], item.get("hatch", ""), item.get("edge"), item.get("lw", 0))
        if item.get("marker"):
            self.marker(item["marker"], x + 10, y, item.get("ms", 5), item["colour"])

    def legend_right(self, frame: Frame, items: list[dict]) -> None:
        for index, item in enumerate(items):
            y = frame.top + 8 + index * FONT_SIZE * 1.5
            self.swatch(frame.right + 8, y, item)
            self.text(frame.right + 32, y, item["name"])

    def legend_above(self, centre: float, top: float, items: list[dict], columns: int) -> float:
        """Rows of `columns` keys centred on `centre` from `top` down; returns the height used."""
        rows = [items[i : i + columns] for i in range(0, len(items), columns)]
        for number, row in enumerate(rows):
            widths = [30 + text_width(item["name"]) for item in row]
            x = centre - (sum(widths) + 10 * (len(row) - 1)) / 2
            y = top + 7 + number * FONT_SIZE * 1.5
            for item, width in zip(row, widths, strict=False):
                self.swatch(x, y, item)
                self.text(x + 24, y, item["name"])
                x += width + 10
        return len(rows) * FONT_SIZE * 1.5 + 4

    # ------------------------------------------------------------------ output

    def svg(self, label: str, chart_id: str) -> str:
        patterns = "".join(_pattern(name, *key) for key, name in self.patterns.items())
        body = "".join(self.parts)
        return (
            f'<svg role="img" aria-label="{escape(label)}" data-chart="{escape(chart_id)}" class="chart" '
            f'xmlns="http://www.w3.org/2000/svg" width="{_n(self.width)}pt" height="{_n(self.height)}pt" '
            f'viewBox="0 0 {_n(self.width)} {_n(self.height)}" version="1.1">'
            f"<defs>{patterns}</defs>"
            f'<g font-family="{FONT}" font-size="{FONT_SIZE}">{body}</g></svg>'
        ).replace(_CHART_ID, escape(chart_id))


def _pattern(name: str, hatch: str, colour: str, hatch_colour: str) -> str:
    """A hatch as an SVG pattern: its lines in `hatch_colour` over `colour`; more strokes, denser lines."""
    size = {1: 9.0, 2: 7.0, 3: 5.5}.get(len(hatch), 4.0)
    s = _n(size)
    kinds = {
        "/": f"M0,{s} L{s},0 M-1,1 L1,-1 M{_n(size - 1)},{_n(size + 1)} L{_n(size + 1)},{_n(size - 1)}",
        "\\": f"M0,0 L{s},{s} M-1,{_n(size - 1)} L1,{_n(size + 1)} M{_n(size - 1)},-1 L{_n(size + 1)},1",
        "|": f"M{_n(size / 2)},0 L{_n(size / 2)},{s}",
        "-": f"M0,{_n(size / 2)} L{s},{_n(size / 2)}",
    }
    kinds["x"] = kinds["/"] + " " + kinds["\\"]
    kinds["+"] = kinds["|"] + " " + kinds["-"]
    return (
        f'<pattern id="{name}" patternUnits="userSpaceOnUse" width="{s}" height="{s}">'
        f'<rect width="{s}" height="{s}" fill="{colour}"/>'
        f'<path d="{kinds[hatch[0]]}" stroke="{hatch_colour}" stroke-width="0.8"/></pattern>'
    )


def render(chart: Chart, label: str, chart_id: str) -> str:
    """The chart as an inline <svg> element with an accessible name; `chart_id` keeps its pattern ids apart from
    the other charts' on the page."""
    return chart.svg(label, chart_id)


def _widest(labels, size: float = FONT_SIZE) -> float:
    return max([text_width(str(label), size) for label in labels] + [0.0])


def _fitted(text: str, width: float, size: float) -> str:
    """The text, shortened with an ellipsis where it would be wider than `width` (a panel's title)."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _left_margin(labels, size: float = FONT_SIZE) -> float:
    """Room for category labels left of the axes, at most 60 % of the width."""
    return min(WIDTH * 0.6, _widest(labels, size) + 12)


# ---------------------------------------------------------------------------------------------- the charts


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[Number]],
    hidden_label: str,
    fmt: Callable[[float], str],
    vmin: float = 1.0,
    vmax: float = 5.0,
    colorbar_label: str = "",
) -> Chart:
    """Rows × columns of cells coloured on a 16-step viridis scale with the value written in each; a hidden cell
    is white, hatched and labelled; a colour bar on the right."""
    chart = Chart(max(1.6, 0.36 * len(rows) + 1.2))
    angle = 20.0
    bottom = max([text_width(str(c)) * math.sin(math.radians(angle)) for c in columns] + [0.0]) + FONT_SIZE + 8
    bar_ticks = nice_ticks(vmin, vmax)
    right = 10 + 12 + 6 + _widest([fmt(t) for t in bar_ticks]) + 8 + FONT_SIZE + 6
    left = _left_margin(rows)
    frame = Frame(left, 6, WIDTH - left - right, chart.height - 6 - bottom, (0, len(columns)), (len(rows), 0))
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            x, y = frame.x(j), frame.y(i)
            width, height = frame.x(j + 1) - x, frame.y(i + 1) - y
            centre = (x + width / 2, y + height / 2)
            if _missing(value):
                chart.rect(x + 0.5, y + 0.5, width - 1, height - 1, "white", HIDDEN_HATCH, HIDDEN_COLOUR, 0.5)
                chart.text(*centre, hidden_label, size=8, anchor="middle", colour="#333333", box="white", pad=1)
            else:
                shade = min(1.0, max(0.0, (float(value) - vmin) / (vmax - vmin)))
                chart.rect(x, y, width, height, VIRIDIS_16[min(15, int(shade * 16))], edge="white", lw=1.0)
                text_colour = "#000000" if shade > 0.55 else "white"
                chart.text(*centre, fmt(float(value)), size=8, anchor="middle", colour=text_colour)
    for j, column in enumerate(columns):
        x = (frame.x(j) + frame.x(j + 1)) / 2
        chart.tick_label("x", x, frame.bottom + 4, str(column), anchor="end", valign="top", rotate=angle)
    for i, row in enumerate(rows):
        chart.tick_label("y", frame.left - 4, (frame.y(i) + frame.y(i + 1)) / 2, str(row), anchor="end")
    bar = Frame(frame.right + 10, frame.top, 12, frame.height, (0, 1), (vmin, vmax))
    for step in range(16):
        low, high = vmin + (vmax - vmin) * step / 16, vmin + (vmax - vmin) * (step + 1) / 16
        chart.rect(bar.left, bar.y(high), bar.width, bar.y(low) - bar.y(high), VIRIDIS_16[step])
    chart.parts.append(
        f'<rect x="{_n(bar.left)}" y="{_n(bar.top)}" width="{_n(bar.width)}" height="{_n(bar.height)}" '
        'fill="none" stroke="#000000" stroke-width="0.8"/>'
    )
    for tick in bar_ticks:
        chart.line([(bar.right, bar.y(tick)), (bar.right + 3.5, bar.y(tick))], "#000000", 0.8)
        chart.tick_label("y", bar.right + 5, bar.y(tick), fmt(tick))
    if colorbar_label:
        x = bar.right + 8 + _widest([fmt(t) for t in bar_ticks]) + FONT_SIZE * 0.8
        chart.text(x, bar.top + bar.height / 2, colorbar_label, anchor="middle", rotate=90, valign="center")
    return chart


def lines(
    x_labels: Sequence[str],
    series: dict[str, Sequence[Number]],
    y_label: str,
    fmt: Callable[[float], str],
    y_limits: tuple[float, float] | None = None,
    height_in: float = 3.2,
) -> Chart:
    """One line per series over the same x, each with its own marker and dash, named in a legend on the right."""
    chart = Chart(height_in)
    count = len(x_labels)
    rotate = 30.0 if count > 8 else 0.0
    known = [float(v) for values in series.values() for v in values if not _missing(v)]
    y_range = _padded(known, y_limits)
    legend = 32 + _widest(series.keys()) + 6
    tick_width = _widest([fmt(t) for t in nice_ticks(*y_range)])
    left = tick_width + 8 + FONT_SIZE * 1.6
    bottom = (_widest(x_labels) * 0.5 + FONT_SIZE if rotate else FONT_SIZE) + 12
    pad = 0.05 * (count - 1) if count > 1 else 0.5
    frame = Frame(left, 8, WIDTH - left - legend - 8, chart.height - 8 - bottom, (-pad, count - 1 + pad), y_range)
    chart.value_axis_y(frame, fmt, y_label, grid="#dddddd")
    chart.spines(frame)
    items = []
    for index, (name, values) in enumerate(series.items()):
        style = {"colour": PALETTE[index % 8], "marker": MARKERS[index % 8], "line": LINESTYLES[index % 8], "ms": 5}
        items.append({"name": name, **style})
        points = [(frame.x(x), frame.y(float(v))) for x, v in enumerate(values) if not _missing(v)]
        chart.line(points, style["colour"], 1.6, style["line"])
        for point in points:
            chart.marker(style["marker"], *point, 5, style["colour"])
    chart.category_axis_x(frame, range(count), x_labels, rotate=rotate)
    chart.legend_right(frame, items)
    return chart


def _series_line(chart: Chart, frame: Frame, values: Sequence[Number], colour, style, lw, marker=None, ms=5.0):
    """A line through the known values, broken where a value is missing (as matplotlib draws NaN)."""
    run: list[tuple[float, float]] = []
    for x, value in enumerate([*values, None]):
        if _missing(value):
            chart.line(run, colour, lw, style)
            run = []
            continue
        point = (frame.x(x), frame.y(float(value)))
        run.append(point)
        if marker:
            chart.marker(marker, *point, ms, colour)


def bars(
    labels: Sequence[str],
    values: Sequence[Number],
    value_label: str,
    fmt: Callable[[float], str],
    hidden_label: str,
    reference: float | None = None,
    reference_label: str = "",
    limits: tuple[float, float] | None = None,
    signed: bool = False,
) -> Chart:
    """Horizontal bars with their values written beside them; a hidden value is a hatched, labelled stub."""
    chart = Chart(max(1.5, 0.3 * len(labels) + 0.9))
    known = [float(v) for v in values if not _missing(v)]
    span = max([abs(v) for v in known] + [reference or 0.0]) or 1.0  # nothing but zeros: a unit axis
    if limits:
        span = max(span, limits[1])
    if signed:
        low, high = min(known + [0.0]), max(known + [0.0])
        x_range = (low - span * 0.3 if low < 0 else -span * 0.05, high + span * 0.3 if high > 0 else span * 0.05)
    elif limits:
        x_range = (limits[0], limits[1] * 1.12)
    else:
        x_range = (0.0, span * 1.18)
    left = _left_margin(labels)
    top = 6 + (FONT_SIZE + 4 if reference is not None else 0)
    bottom = 2 * FONT_SIZE + 20
    frame = Frame(left, top, WIDTH - left - RIGHT, chart.height - top - bottom, x_range, (-0.6, len(labels) - 0.4))
    chart.value_axis_x(frame, fmt, value_label, grid="#eeeeee")
    positions = list(range(len(labels)))[::-1]
    written = []  # the values, written after the reference line so that it never crosses them
    for y, value in zip(positions, values, strict=False):
        top_edge, height = frame.y(y + 0.4), frame.y(y - 0.4) - frame.y(y + 0.4)
        if _missing(value):
            width = frame.x(span * 0.18) - frame.x(0)
            chart.rect(frame.x(0), top_edge, width, height, "white", HIDDEN_HATCH, HIDDEN_COLOUR, 0.6)
            chart.text(frame.x(span * 0.2), frame.y(y), hidden_label, size=8, colour="#333333")
            continue
        value = float(value)
        negative = signed and value < 0
        colour, hatch = (PALETTE[5], "xx") if negative else (PALETTE[0], "")
        chart.rect(
            frame.x(0), top_edge, frame.x(value) - frame.x(0), height, colour, hatch, "#333333" if hatch else None
        )
        beside = frame.x(value + (span * 0.01 if value >= 0 else -span * 0.01))
        anchor = "start" if value >= 0 else "end"
        written.append((beside, frame.y(y), fmt(value), anchor))
    if reference is not None:
        x = frame.x(reference)
        chart.line([(x, frame.top), (x, frame.bottom)], "#333333", 1.0, "--")
        chart.text(x, frame.top - 2, f" {reference_label}", size=8, valign="bottom")
    if signed:
        chart.line([(frame.x(0), frame.top), (frame.x(0), frame.bottom)], "#333333", 0.8)
    for x, y, text, anchor in written:
        chart.text(x, y, text, size=8, anchor=anchor, box="white")
    chart.category_axis_y(frame, positions, labels)
    chart.spines(frame)
    return chart


def grouped_bars(
    labels: Sequence[str],
    series: dict[str, Sequence[Number]],
    value_label: str,
    fmt: Callable[[float], str],
    hidden_label: str,
    limits: tuple[float, float] | None = None,
) -> Chart:
    """Horizontal bars in groups: each series its own colour *and* hatch, values written beside them."""
    count = max(1, len(series))
    chart = Chart(max(1.8, 0.22 * len(labels) * count + 1.1))
    height = 0.8 / count
    known = [float(v) for values in series.values() for v in values if not _missing(v)]
    span = (max(known + [0.0]) or 1.0) if not limits else limits[1]
    left = _left_margin(labels)
    legend = 32 + _widest(series.keys()) + 6
    bottom = 2 * FONT_SIZE + 20
    x_range = (limits[0] if limits else 0.0, span * 1.15)
    frame = Frame(left, 6, WIDTH - left - legend - 8, chart.height - 6 - bottom, x_range, (-0.6, len(labels) - 0.4))
    chart.value_axis_x(frame, fmt, value_label, grid="#eeeeee")
    base = list(range(len(labels)))[::-1]
    items = []
    for index, (name, values) in enumerate(series.items()):
        offset = (count - 1) / 2 * height - index * height
        colour, hatch = PALETTE[index % 8], HATCHES[index % 8]
        items.append({"name": name, "colour": colour, "hatch": hatch, "edge": "#333333", "lw": 0.3})
        for y, value in zip(base, values, strict=False):
            centre = y + offset
            top_edge = frame.y(centre + height * 0.45)
            bar_height = frame.y(centre - height * 0.45) - top_edge
            if _missing(value):
                width = frame.x(span * 0.12) - frame.x(0)
                chart.rect(frame.x(0), top_edge, width, bar_height, "white", HIDDEN_HATCH, HIDDEN_COLOUR, 0.6)
                chart.text(frame.x(span * 0.13), frame.y(centre), hidden_label, size=7, colour="#333333")
            else:
                width = frame.x(float(value)) - frame.x(0)
                chart.rect(frame.x(0), top_edge, width, bar_height, colour, hatch, "#333333", 0.3)
                chart.text(frame.x(float(value) + span * 0.01), frame.y(centre), fmt(float(value)), size=7)
    chart.category_axis_y(frame, base, labels)
    chart.spines(frame)
    chart.legend_right(frame, items)
    return chart


def stacked_shares(
    labels: Sequence[str],
    parts: dict[str, Sequence[Number]],
    hidden_label: str,
    fmt: Callable[[float], str],
) -> Chart:
    """Horizontal 100 % bars of shares (e.g. basic / intermediate / advanced), each part hatched differently."""
    chart = Chart(max(1.6, 0.32 * len(labels) + 1.0))
    colours = [PALETTE[5], "#d9d9d9", PALETTE[0]]
    hatches = ["///", "", "\\\\\\"]
    items = [
        {"name": name, "colour": colours[i % 3], "hatch": hatches[i % 3], "edge": "#333333", "lw": 0.3}
        for i, name in enumerate(parts)
    ]
    left = _left_margin(labels)
    legend_height = FONT_SIZE * 1.5 + 6
    bottom = FONT_SIZE + 14
    frame = Frame(
        left,
        legend_height,
        WIDTH - left - RIGHT,
        chart.height - legend_height - bottom,
        (0, 1),
        (-0.6, len(labels) - 0.4),
    )
    chart.legend_above(frame.left + frame.width / 2, 0, items, max(1, len(parts)))
    positions = list(range(len(labels)))[::-1]
    for row, y in enumerate(positions):
        top_edge, height = frame.y(y + 0.4), frame.y(y - 0.4) - frame.y(y + 0.4)
        shares = [parts[name][row] for name in parts]
        if any(_missing(share) for share in shares):
            chart.rect(frame.left, top_edge, frame.width, height, "white", HIDDEN_HATCH, HIDDEN_COLOUR, 0.6)
            chart.text(frame.x(0.5), frame.y(y), hidden_label, size=8, anchor="middle", colour="#333333", box="white")
            continue
        start = 0.0
        for index, share in enumerate(shares):
            share = float(share)
            colour = colours[index % 3]
            width = frame.x(start + share) - frame.x(start)
            chart.rect(frame.x(start), top_edge, width, height, colour, hatches[index % 3], "#333333", 0.3)
            if share >= 0.07:
                text_colour = "white" if index != 1 else "#000000"
                centre = frame.x(start + share / 2)
                chart.text(centre, frame.y(y), fmt(share), size=8, anchor="middle", colour=text_colour, box=colour)
            start += share
    chart.value_axis_x(frame, fmt)
    chart.category_axis_y(frame, positions, labels)
    chart.spines(frame)
    return chart


def bars_and_line(
    x_labels: Sequence[str],
    bar_values: Sequence[Number],
    bar_label: str,
    line_values: Sequence[Number],
    line_label: str,
    fmt: Callable[[float], str],
    hidden_label: str,
) -> Chart:
    """Monthly counts: one series as bars, the other as a line with markers, on the same axis; a hidden month is
    a hatched, labelled stub (never a zero bar)."""
    chart = Chart(3.0)
    count = len(x_labels)
    known = [float(v) for v in list(bar_values) + list(line_values) if not _missing(v)]
    stub = max(known + [1.0]) * 0.2
    y_range = (0.0, max(known + [stub]) * 1.05)
    items = [
        {"name": bar_label, "colour": PALETTE[0]},
        {"name": line_label, "colour": PALETTE[1], "line": "--", "marker": "s", "ms": 5},
    ]
    left = _widest([fmt(t) for t in nice_ticks(*y_range)]) + 14
    legend_height = FONT_SIZE * 1.5 + 6
    bottom = _widest(x_labels) * 0.5 + FONT_SIZE + 10
    pad = 0.6
    frame = Frame(
        left,
        legend_height,
        WIDTH - left - RIGHT,
        chart.height - legend_height - bottom,
        (-pad, count - 1 + pad),
        y_range,
    )
    chart.legend_above(frame.left + frame.width / 2, 0, items, 2)
    chart.value_axis_y(frame, fmt, grid="#dddddd")
    half = (frame.x(0.4) - frame.x(0)) if count else 0
    for x, value in enumerate(bar_values):
        if _missing(value):
            chart.rect(frame.x(x) - half, frame.y(stub), 2 * half, frame.y(0) - frame.y(stub), "white", HIDDEN_HATCH,
                       HIDDEN_COLOUR, 0.6)  # fmt: skip
            chart.text(frame.x(x), frame.y(stub * 1.05), hidden_label, size=7, colour="#333333", rotate=90)
        else:
            top_edge = frame.y(float(value))
            chart.rect(frame.x(x) - half, top_edge, 2 * half, frame.y(0) - top_edge, PALETTE[0])
    _series_line(chart, frame, line_values, PALETTE[1], "--", 1.6, "s", 5)
    step = max(1, count // 12)
    positions = list(range(count))[::step]
    chart.category_axis_x(frame, positions, list(x_labels)[::step], rotate=30)
    chart.spines(frame)
    return chart


def trajectories(
    panels: list[tuple[str, Sequence[str], Sequence[Number], Sequence[Number], str]],
    planned_label: str,
    realised_label: str,
    fmt: Callable[[float], str],
) -> Chart:
    """Small multiples: per panel (title, months, planned, realised, unit) the planned line and the realised line."""
    columns = 3
    rows = max(1, math.ceil(len(panels) / columns))
    chart = Chart(1.9 * rows + 0.5)
    items = [
        {"name": planned_label, "colour": PALETTE[1], "line": "--", "lw": 1.4},
        {"name": realised_label, "colour": PALETTE[0], "line": "-", "marker": "o", "ms": 3},
    ]
    legend_height = chart.legend_above(WIDTH / 2, 0, items, 2)
    cell_width = WIDTH / columns
    cell_height = (chart.height - legend_height) / rows
    for index, (title, months, planned, realised, unit) in enumerate(panels):
        known = [float(v) for v in list(planned) + list(realised) if not _missing(v)]
        y_range = _padded(known)
        tick_width = _widest([fmt(t) for t in nice_ticks(*y_range)], 7)
        left = cell_width * (index % columns) + tick_width + 10 + 7 * 1.4
        top = legend_height + cell_height * (index // columns) + 7 * 1.6 + 4
        count = len(months)
        pad = 0.05 * (count - 1) if count > 1 else 0.5
        frame = Frame(
            left,
            top,
            cell_width * (index % columns + 1) - left - 8,
            cell_height - (7 * 1.6 + 4) - (7 + 12),
            (-pad, count - 1 + pad),
            y_range,
        )
        cell_left = cell_width * (index % columns)
        chart.text(cell_left + 4, frame.top - 4, _fitted(title, cell_width - 10, 8), size=8, valign="bottom")
        chart.value_axis_y(frame, fmt, unit, grid="#eeeeee", size=7)
        _series_line(chart, frame, planned, PALETTE[1], "--", 1.4)
        _series_line(chart, frame, realised, PALETTE[0], "-", 1.6, "o", 2.5)
        step = max(1, count // 3)
        for x in range(0, count, step):
            chart.line([(frame.x(x), frame.bottom), (frame.x(x), frame.bottom + 3.5)], "#000000", 0.8)
            chart.tick_label("x", frame.x(x), frame.bottom + 5, str(months[x]), size=7, anchor="middle", valign="top")
        chart.spines(frame)
    return chart


def distribution(
    labels: Sequence[str],
    stats: Sequence[dict],
    own_values: Sequence[Number],
    own_label: str,
    value_label: str,
    fmt: Callable[[float], str],
) -> Chart:
    """Per row a box of the distribution over municipalities (min, quartiles, median, max) and a marker for this one."""
    chart = Chart(max(1.8, 0.42 * len(labels) + 1.0))
    numbers = [float(s[key]) for s in stats for key in ("min", "max") if not _missing(s[key])]
    numbers += [float(v) for v in own_values if not _missing(v)]
    x_range = _padded(numbers)
    left = _left_margin(labels)
    legend_height = FONT_SIZE * 1.5 + 6
    bottom = 2 * FONT_SIZE + 20
    frame = Frame(
        left,
        legend_height,
        WIDTH - left - RIGHT,
        chart.height - legend_height - bottom,
        x_range,
        (-0.5, len(labels) - 0.5),
    )
    own_key = {"name": own_label, "colour": PALETTE[5], "marker": "D", "ms": 7}
    chart.legend_above(frame.left + frame.width / 2, 0, [own_key], 1)
    chart.value_axis_x(frame, fmt, value_label, grid="#eeeeee")
    positions = list(range(len(labels)))[::-1]
    for y, s, value in zip(positions, stats, own_values, strict=False):
        low, q1, median, q3, high = (s[key] for key in ("min", "p25", "median", "p75", "max"))
        if not any(_missing(v) for v in (low, q1, median, q3, high)):
            centre, half = frame.y(y), frame.y(y - 0.25) - frame.y(y)
            chart.line([(frame.x(low), centre), (frame.x(q1), centre)], "#000000", 1.0)
            chart.line([(frame.x(q3), centre), (frame.x(high), centre)], "#000000", 1.0)
            for end in (low, high):
                chart.line([(frame.x(end), centre - half / 2), (frame.x(end), centre + half / 2)], "#000000", 1.0)
            chart.rect(frame.x(q1), centre - half, frame.x(q3) - frame.x(q1), 2 * half, "#d9e8f5", edge="#333333", lw=1)
            chart.line([(frame.x(median), centre - half), (frame.x(median), centre + half)], "#333333", 1.5)
        if not _missing(value):
            chart.marker("D", frame.x(float(value)), frame.y(y), 7, PALETTE[5])
            chart.text(
                frame.x(float(value)), frame.y(y + 0.3), fmt(float(value)), size=7, anchor="middle", valign="bottom"
            )
    chart.category_axis_y(frame, positions, labels)
    chart.spines(frame)
    return chart


def stacked_counts(
    labels: Sequence[str],
    parts: dict[str, Sequence[int]],
    value_label: str,
) -> Chart:
    """Horizontal stacked counts (files per source and fate), each part its own colour and hatch."""
    chart = Chart(max(1.5, 0.32 * len(labels) + 1.0))
    total = max([sum(values) for values in zip(*parts.values(), strict=False)] + [1]) if parts else 1
    items = [
        {"name": name, "colour": PALETTE[i % 8], "hatch": HATCHES[i % 8], "edge": "#333333", "lw": 0.3}
        for i, name in enumerate(parts)
    ]
    left = _left_margin(labels)
    legend_height = FONT_SIZE * 1.5 + 6
    bottom = 2 * FONT_SIZE + 20
    frame = Frame(
        left,
        legend_height,
        WIDTH - left - RIGHT,
        chart.height - legend_height - bottom,
        (0, total * 1.05),
        (-0.6, len(labels) - 0.4),
    )
    chart.legend_above(frame.left + frame.width / 2, 0, items, max(1, len(parts)))
    chart.value_axis_x(frame, lambda v: str(int(v)) if float(v).is_integer() else f"{v:g}", value_label)
    positions = list(range(len(labels)))[::-1]
    starts = [0.0] * len(labels)
    for item, values in zip(items, parts.values(), strict=False):
        for row, (y, start, value) in enumerate(zip(positions, starts, values, strict=False)):
            top_edge, height = frame.y(y + 0.4), frame.y(y - 0.4) - frame.y(y + 0.4)
            width = frame.x(start + value) - frame.x(start)
            chart.rect(frame.x(start), top_edge, width, height, item["colour"], item["hatch"], "#333333", 0.3)
            if value:
                chart.text(
                    frame.x(start + value / 2), frame.y(y), str(int(value)), size=8, anchor="middle", box="white"
                )
            starts[row] = start + value
    chart.category_axis_y(frame, positions, labels)
    chart.spines(frame)
    return chart
