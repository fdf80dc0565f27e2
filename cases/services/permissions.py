"""One rule for "what may this user do to this case now".

`allowed_actions(case, user)` is read by every template that shows an action, and
`require(case, user, action)` by every service before it changes anything, so a button is
shown exactly when its action would be accepted. The rule depends on who the user is
(an agent, the owner or a manager, a customer of the case's organisation) and on the
case's status; data-dependent refusals (an empty reply, a stale version, a second
rating) stay in the services.
"""

from dataclasses import dataclass

from cases.models import Case, Handoff, HandoffStatus, Status
from cases.services.errors import InvalidTransition, NotAllowed
from helpdesk.accounts.models import User

ACTIVE = frozenset(
    {Status.NEW, Status.OPEN, Status.WAITING_ON_CUSTOMER, Status.PENDING_CONFIRMATION}
)
ANY = frozenset(Status.values)
WORKING = frozenset({Status.NEW, Status.OPEN, Status.WAITING_ON_CUSTOMER})

# Who may act.
AGENT = "agent"  # any active agent, from any department
STEER = "steer"  # the case's owner or a manager
TRIAGE = "triage"  # any agent while the case is unowned, else the owner or a manager
CUSTOMER = "customer"  # an active customer of the case's organisation
STEER_OR_CUSTOMER = "steer_or_customer"
AGENT_OR_CUSTOMER = "agent_or_customer"


@dataclass(frozen=True)
class Rule:
    who: str
    statuses: frozenset
    verb: str = ""  # "Only the case's owner or a manager can <verb>."
    status_message: str = ""  # why the status refuses it; "" → the transition table's words
    becomes: str = ""  # the status the action moves the case to, for the default message


RULES: dict[str, Rule] = {
    # The desk.
    "take": Rule(AGENT, frozenset({Status.NEW})),
    "transfer": Rule(
        TRIAGE, ACTIVE, "transfer it", "A closed case keeps its owner; reopen it first."
    ),
    "priority": Rule(
        TRIAGE, ACTIVE, "change its priority", "A closed case's priority cannot change."
    ),
    "wait": Rule(
        STEER, frozenset({Status.OPEN}), "wait on the customer", becomes=Status.WAITING_ON_CUSTOMER
    ),
    "resume": Rule(
        STEER,
        frozenset({Status.WAITING_ON_CUSTOMER}),
        "resume work",
        "Only a case waiting on the customer can be resumed.",
    ),
    "propose": Rule(
        STEER,
        frozenset({Status.OPEN, Status.WAITING_ON_CUSTOMER}),
        "propose a resolution",
        becomes=Status.PENDING_CONFIRMATION,
    ),
    "delay": Rule(
        STEER,
        WORKING,
        "tell the customer about a delay",
        "Only a case we are still working on can be delayed.",
    ),
    "eta": Rule(
        STEER, WORKING, "set the estimate", "Only a case we are still working on needs an estimate."
    ),
    "reopen": Rule(
        STEER_OR_CUSTOMER,
        frozenset({Status.PENDING_CONFIRMATION, Status.CLOSED}),
        "reopen it",
        "Only a case pending confirmation or closed can be reopened.",
    ),
    "close": Rule(
        STEER,
        frozenset({Status.OPEN, Status.WAITING_ON_CUSTOMER, Status.PENDING_CONFIRMATION}),
        "close it",
        becomes=Status.CLOSED,
    ),
    "reply": Rule(STEER, ANY, "write to the customer"),
    "call": Rule(STEER, ANY, "log a call with the customer"),
    "note": Rule(AGENT, ANY),
    "identifier": Rule(AGENT_OR_CUSTOMER, ANY),
    "request_handoff": Rule(
        STEER, ACTIVE, "request a handoff", "A closed case gets no new handoffs; reopen it first."
    ),
    "cancel_handoff": Rule(STEER, ANY, "cancel a handoff"),
    "link_incident": Rule(AGENT_OR_CUSTOMER, ANY),
    # The customer's own.
    "message": Rule(CUSTOMER, ANY),
    "confirm": Rule(
        CUSTOMER,
        frozenset({Status.PENDING_CONFIRMATION}),
        status_message="There is no proposed resolution to confirm.",
    ),
    "rate": Rule(
        CUSTOMER,
        frozenset({Status.CLOSED}),
        status_message="You can rate a case once it is closed.",
    ),
    "chase": Rule(
        CUSTOMER,
        frozenset({Status.NEW, Status.OPEN}),
        status_message="Your case is waiting for you or closed: there is no news to ask for.",
    ),
}

CUSTOMER_REFUSALS = {
    "message": "Only the customer's organisation can write here.",
    "confirm": "Only the customer can confirm the fix.",
}


def is_customer_of(case: Case, user: User) -> bool:
    return bool(
        user.is_active and user.is_customer and user.organization_id == case.organization_id
    )


def is_agent(user: User) -> bool:
    return bool(user.is_active and user.is_agent)


def can_steer(case: Case, user: User) -> bool:
    """The owner or a manager decides what happens to an owned case."""
    return is_agent(user) and (case.owner_id == user.pk or user.is_manager)


def _who_refusal(rule: Rule, action: str, case: Case, user: User) -> str:
    """Why this user may not do this at all ("" when they may)."""
    agent, customer = is_agent(user), is_customer_of(case, user)
    if rule.who == AGENT:
        return "" if agent else "Only agents can do this."
    if rule.who == CUSTOMER:
        return "" if customer else CUSTOMER_REFUSALS.get(action, "This is not your case.")
    if rule.who == AGENT_OR_CUSTOMER:
        if agent or customer:
            return ""
        return "This is not your case." if user.is_customer else "Only agents can do this."
    if rule.who == STEER_OR_CUSTOMER and user.is_customer:
        return "" if customer else "This is not your case."
    if not agent:
        return "Only agents can do this."
    if rule.who == TRIAGE and case.owner_id is None:
        return ""
    if can_steer(case, user):
        return ""
    return f"Only the case's owner or a manager can {rule.verb}."


def _status_refusal(rule: Rule, case: Case) -> str:
    if case.status in rule.statuses:
        return ""
    if rule.status_message:
        return rule.status_message
    target = Status(rule.becomes).label.lower() if rule.becomes else "changed this way"
    return f"A case that is {case.get_status_display().lower()} cannot become {target}."


def require(case: Case, user: User, action: str) -> None:
    """Refuse (NotAllowed, InvalidTransition) unless `user` may do `action` to `case` now."""
    require_person(case, user, action)
    require_status(case, action)


def require_person(case: Case, user: User, action: str) -> None:
    """Refuse (NotAllowed) unless `user` is someone who may do `action` to this case."""
    refusal = _who_refusal(RULES[action], action, case, user)
    if refusal:
        raise NotAllowed(refusal)


def require_status(case: Case, action: str) -> None:
    """Refuse (InvalidTransition) unless the case's status lets `action` happen."""
    refusal = _status_refusal(RULES[action], case)
    if refusal:
        raise InvalidTransition(refusal)


def require_agent(user: User) -> None:
    if not is_agent(user):
        raise NotAllowed("Only agents can do this.")


def allowed_actions(case: Case, user: User) -> frozenset[str]:
    """Every action `user` may take on `case` now: what the page offers."""
    allowed = {
        action
        for action, rule in RULES.items()
        if not _who_refusal(rule, action, case, user) and not _status_refusal(rule, case)
    }
    if case.owner_id is not None:
        allowed.discard("take")
    if case.owner_id == user.pk and case.ownership_lapsed and is_agent(user):
        allowed.add("keep")  # the lead who inherited it keeps it for real
    return frozenset(allowed)


# --- handoffs ---------------------------------------------------------------------------

# Each handoff action and the status it moves the handoff to (`HANDOFF_TRANSITIONS`).
HANDOFF_MOVES = {
    "accept": HandoffStatus.ACCEPTED,
    "done": HandoffStatus.DONE,
    "decline": HandoffStatus.DECLINED,
}


def works_in(handoff: Handoff, user: User, department_ids: set[int]) -> bool:
    """A member of the handoff's department (or a manager) does its work."""
    return is_agent(user) and (user.is_manager or handoff.department_id in department_ids)


def allowed_handoff_actions(
    handoff: Handoff, user: User, *, department_ids: set[int]
) -> frozenset[str]:
    """What `user` may do to this handoff now; `department_ids` are the user's own."""
    allowed = set()
    if works_in(handoff, user, department_ids):
        allowed |= {a for a, status in HANDOFF_MOVES.items() if handoff.can_move_to(status)}
    if handoff.is_open and can_steer(handoff.case, user):
        allowed.add("cancel")
    return frozenset(allowed)
