"""What a service raises when a rule refuses a change; every message is fit to show.

Views turn these into answers in one place (`cases.views.errors`): refused → 403,
invalid → 422 with the form kept, stale → 409 with the fresh state, not found → 404.
"""

from cases.models import Case, TimelineEntry


class CaseError(Exception):
    """A domain rule refused the change; the message is fit to show the user."""


class NotAllowed(CaseError):
    """The acting user may not do this to this case."""


class NotFound(CaseError):
    """The thing to change is not on this case (a stale link or a guessed id)."""


class InvalidTransition(CaseError):
    """The case's status does not allow this change."""


class OpenHandoffs(CaseError):
    """Resolution proposed while departments still work on the case; needs confirmation."""


class Conflict(CaseError):
    """Someone changed the case since the caller saw it; `case` is the fresh state."""

    def __init__(self, message: str, *, case: Case):
        super().__init__(message)
        self.case = case


class RepliedMeanwhile(Conflict):
    """Someone else wrote on the case (to or from the customer) after the entry the writer
    last saw; `entries` are those they have not seen, oldest first."""

    def __init__(self, message: str, *, case: Case, entries: list[TimelineEntry]):
        super().__init__(message, case=case)
        self.entries = entries
