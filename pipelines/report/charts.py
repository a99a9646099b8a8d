"""The report's charts: matplotlib figures rendered to inline SVG on the server, so the HTML needs
no script, font or network to show them.

Accessibility: every series has its own marker, line style or hatch as well as its colour
(Okabe-Ito palette, readable with colour-vision deficiencies), values are written on the chart
where they fit, and a hidden value (a group too small to publish) is drawn as a hatched, labelled
cell or bar, never as zero. Text stays text in the SVG (searchable, scalable, screen-readable).
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Sequence
from html import escape

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

# Okabe-Ito: distinguishable with the common colour-vision deficiencies
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), "-", "--"]
HATCHES = ["", "///", "\\\\\\", "xx", "||", "++", "--", "//"]
HIDDEN_HATCH = "////"
HIDDEN_COLOUR = "#9e9e9e"
WIDTH_IN = 7.2  # fits an A4 page's text width

RC = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica", "sans-serif"],
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "svg.fonttype": "none",  # text stays text: no embedded glyphs, the reader's sans-serif font draws it
    "hatch.linewidth": 0.8,
    "axes.axisbelow": True,  # grid lines behind bars
}

Number = float | None


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _value_ticks(axis, fmt) -> None:
    """Ticks at round steps (1, 2 or 5 times a power of ten), so two decimals show them exactly (not
    0.025 printed as 0,03), labelled in the report's number format."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 5, 10]))
    axis.set_major_formatter(lambda value, _pos: fmt(value))


def render(figure: Figure, label: str, chart_id: str) -> str:
    """The figure as an inline <svg> element with an accessible name."""
    import matplotlib

    with matplotlib.rc_context({"svg.hashsalt": chart_id, **RC}):
        buffer = io.StringIO()
        # constrained layout already fits the figure: no second, "tight" drawing pass
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # no XML declaration or DOCTYPE inside HTML
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    return svg.replace(
        "<svg ",
        f'<svg role="img" aria-label="{escape(label)}" data-chart="{escape(chart_id)}" class="chart" ',
        1,
    )


def new_figure(height_in: float) -> Figure:
    import matplotlib

    with matplotlib.rc_context(RC):
        return Figure(figsize=(WIDTH_IN, height_in), layout="constrained")


def _styled(function: Callable[..., Figure]) -> Callable[..., Figure]:
    def wrapped(*args, **kwargs):
        import matplotlib

        with matplotlib.rc_context(RC):
            return function(*args, **kwargs)

    return wrapped


@_styled
def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[Number]],
    hidden_label: str,
    fmt: Callable[[float], str],
    vmin: float = 1.0,
    vmax: float = 5.0,
    colorbar_label: str = "",
) -> Figure:
    figure = new_figure(max(1.6, 0.36 * len(rows) + 1.2))
    axes = figure.add_subplot()
    grid = np.ma.masked_invalid(np.array([[np.nan if _missing(v) else float(v) for v in row] for row in values]))
    # pcolormesh, not imshow: vector cells (crisp in print), no embedded raster image; 16 steps of 0.25, as a
    # colour bar of fewer than 50 steps stays vector too (matplotlib rasterises longer ones)
    image = axes.pcolormesh(
        grid, cmap=colormaps["viridis"].resampled(16), vmin=vmin, vmax=vmax, edgecolors="white", linewidth=1.0
    )
    axes.invert_yaxis()
    axes.set_xticks([j + 0.5 for j in range(len(columns))], labels=columns, rotation=20, ha="right")
    axes.set_yticks([i + 0.5 for i in range(len(rows))], labels=rows)
    axes.tick_params(length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    normalise = image.norm
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            if _missing(value):
                axes.add_patch(
                    Rectangle((j, i), 1, 1, facecolor="white", edgecolor=HIDDEN_COLOUR, hatch=HIDDEN_HATCH, lw=0.5)
                )
                axes.text(
                    j + 0.5,
                    i + 0.5,
                    hidden_label,
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="#333333",
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
                )
            else:
                shade = normalise(float(value))
                axes.text(
                    j + 0.5,
                    i + 0.5,
                    fmt(float(value)),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="black" if shade > 0.55 else "white",
                )
    colorbar = figure.colorbar(image, ax=axes, fraction=0.04, pad=0.02)
    colorbar.set_label(colorbar_label)
    return figure


@_styled
def lines(
    x_labels: Sequence[str],
    series: dict[str, Sequence[Number]],
    y_label: str,
    fmt: Callable[[float], str],
    y_limits: tuple[float, float] | None = None,
    height_in: float = 3.2,
) -> Figure:
    """One line per series over the same x, each with its own marker and dash, labelled at its end."""
    figure = new_figure(height_in)
    axes = figure.add_subplot()
    positions = list(range(len(x_labels)))
    for index, (name, values) in enumerate(series.items()):
        points = [(x, float(v)) for x, v in zip(positions, values, strict=False) if not _missing(v)]
        if not points:
            continue
        xs, ys = zip(*points, strict=False)
        axes.plot(
            xs,
            ys,
            marker=MARKERS[index % 8],
            linestyle=LINESTYLES[index % 8],
            color=PALETTE[index % 8],
            label=name,
            lw=1.6,
            ms=5,
        )
    axes.set_xticks(
        positions,
        labels=x_labels,
        rotation=30 if len(x_labels) > 8 else 0,
        ha="right" if len(x_labels) > 8 else "center",
    )
    axes.set_ylabel(y_label)
    if y_limits:
        axes.set_ylim(*y_limits)
    _value_ticks(axes.yaxis, fmt)
    axes.grid(axis="y", color="#dddddd", lw=0.6)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return figure


@_styled
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
) -> Figure:
    """Horizontal bars with their values written beside them; a hidden value is a hatched, labelled stub."""
    figure = new_figure(max(1.5, 0.3 * len(labels) + 0.9))
    axes = figure.add_subplot()
    known = [float(v) for v in values if not _missing(v)]
    span = max([abs(v) for v in known] + [reference or 0.0]) or 1.0  # nothing but zeros: a unit axis
    if limits:
        span = max(span, limits[1])
    positions = list(range(len(labels)))[::-1]
    for y, value in zip(positions, values, strict=False):
        if _missing(value):
            axes.barh(y, span * 0.18, color="white", edgecolor=HIDDEN_COLOUR, hatch=HIDDEN_HATCH, lw=0.6)
            axes.text(span * 0.2, y, hidden_label, va="center", fontsize=8, color="#333333")
        else:
            value = float(value)
            colour = PALETTE[5] if signed and value < 0 else PALETTE[0]
            hatch = "xx" if signed and value < 0 else ""
            axes.barh(y, value, color=colour, hatch=hatch, edgecolor="white" if not hatch else "#333333", lw=0.4)
            axes.text(
                value + (span * 0.01 if value >= 0 else -span * 0.01),
                y,
                fmt(value),
                va="center",
                ha="left" if value >= 0 else "right",
                fontsize=8,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5},
            )
    if reference is not None:
        axes.axvline(reference, color="#333333", linestyle="--", lw=1)
        axes.text(reference, len(labels) - 0.4, f" {reference_label}", fontsize=8, va="bottom")
    if signed:
        axes.axvline(0, color="#333333", lw=0.8)
        low, high = min(known + [0.0]), max(known + [0.0])
        axes.set_xlim(low - span * 0.3 if low < 0 else -span * 0.05, high + span * 0.3 if high > 0 else span * 0.05)
    elif limits:
        axes.set_xlim(limits[0], limits[1] * 1.12)
    else:
        axes.set_xlim(0, span * 1.18)
    axes.set_yticks(positions, labels=labels)
    axes.set_xlabel(value_label)
    _value_ticks(axes.xaxis, fmt)
    axes.grid(axis="x", color="#eeeeee", lw=0.6)
    return figure


@_styled
def grouped_bars(
    labels: Sequence[str],
    series: dict[str, Sequence[Number]],
    value_label: str,
    fmt: Callable[[float], str],
    hidden_label: str,
    limits: tuple[float, float] | None = None,
) -> Figure:
    """Horizontal bars in groups: each series its own colour *and* hatch, values written beside them."""
    count = max(1, len(series))
    figure = new_figure(max(1.8, 0.22 * len(labels) * count + 1.1))
    axes = figure.add_subplot()
    height = 0.8 / count
    known = [float(v) for values in series.values() for v in values if not _missing(v)]
    span = (max(known + [0.0]) or 1.0) if not limits else limits[1]
    base = list(range(len(labels)))[::-1]
    handles = []
    for index, (name, values) in enumerate(series.items()):
        offset = (count - 1) / 2 * height - index * height
        for y, value in zip(base, values, strict=False):
            if _missing(value):
                axes.barh(
                    y + offset,
                    span * 0.12,
                    height=height * 0.9,
                    color="white",
                    edgecolor=HIDDEN_COLOUR,
                    hatch=HIDDEN_HATCH,
                    lw=0.6,
                )
                axes.text(span * 0.13, y + offset, hidden_label, va="center", fontsize=7, color="#333333")
            else:
                axes.barh(
                    y + offset,
                    float(value),
                    height=height * 0.9,
                    color=PALETTE[index % 8],
                    hatch=HATCHES[index % 8],
                    edgecolor="#333333",
                    lw=0.3,
                )
                axes.text(float(value) + span * 0.01, y + offset, fmt(float(value)), va="center", fontsize=7)
        handles.append(Patch(facecolor=PALETTE[index % 8], hatch=HATCHES[index % 8], edgecolor="#333333", label=name))
    axes.set_yticks(base, labels=labels)
    axes.set_xlim(limits[0] if limits else 0, span * 1.15)
    axes.set_xlabel(value_label)
    _value_ticks(axes.xaxis, fmt)
    axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    axes.grid(axis="x", color="#eeeeee", lw=0.6)
    return figure


@_styled
def stacked_shares(
    labels: Sequence[str],
    parts: dict[str, Sequence[Number]],
    hidden_label: str,
    fmt: Callable[[float], str],
) -> Figure:
    """Horizontal 100 % bars of shares (e.g. basic / intermediate / advanced), each part hatched differently."""
    figure = new_figure(max(1.6, 0.32 * len(labels) + 1.0))
    axes = figure.add_subplot()
    positions = list(range(len(labels)))[::-1]
    colours = [PALETTE[5], "#d9d9d9", PALETTE[0]]
    hatches = ["///", "", "\\\\\\"]
    handles = []
    for index, name in enumerate(parts):
        handles.append(Patch(facecolor=colours[index % 3], hatch=hatches[index % 3], edgecolor="#333333", label=name))
    for row, y in enumerate(positions):
        shares = [parts[name][row] for name in parts]
        if any(_missing(share) for share in shares):
            axes.barh(y, 1.0, color="white", edgecolor=HIDDEN_COLOUR, hatch=HIDDEN_HATCH, lw=0.6)
            axes.text(
                0.5,
                y,
                hidden_label,
                ha="center",
                va="center",
                fontsize=8,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
            )
            continue
        left = 0.0
        for index, share in enumerate(shares):
            share = float(share)
            axes.barh(
                y, share, left=left, color=colours[index % 3], hatch=hatches[index % 3], edgecolor="#333333", lw=0.3
            )
            if share >= 0.07:
                axes.text(
                    left + share / 2,
                    y,
                    fmt(share),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if index != 1 else "black",
                    bbox={"facecolor": colours[index % 3], "edgecolor": "none", "pad": 0.5},
                )
            left += share
    axes.set_xlim(0, 1)
    axes.set_yticks(positions, labels=labels)
    _value_ticks(axes.xaxis, fmt)
    axes.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=len(parts), frameon=False)
    return figure


@_styled
def bars_and_line(
    x_labels: Sequence[str],
    bar_values: Sequence[Number],
    bar_label: str,
    line_values: Sequence[Number],
    line_label: str,
    fmt: Callable[[float], str],
    hidden_label: str,
) -> Figure:
    """Monthly counts: one series as bars, the other as a line with markers, on the same axis; a hidden month is
    a hatched, labelled stub (never a zero bar)."""
    figure = new_figure(3.0)
    axes = figure.add_subplot()
    positions = list(range(len(x_labels)))
    known = [float(v) for v in list(bar_values) + list(line_values) if not _missing(v)]
    stub = max(known + [1.0]) * 0.2
    shown = [(x, float(v)) for x, v in zip(positions, bar_values, strict=False) if not _missing(v)]
    if shown:
        axes.bar([x for x, _ in shown], [v for _, v in shown], color=PALETTE[0], label=bar_label)
    for x, value in zip(positions, bar_values, strict=False):
        if _missing(value):
            axes.bar(x, stub, color="white", edgecolor=HIDDEN_COLOUR, hatch=HIDDEN_HATCH, lw=0.6)
            axes.text(x, stub * 1.05, hidden_label, rotation=90, ha="center", va="bottom", fontsize=7, color="#333333")
    axes.plot(
        positions,
        [math.nan if _missing(v) else float(v) for v in line_values],
        color=PALETTE[1],
        marker="s",
        linestyle="--",
        lw=1.6,
        label=line_label,
    )
    step = max(1, len(x_labels) // 12)
    axes.set_xticks(positions[::step], labels=list(x_labels)[::step], rotation=30, ha="right")
    _value_ticks(axes.yaxis, fmt)
    axes.grid(axis="y", color="#dddddd", lw=0.6)
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False)
    return figure


@_styled
def trajectories(
    panels: list[tuple[str, Sequence[str], Sequence[Number], Sequence[Number], str]],
    planned_label: str,
    realised_label: str,
    fmt: Callable[[float], str],
) -> Figure:
    """Small multiples: per panel (title, months, planned, realised, unit) the planned line and the realised line."""
    columns = 3
    rows = max(1, math.ceil(len(panels) / columns))
    figure = new_figure(1.9 * rows + 0.5)
    axes_grid = figure.subplots(rows, columns, squeeze=False)
    for index, axes in enumerate(axes_grid.flat):
        if index >= len(panels):
            axes.set_visible(False)
            continue
        title, months, planned, realised, unit = panels[index]
        positions = list(range(len(months)))
        axes.plot(
            positions,
            [math.nan if _missing(v) else float(v) for v in planned],
            color=PALETTE[1],
            linestyle="--",
            lw=1.4,
            label=planned_label,
        )
        axes.plot(
            positions,
            [math.nan if _missing(v) else float(v) for v in realised],
            color=PALETTE[0],
            marker="o",
            ms=2.5,
            lw=1.6,
            label=realised_label,
        )
        axes.set_title(title, fontsize=8, loc="left")
        step = max(1, len(months) // 3)
        axes.set_xticks(positions[::step], labels=[m for m in months][::step], fontsize=7)
        axes.tick_params(axis="y", labelsize=7)
        _value_ticks(axes.yaxis, fmt)
        axes.set_ylabel(unit, fontsize=7)
        axes.grid(axis="y", color="#eeeeee", lw=0.6)
    handles = [
        Line2D([], [], color=PALETTE[1], linestyle="--", lw=1.4, label=planned_label),
        Line2D([], [], color=PALETTE[0], marker="o", ms=3, lw=1.6, label=realised_label),
    ]
    figure.legend(handles=handles, loc="outside upper center", ncols=2, frameon=False)
    return figure


@_styled
def distribution(
    labels: Sequence[str],
    stats: Sequence[dict],
    own_values: Sequence[Number],
    own_label: str,
    value_label: str,
    fmt: Callable[[float], str],
) -> Figure:
    """Per row a box of the distribution over municipalities (min, quartiles, median, max) and a marker for this one."""
    figure = new_figure(max(1.8, 0.42 * len(labels) + 1.0))
    axes = figure.add_subplot()
    positions = list(range(len(labels)))[::-1]
    axes.bxp(
        [
            {"med": s["median"], "q1": s["p25"], "q3": s["p75"], "whislo": s["min"], "whishi": s["max"], "fliers": []}
            for s in stats
        ],
        positions=positions,
        orientation="horizontal",
        widths=0.5,
        patch_artist=True,
        boxprops={"facecolor": "#d9e8f5", "edgecolor": "#333333"},
        medianprops={"color": "#333333", "lw": 1.5},
        manage_ticks=False,
    )
    for y, value in zip(positions, own_values, strict=False):
        if not _missing(value):
            axes.plot([float(value)], [y], marker="D", color=PALETTE[5], ms=7, linestyle="none")
            axes.text(float(value), y + 0.3, fmt(float(value)), ha="center", fontsize=7)
    axes.plot([], [], marker="D", color=PALETTE[5], linestyle="none", label=own_label)
    axes.set_yticks(positions, labels=labels)
    axes.set_xlabel(value_label)
    _value_ticks(axes.xaxis, fmt)
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    axes.grid(axis="x", color="#eeeeee", lw=0.6)
    return figure


@_styled
def stacked_counts(
    labels: Sequence[str],
    parts: dict[str, Sequence[int]],
    value_label: str,
) -> Figure:
    """Horizontal stacked counts (files per source and fate), each part its own colour and hatch."""
    figure = new_figure(max(1.5, 0.32 * len(labels) + 1.0))
    axes = figure.add_subplot()
    positions = list(range(len(labels)))[::-1]
    left = [0.0] * len(labels)
    total = max([sum(values) for values in zip(*parts.values(), strict=False)] + [1]) if parts else 1
    for index, (name, values) in enumerate(parts.items()):
        axes.barh(
            positions,
            values,
            left=left,
            color=PALETTE[index % 8],
            hatch=HATCHES[index % 8],
            edgecolor="#333333",
            lw=0.3,
            label=name,
        )
        for y, start, value in zip(positions, left, values, strict=False):
            if value:
                axes.text(
                    start + value / 2,
                    y,
                    str(int(value)),
                    ha="center",
                    va="center",
                    fontsize=8,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5, "alpha": 0.8},
                )
        left = [start + value for start, value in zip(left, values, strict=False)]
    axes.set_xlim(0, total * 1.05)
    axes.set_yticks(positions, labels=labels)
    axes.set_xlabel(value_label)
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=max(1, len(parts)), frameon=False)
    return figure
