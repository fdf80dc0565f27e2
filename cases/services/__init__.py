"""Every state change of a case: one function each, one module per area.

Each takes the acting user, checks permission (`permissions`), locks the case row and
checks the version the caller saw (`core`), writes its timeline entries and notices, all
in one transaction. Views, admin actions, email intake, Celery tasks and the tools call
these; none writes a case directly.

    core          the locked case, timeline entries, saved clocks, the customer's email
    errors        what a refusal raises
    permissions   what a user may do to a case now (shared with the templates)
    attachments   the one attachment policy
    transitions   status moves and their entries
    bounces       when a case counts as passed back and forth
    opening       a case comes to exist
    ownership     take, transfer, inherit
    conversation  reply, internal note, the customer's message
    lifecycle     priority, wait, resume, propose, reopen, close, confirm, auto-close
    identifiers   the customer's references
    customer      rating, notification preference
    handoffs      work another department does
    incidents     a known problem shared by many cases
    promises      estimates and delay notices
    sla_steps     what the SLA sweep does to a case

`from cases import services; services.take_ownership(...)` reaches every service.
"""

from cases.services.attachments import Refusal
from cases.services.attachments import screen as screen_attachments
from cases.services.availability import plan_absence, set_availability
from cases.services.bounces import BOUNCE_TRANSFERS, note_bounce
from cases.services.calls import ask_for_news, log_call
from cases.services.conversation import add_customer_message, add_internal_note, reply_to_customer
from cases.services.core import email_customer, write_entry
from cases.services.customer import rate_case, set_contact_details, set_notify_preference
from cases.services.errors import (
    CaseError,
    Conflict,
    InvalidTransition,
    NotAllowed,
    NotFound,
    OpenHandoffs,
    RepliedMeanwhile,
)
from cases.services.handoffs import (
    accept_handoff,
    cancel_handoff,
    cancel_open_handoffs,
    complete_handoff,
    decline_handoff,
    request_handoff,
)
from cases.services.identifiers import add_identifier, remove_identifier
from cases.services.incidents import link_case, open_incident, post_update, unlink_case
from cases.services.lifecycle import (
    auto_close,
    change_priority,
    close_case,
    confirm_resolution,
    propose_resolution,
    reopen,
    resume,
    wait_on_customer,
)
from cases.services.opening import IdentifierInput, open_case, report_case
from cases.services.ownership import deactivate_agent, take_ownership, transfer_ownership
from cases.services.permissions import allowed_actions, allowed_handoff_actions
from cases.services.promises import send_delay_notice, set_eta, settle_promises
from cases.services.routing import categories as intake_categories

__all__ = [
    "BOUNCE_TRANSFERS",
    "CaseError",
    "Conflict",
    "IdentifierInput",
    "InvalidTransition",
    "NotAllowed",
    "NotFound",
    "OpenHandoffs",
    "Refusal",
    "RepliedMeanwhile",
    "accept_handoff",
    "add_customer_message",
    "add_identifier",
    "add_internal_note",
    "allowed_actions",
    "allowed_handoff_actions",
    "ask_for_news",
    "auto_close",
    "cancel_handoff",
    "cancel_open_handoffs",
    "change_priority",
    "close_case",
    "complete_handoff",
    "confirm_resolution",
    "deactivate_agent",
    "decline_handoff",
    "email_customer",
    "intake_categories",
    "link_case",
    "log_call",
    "note_bounce",
    "open_case",
    "open_incident",
    "plan_absence",
    "post_update",
    "propose_resolution",
    "rate_case",
    "remove_identifier",
    "reopen",
    "reply_to_customer",
    "report_case",
    "request_handoff",
    "resume",
    "screen_attachments",
    "send_delay_notice",
    "set_availability",
    "set_contact_details",
    "set_eta",
    "set_notify_preference",
    "settle_promises",
    "take_ownership",
    "transfer_ownership",
    "unlink_case",
    "wait_on_customer",
    "write_entry",
]
