from datetime import datetime, timedelta

from django import template
from django.core.cache import cache
from django.utils import timezone
from django.utils.safestring import mark_safe

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
ENTRY_HTML_VERSION = 1
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
