"""Bar charts for the dashboard as plain SVG shapes, computed here and drawn by ``templates/_macros/charts.html``.

Why by hand: the charts are a few rectangles and labels. A charting library would bring JavaScript or inline
styles that the pages' Content Security Policy refuses, or a CDN; server-side SVG needs neither and prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 220, 36, 28, 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    #: The CSS class that colours it (``bar-red``, ``bar-opened`` ...).
    kind: str
    value: int


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    #: Category labels with the x of their centre.
    labels: list[tuple[float, str]]
    #: Gridline values with their y.
    ticks: list[tuple[float, int]]
    width: int = WIDTH
    height: int = HEIGHT


def grouped(categories: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]) -> Chart:
    """Side-by-side bars per category (e.g. flags opened and closed per month)."""
    return _chart(categories, series, stacked=False)


def stacked(categories: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]) -> Chart:
    """Bars stacked per category (e.g. open flags per rule: red, orange, yellow)."""
    return _chart(categories, series, stacked=True)


def _chart(categories: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], *, stacked: bool) -> Chart:
    totals = [sum(values[i] for _kind, values in series) for i in range(len(categories))]
    top = max((totals if stacked else [v for _k, values in series for v in values]), default=0)
    scale_max = _nice(top)
    plot_height, plot_width = HEIGHT - BOTTOM - TOP, WIDTH - LEFT - 8
    slot = plot_width / max(len(categories), 1)
    bar_width = slot * 0.7 / (1 if stacked else max(len(series), 1))
    bars: list[Bar] = []
    for index in range(len(categories)):
        base: float = HEIGHT - BOTTOM
        for position, (kind, values) in enumerate(series):
            height = values[index] / scale_max * plot_height
            x = LEFT + index * slot + slot * 0.15 + (0 if stacked else position * bar_width)
            bars.append(Bar(round(x, 1), round(base - height, 1), round(bar_width, 1), round(height, 1), kind, values[index]))
            if stacked:
                base -= height
    labels = [(round(LEFT + (i + 0.5) * slot, 1), category) for i, category in enumerate(categories)]
    ticks = [(round(HEIGHT - BOTTOM - plot_height * step / 4, 1), scale_max * step // 4) for step in range(5)]
    return Chart(bars, labels, ticks)


def _nice(top: int) -> int:
    """The axis maximum: at least 4, and divisible by 4 so that the four gridlines are whole numbers."""
    return max(4, -(-top // 4) * 4)
