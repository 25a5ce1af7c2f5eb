"""The compliance page's chart: targets met vs breached per ISO week, as inline SVG.

Rendered on the server as a Jinja2-free string of SVG elements with every text escaped, so the
page needs no JavaScript or chart library.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from ._overview import ComplianceRow

WIDTH, HEIGHT = 640, 240
LEFT, BOTTOM, TOP = 40, 30, 20
MET_COLOUR, BREACHED_COLOUR = "#2e7d32", "#c62828"


def weekly_totals(rows: Sequence[ComplianceRow]) -> list[tuple[str, int, int]]:
    """Return ``(week, met, breached)`` per ISO week, in week order."""
    totals: dict[str, list[int]] = {}
    for row in rows:
        tally = totals.setdefault(row.week, [0, 0])
        tally[0] += row.met
        tally[1] += row.breached
    return [(week, met, breached) for week, (met, breached) in sorted(totals.items())]


def compliance_chart(rows: Sequence[ComplianceRow]) -> str:
    """Return an SVG stacked bar chart of met (green) and breached (red) targets per week."""
    weeks = weekly_totals(rows)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" '
             f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" class="chart" '
             f'aria-label="Targets met and breached per week">']
    plot_height = HEIGHT - BOTTOM - TOP
    baseline = HEIGHT - BOTTOM
    parts.append(f'<line x1="{LEFT}" y1="{baseline}" x2="{WIDTH - 10}" y2="{baseline}" '
                 'stroke="#555"/>')
    if not weeks:
        parts.append(f'<text x="{WIDTH // 2}" y="{HEIGHT // 2}" text-anchor="middle">'
                     'No target was met or breached in this range</text></svg>')
        return "".join(parts)
    tallest = max(met + breached for _, met, breached in weeks) or 1
    slot = (WIDTH - LEFT - 10) / len(weeks)
    bar = min(60.0, slot * 0.6)
    parts.append(f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="11">'
                 f'{tallest}</text>')
    for index, (week, met, breached) in enumerate(weeks):
        x = LEFT + index * slot + (slot - bar) / 2
        met_h = plot_height * met / tallest
        breached_h = plot_height * breached / tallest
        label = escape(week)
        parts.append(f'<rect class="met" x="{x:.1f}" y="{baseline - met_h:.1f}" '
                     f'width="{bar:.1f}" height="{met_h:.1f}" fill="{MET_COLOUR}">'
                     f'<title>{label}: {met} met</title></rect>')
        parts.append(f'<rect class="breached" x="{x:.1f}" '
                     f'y="{baseline - met_h - breached_h:.1f}" width="{bar:.1f}" '
                     f'height="{breached_h:.1f}" fill="{BREACHED_COLOUR}">'
                     f'<title>{label}: {breached} breached</title></rect>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{baseline + 16}" text-anchor="middle" '
                     f'font-size="11">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)
