"""The result table every benchmark prints: one row per measurement, PASS/FAIL against its goal."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One line of the table. ``ratio`` is relative to the run's baseline; ``passed`` is None without a goal."""

    name: str
    value: str
    ratio: str = ""
    goal: str = ""
    passed: bool | None = None


def print_table(rows: list[Row], header: tuple[str, str, str, str, str]) -> None:
    """Print a Markdown table."""
    lines = [(r.name, r.value, r.ratio, r.goal, {True: "PASS", False: "FAIL", None: ""}[r.passed]) for r in rows]
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
    for index, line in enumerate([header, *lines]):
        print("| " + " | ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)) + " |")
        if index == 0:
            print("|" + "|".join("-" * (width + 2) for width in widths) + "|")
