"""One mapping from what a service refused to the answer a view gives.

    refused (NotAllowed)                     → 403, the message shown
    stale (Conflict; InvalidTransition: the
      case moved on since the page was drawn;
      a database constraint refusing a race) → 409, with the fresh state
    not found (NotFound: a stale link)       → 404
    invalid (any other CaseError, a form)    → 422, with the form kept as typed

Desk, portal and handoff views all run their service calls through `attempt`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.db import IntegrityError
from django.forms import Form

from cases.services import CaseError, Conflict, InvalidTransition, NotAllowed, NotFound

T = TypeVar("T")

RACE_MESSAGE = "That change conflicts with one made at the same moment. Review and retry."


@dataclass(frozen=True)
class Refusal:
    """Why a change did not happen, and the HTTP status that says so."""

    message: str
    status: int

    @property
    def stale(self) -> bool:
        """The page the user acted on is out of date: show them the fresh state."""
        return self.status == 409


def refusal_for(exc: Exception) -> Refusal:
    if isinstance(exc, NotAllowed):
        return Refusal(str(exc), 403)
    if isinstance(exc, NotFound):
        return Refusal(str(exc), 404)
    if isinstance(exc, Conflict | InvalidTransition):
        return Refusal(str(exc), 409)
    if isinstance(exc, IntegrityError):
        # The database refused it: someone changed what this depended on meanwhile (e.g.
        # the new owner was deactivated at the same moment). Nothing was written.
        return Refusal(RACE_MESSAGE, 409)
    return Refusal(str(exc), 422)


def attempt(change: Callable[[], T]) -> tuple[T | None, Refusal | None]:
    """Run a service call; its result, or the refusal to answer with."""
    try:
        return change(), None
    except (CaseError, IntegrityError) as exc:
        return None, refusal_for(exc)


def form_refusal(form: Form) -> Refusal:
    """A form that did not validate: 422, every message in one line."""
    return Refusal("; ".join(e for errors in form.errors.values() for e in errors), 422)
