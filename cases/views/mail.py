"""The desk's mail quarantine: strangers' mail and unreadable messages wait here for an
agent to read and decide (accept, add to a case, retry, reject)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_POST

from cases import selectors as case_selectors
from cases.services import CaseError
from cases.views import access
from helpdesk.accounts import audit
from helpdesk.accounts.access import agent_required
from helpdesk.accounts.models import AuditEvent, Organization, User
from notifications import inbound, quarantine, selectors
from notifications.models import InboundMessage

DECISIONS = ("accept", "add", "retry", "reject")
# What an agent may still decide for mail in each state: ignored mail can be read as a
# customer's after all, or put on a case.
OPEN_DECISIONS = {
    InboundMessage.Status.QUARANTINED: DECISIONS,
    InboundMessage.Status.IGNORED: ("accept", "add"),
}


@agent_required
@require_GET
def quarantine_list(request: HttpRequest) -> HttpResponse:
    """Mail waiting for a decision, or (`?show=ignored`) the machines' mail we recorded
    without answering: both listed with their reasons, nothing out of view."""
    ignored = request.GET.get("show") == "ignored"
    found = selectors.ignored_mail() if ignored else selectors.quarantined_mail()
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    other = selectors.quarantined_mail() if ignored else selectors.ignored_mail()
    counts = {"ignored": page.paginator.count, "quarantined": other.count()}
    if not ignored:
        counts = {"ignored": counts["quarantined"], "quarantined": counts["ignored"]}
    context = {"messages_page": page, "ignored": ignored, "counts": counts, "nav": "mail"}
    return render(request, "desk/quarantine.html", context)


@agent_required
@require_GET
def message(request: HttpRequest, message_id: int) -> HttpResponse:
    return _message_page(request, access.inbound_message(request, message_id))


def _message_page(
    request: HttpRequest, stored: InboundMessage, *, error: str = "", status: int = 200
) -> HttpResponse:
    address = stored.sender_address
    context = {
        "stored": stored,
        "known_customer": address
        and User.objects.filter(email__iexact=address, role=User.Role.CUSTOMER).first(),
        "mail": selectors.readable_mail(stored),
        "organizations": Organization.objects.order_by("name"),
        "error": error,
        "posted": request.POST if request.method == "POST" else {},
        "nav": "mail",
    }
    return render(request, "desk/quarantine_message.html", context, status=status)


@agent_required
@require_POST
def decide(request: HttpRequest, message_id: int, action: str) -> HttpResponse:
    if action not in DECISIONS:
        raise Http404("No such action")
    stored = access.inbound_message(request, message_id)
    was = stored.status
    if action not in OPEN_DECISIONS.get(was, ()):
        messages.error(request, "This message was handled already.")
        return redirect("desk:quarantine")
    try:
        customer = _decide(request, stored, action)
    except CaseError as refusal:
        return _message_page(request, stored, error=str(refusal), status=422)
    stored.refresh_from_db()
    if stored.status == InboundMessage.Status.QUARANTINED or stored.status == was:
        return _message_page(request, stored, error=f"Still waiting: {stored.reason}", status=422)
    messages.success(request, _outcome(stored, customer))
    return redirect(reverse("desk:quarantine") + ("?show=ignored" if was == "ignored" else ""))


def _decide(request: HttpRequest, stored: InboundMessage, action: str) -> User | None:
    """Carry out the decision; returns the customer whose mail it became, if any."""
    data = request.POST
    if action == "accept":
        customer = None
        if email := data.get("customer", "").strip():
            customer = User.objects.filter(email__iexact=email, role=User.Role.CUSTOMER).first()
            if customer is None:
                raise CaseError(f"No customer has the address {email}.")
        organization = Organization.objects.filter(pk=data.get("organization") or 0).first()
        if customer is None and organization is None:
            raise CaseError("Choose the organisation the sender belongs to, or a customer.")
        return quarantine.accept(
            stored,
            acting_user=request.user,
            organization=organization,
            customer=customer,
            address=data.get("address", ""),
            name=data.get("name", ""),
        )
    if action == "add":
        reference = data.get("reference", "").strip()
        case = case_selectors.case_by_reference(request.user, reference)
        if case is None:
            raise CaseError(f"No case {reference or 'was named'}: give a reference like C-000123.")
        quarantine.add_to_case(stored, case=case, acting_user=request.user)
    elif action == "retry":
        inbound.process(stored)
    elif data.get("confirm") != "yes":
        raise CaseError("Tick the box to confirm: a rejected message is kept but never answered.")
    else:
        quarantine.reject(stored, acting_user=request.user)
    return None


def _outcome(stored: InboundMessage, customer: User | None) -> str:
    """What became of the message (whose mail it is now, and its case, linked)."""
    if stored.case_id:
        url = reverse("desk:case", kwargs={"reference": stored.case.reference})
        if customer is not None:
            return format_html(
                'Added to a case → <a href="{}">{}</a> as the mail of {} ({}).',
                url,
                stored.case.reference,
                customer.full_name,
                customer.email,
            )
        return format_html('Added to a case → <a href="{}">{}</a>.', url, stored.case.reference)
    return f"{stored.get_status_display()}: the message is kept and will not be answered."


@agent_required
@require_GET
def raw(request: HttpRequest, message_id: int) -> FileResponse:
    stored = access.inbound_message(request, message_id)
    audit.record(AuditEvent.Kind.ATTACHMENT_DOWNLOAD, request=request, raw_mail=stored.pk)
    response = FileResponse(
        stored.raw.open("rb"),
        as_attachment=True,
        filename=f"message-{stored.pk}.eml",
        content_type="message/rfc822",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
