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
