"""One access helper per object a URL names: what the asking user may see, or 404.

Every read goes through the visibility querysets (`Case.objects.visible_to` and the
related ones). Something that exists but is not the user's to see answers exactly like
something that does not exist, and the attempt is recorded in the audit trail the same
way for every kind of object.
"""

from django.http import Http404, HttpRequest

from cases import selectors
from cases.models import Attachment, Case, Handoff, Incident
from helpdesk.accounts import audit
from helpdesk.accounts.models import AuditEvent
from notifications.models import InboundMessage


def _not_found(request: HttpRequest, what: str, *, exists: bool) -> Http404:
    """The 404 for an object the user may not reach; recorded when it does exist."""
    if exists:
        audit.record(AuditEvent.Kind.ACCESS_DENIED, request=request, reason=what)
    return Http404(f"No such {what}")


def desk_case(request: HttpRequest, reference: str) -> Case:
    """The case page's case, with what its header shows."""
    case = selectors.case_for_page(request.user, reference)
    if case is None:
        raise _not_found(request, "case", exists=Case.objects.by_reference(reference).exists())
    return case


def portal_case(request: HttpRequest, reference: str) -> Case:
    """The customer's case (or an agent's preview of it), with what the portal shows."""
    case = selectors.portal_case(request.user, reference)
    if case is None:
        raise _not_found(request, "case", exists=Case.objects.by_reference(reference).exists())
    return case


def attachment(request: HttpRequest, case: Case, attachment_id: int) -> Attachment:
    """A file on a timeline entry the user may read (never on an internal one for a
    customer)."""
    found = selectors.attachment_for(request.user, case, attachment_id)
    if found is None:
        exists = Attachment.objects.filter(pk=attachment_id).exists()
        raise _not_found(request, "attachment", exists=exists)
    return found


def incident(request: HttpRequest, incident_id: int) -> Incident:
    """An incident: every one for agents, the ones affecting their organisation for
    customers."""
    found = Incident.objects.visible_to(request.user).filter(pk=incident_id).first()
    if found is None:
        exists = Incident.objects.filter(pk=incident_id).exists()
        raise _not_found(request, "incident", exists=exists)
    return found


def handoff(request: HttpRequest, handoff_id: int) -> Handoff:
    """A handoff on a case the user may see, with its case."""
    found = (
        Handoff.objects.visible_to(request.user)
        .select_related("case")
        .filter(pk=handoff_id)
        .first()
    )
    if found is None:
        exists = Handoff.objects.filter(pk=handoff_id).exists()
        raise _not_found(request, "handoff", exists=exists)
    return found


def inbound_message(request: HttpRequest, message_id: int) -> InboundMessage:
    """A stored email, for the agents who handle the mail quarantine."""
    found = InboundMessage.objects.filter(pk=message_id).first()
    if found is None:
        raise _not_found(request, "message", exists=False)
    return found
