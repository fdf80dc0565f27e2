"""Small server-rendered SVG charts: no JavaScript, nothing fetched, readable by screen
readers (role="img" with a title and a text equivalent in the table beside each chart)."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def bar_chart(
    items: list[tuple[str, float]], *, title: str, unit: str = "", width: int = 560
) -> SafeString:
    """Horizontal bars, one per (label, value)."""
    if not items:
        return mark_safe("")
    bar_height, gap, label_width = 22, 8, 170
    height = len(items) * (bar_height + gap) + gap
    top = max((value for _label, value in items), default=0) or 1
    plot = width - label_width - 70
    rows = []
    for index, (label, value) in enumerate(items):
        y = gap + index * (bar_height + gap)
        length = max(plot * (value / top), 1 if value else 0)
        shown = _number(value)
        rows.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" font-size="12">'
            f"{escape(str(label)[:28])}</text>"  # cut, then escape: never half an entity
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" '
            f'rx="3" fill="#3d6fb6"></rect>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + 15}" font-size="12">'
            f"{shown}{escape(unit)}</text>"
        )
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="100%" class="chart">'
        f"<title>{escape(title)}</title>{''.join(rows)}</svg>"
    )


def _number(value: float) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}".rstrip("0").rstrip(".")
    return f"{value:,}"


def line_chart(
    series: list[tuple[str, list[float]]],
    *,
    title: str,
    width: int = 720,
    height: int = 240,
) -> SafeString:
    """Lines over evenly spaced points (e.g. every tick of a simulation), one per
    (label, values), with a legend; the scale starts at zero."""
    points = max((len(values) for _label, values in series), default=0)
    if points < 2:
        return mark_safe("")
    left, right, top_margin, bottom = 48, 150, 12, 24
    plot_w, plot_h = width - left - right, height - top_margin - bottom
    top = max((max(values) for _label, values in series if values), default=0) or 1
    colours = ["#3d6fb6", "#b8472c", "#2e7d4f", "#7a4fb3"]
    lines, legend = [], []
    for index, (label, values) in enumerate(series):
        colour = colours[index % len(colours)]
        path = " ".join(
            f"{left + plot_w * n / (points - 1):.1f},{top_margin + plot_h * (1 - v / top):.1f}"
            for n, v in enumerate(values)
        )
        lines.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{path}">'
            "</polyline>"
        )
        y = top_margin + 14 + index * 18
        legend.append(
            f'<rect x="{width - right + 10}" y="{y - 9}" width="10" height="10" '
            f'fill="{colour}"></rect><text x="{width - right + 26}" y="{y}" font-size="12">'
            f"{escape(str(label)[:24])}</text>"
        )
    axis = (
        f'<line x1="{left}" y1="{top_margin + plot_h}" x2="{left + plot_w}" '
        f'y2="{top_margin + plot_h}" stroke="#777"></line>'
        f'<text x="{left - 6}" y="{top_margin + 10}" text-anchor="end" font-size="12">'
        f"{_number(top)}</text>"
        f'<text x="{left - 6}" y="{top_margin + plot_h}" text-anchor="end" font-size="12">'
        "0</text>"
    )
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="100%" class="chart">'
        f"<title>{escape(title)}</title>{axis}{''.join(lines)}{''.join(legend)}</svg>"
    )
