"""Saved replies: which an agent may use and change, and their placeholders filled from a
case. A placeholder that cannot be filled (no estimate yet for {eta}) stays as typed and is
named, so the composer refuses to send it until the agent fills it in."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from cases.models import Case
from cases.text import PLACEHOLDER, say_when, unfilled
from helpdesk.accounts.models import User
from helpdesk.knowledge.models import SavedReply, SavedReplyUse


def usable_by(agent: User) -> QuerySet:
    """The agent's own saved replies and those shared by their departments."""
    return SavedReply.objects.filter(
        Q(owner=agent) | Q(department__in=agent.departments.all())
    ).select_related("department")


def may_change(saved: SavedReply, agent: User) -> bool:
    """Its owner changes a personal one; a member of its department or a manager a shared one."""
    if saved.owner_id is not None:
        return saved.owner_id == agent.pk
    return agent.is_manager or agent.departments.filter(pk=saved.department_id).exists()


def _first(name: str) -> str:
    return name.split()[0] if name.strip() else ""


def values_for(case: Case, agent: User) -> dict[str, str]:
    """What each placeholder says on this case ("" when the case does not know it)."""
    owner = case.owner
    return {
        "{customer.name}": case.customer.full_name,
        "{customer.first_name}": _first(case.customer.full_name),
        "{case.reference}": case.reference,
        "{case.title}": case.title,
        "{organization.name}": case.organization.name,
        "{owner.name}": owner.full_name if owner else "",
        "{owner.first_name}": _first(owner.full_name) if owner else "",
        "{agent.name}": agent.full_name,
        "{agent.first_name}": _first(agent.full_name),
        "{eta}": say_when(case.eta) if case.eta and case.eta > timezone.now() else "",
    }


@dataclass(frozen=True)
class Filled:
    text: str
    missing: list[str]


def fill(body: str, case: Case, agent: User) -> Filled:
    """`body` with every placeholder the case knows filled; the others left, and named."""
    known = values_for(case, agent)
    text = PLACEHOLDER.sub(lambda match: known.get(match.group(0)) or match.group(0), body)
    return Filled(text, unfilled(text))


def record_use(*, saved: SavedReply, agent: User, case: Case) -> None:
    SavedReplyUse.objects.create(saved_reply=saved, agent=agent, case=case)
