from datetime import datetime, timedelta

from django import template
from django.utils import timezone

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
