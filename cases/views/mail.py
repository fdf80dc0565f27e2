"""The desk's mail quarantine: strangers' mail and unreadable messages wait here."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from cases.views import access
from helpdesk.accounts import audit
from helpdesk.accounts.access import agent_required
from helpdesk.accounts.models import AuditEvent, Organization
from notifications import inbound, selectors
from notifications.models import InboundMessage


@agent_required
@require_GET
def quarantine(request: HttpRequest) -> HttpResponse:
    context = {
        "messages_page": Paginator(selectors.quarantined_mail(), 50).get_page(
            request.GET.get("page")
        ),
        "organizations": Organization.objects.order_by("name"),
        "nav": "mail",
    }
    return render(request, "desk/quarantine.html", context)


@agent_required
@require_POST
def decide(request: HttpRequest, message_id: int, action: str) -> HttpResponse:
    stored = access.inbound_message(request, message_id)
    if stored.status != InboundMessage.Status.QUARANTINED:
        messages.error(request, "This message was handled already.")
        return redirect("desk:quarantine")
    if action == "accept":
        organization = Organization.objects.filter(pk=request.POST.get("organization")).first()
        if organization is None:
            messages.error(request, "Choose the organisation the sender belongs to.")
            return redirect("desk:quarantine")
        inbound.accept(stored, organization=organization, acting_user=request.user)
    elif action == "reject":
        inbound.reject(stored, acting_user=request.user)
    elif action == "retry":
        inbound.process(stored)
    else:
        raise Http404("No such action")
    stored.refresh_from_db()
    where = f" → {stored.case.reference}" if stored.case_id else ""
    messages.success(request, f"{stored.get_status_display()}{where}.")
    return redirect("desk:quarantine")


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
