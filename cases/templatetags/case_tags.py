from datetime import datetime, timedelta

from django import template
from django.core.cache import cache
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince

from cases import clocks
from cases.models import CUSTOMER_STATUS, Case

register = template.Library()

AT_RISK = timedelta(hours=4)


def _span(delta: timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m"


@register.filter
def countdown(due: datetime | None) -> str:
    """'in 2h 05m' or 'overdue by 15m'."""
    if not isinstance(due, datetime):
        return ""
    left = due - timezone.now()
    return f"in {_span(left)}" if left >= timedelta(0) else f"overdue by {_span(left)}"


@register.filter
def risk(due: datetime | None) -> str:
    """A CSS class: breached, at-risk (under four hours) or on-track."""
    if not isinstance(due, datetime) or due.year == 9999:
        return "sla-none"
    left = due - timezone.now()
    if left < timedelta(0):
        return "sla-breached"
    return "sla-at-risk" if left < AT_RISK else "sla-on-track"


@register.filter
def stamp(value: datetime | None) -> str:
    """The exact local time, as Django's `date:'D j M Y, H:i T'` writes it ("Sun 6 Dec
    2026, 21:51 UTC"), at a tenth of its cost: lists show it in every row's title."""
    if not isinstance(value, datetime):
        return ""
    local = timezone.localtime(value)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname()}"


class _English:
    """One of timesince's units, in the product's one language ("1 hour", "2 hours"):
    Django's own are lazy translations, twice as slow, drawn in every row of a list."""

    def __init__(self, unit: str):
        self.unit = unit

    def __mod__(self, values: dict) -> str:
        return f"{values['num']} {self.unit}{'' if values['num'] == 1 else 's'}"


AGO_UNITS = {unit: _English(unit) for unit in ("year", "month", "week", "day", "hour", "minute")}


@register.simple_tag
def time_ago(value: datetime | None, suffix: str = " ago") -> str:
    """`<time>` saying how long ago (as Django's timesince), the exact time in its title."""
    if not isinstance(value, datetime):
        return ""
    return format_html(
        '<time datetime="{}" title="{}">{}{}</time>',
        value.isoformat(),
        stamp(value),
        timesince(value, time_strings=AGO_UNITS),
        suffix,
    )


@register.simple_tag
def nearest_deadline(case: Case) -> str:
    """A list's deadline cell: "Paused", the nearest running deadline as a countdown
    coloured by its risk, or a dash (`nearest_due` is annotated by the list's selector)."""
    if case.paused_at:
        return mark_safe('<span class="sla sla-paused">Paused</span>')
    due = case.nearest_due
    if not isinstance(due, datetime) or due.year == 9999:
        return "—"
    return format_html(
        '<span class="sla {}"><time datetime="{}" title="Due {}">{}</time></span>',
        risk(due),
        due.isoformat(),
        stamp(due),
        countdown(due),
    )


@register.filter
def customer_status(status: str) -> str:
    """A status as the customer reads it (the same words as in our emails)."""
    return CUSTOMER_STATUS.get(status, status)


@register.filter
def next_contact(case: Case) -> datetime | None:
    """When the customer hears from us next (`clocks.next_contact`), or None."""
    return clocks.next_contact(case)


@register.filter
def iso(value: str | None) -> datetime | None:
    """An ISO timestamp kept in an entry's data, as a datetime for the date filter."""
    try:
        return timezone.localtime(datetime.fromisoformat(value)) if value else None
    except (TypeError, ValueError):
        return None


@register.inclusion_tag("portal/_known_issues.html", takes_context=True)
def known_issues(context):
    """Open incidents affecting the signed-in customer's organisation, for the banner."""
    user = context["request"].user
    if not (user.is_authenticated and user.is_customer):
        return {"incidents": []}
    from cases.models import Incident

    return {"incidents": list(Incident.objects.visible_to(user).open().order_by("-created")[:3])}


# Rendered timeline entries, kept: an entry is never changed once written (the timeline is
# append-only), so its HTML for one audience is the same forever. The key names the
# audience's template, the time zone the times are shown in, and a version to bump when
# an entry template changes.
ENTRY_HTML_VERSION = 2
ENTRY_HTML_SECONDS = 7 * 24 * 3600


@register.simple_tag(takes_context=True)
def timeline_entries(context, entries, audience: str) -> str:
    """The entries as `<audience>/_entry.html` draws them, from the cache where they were
    drawn before (one round trip for the page), drawing and keeping only the others."""
    template = context.template.engine.get_template(f"{audience}/_entry.html")
    zone = timezone.get_current_timezone_name()
    keys = {
        f"entry-html:{ENTRY_HTML_VERSION}:{audience}:{zone}:{entry.pk}": entry for entry in entries
    }
    kept = cache.get_many(list(keys))
    drawn = {}
    for key, entry in keys.items():
        if key not in kept:
            with context.push(entry=entry):
                drawn[key] = template.render(context)
    if drawn:
        cache.set_many(drawn, ENTRY_HTML_SECONDS)
    return mark_safe("".join(kept.get(key) or drawn[key] for key in keys))  # drawn escaped
