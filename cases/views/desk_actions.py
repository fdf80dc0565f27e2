"""The case page's state changes: each posts to one service and answers with the fresh
header, or with the refusal (`cases.views.errors`): 403, 409 with who changed what, or
422 with the action's panel open as the agent typed it."""

from django.contrib import messages
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from cases import services
from cases.contact_forms import CallForm, ContactDetailsForm
from cases.forms import (
    DelayForm,
    EtaForm,
    IdentifierForm,
    PriorityForm,
    ProposeForm,
    ReasonForm,
    TransferForm,
    WaitForm,
)
from cases.models import Case
from cases.views import access
from cases.views.desk_case import case_context, page_response
from cases.views.desk_queues import queues_context
from cases.views.errors import Refusal, attempt, form_refusal
from cases.views.params import int_param
from helpdesk.accounts.access import agent_required

# Each action: the form that validates it, and how to call its service.
ACTIONS = {
    "take": (
        None,
        lambda case, user, data, version: services.take_ownership(
            case=case, acting_user=user, expected_version=version
        ),
    ),
    "transfer": (
        TransferForm,
        lambda case, user, data, version: services.transfer_ownership(
            case=case, acting_user=user, to=data["to"], reason=data["reason"],
            expected_version=version,
        ),
    ),
    "priority": (
        PriorityForm,
        lambda case, user, data, version: services.change_priority(
            case=case, acting_user=user, priority=data["priority"], expected_version=version
        ),
    ),
    "wait": (
        WaitForm,
        lambda case, user, data, version: services.wait_on_customer(
            case=case, acting_user=user, expected_version=version, message=data["message"]
        ),
    ),
    "resume": (
        None,
        lambda case, user, data, version: services.resume(
            case=case, acting_user=user, expected_version=version
        ),
    ),
    "propose": (
        ProposeForm,
        lambda case, user, data, version: services.propose_resolution(
            case=case, acting_user=user, body=data["body"], expected_version=version,
            cancel_open_handoffs=data["cancel_open_handoffs"],
        ),
    ),
    "delay": (
        DelayForm,
        lambda case, user, data, version: services.send_delay_notice(
            case=case, acting_user=user, message=data["message"], new_eta=data["new_eta"]
        ),
    ),
    "eta": (
        EtaForm,
        lambda case, user, data, version: services.set_eta(
            case=case, acting_user=user, eta=data["eta"]
        ),
    ),
    "call": (
        CallForm,
        lambda case, user, data, version: services.log_call(
            case=case, acting_user=user, direction=data["direction"], outcome=data["outcome"],
            notes=data["notes"], new_eta=data["new_eta"], alternatives=data["alternatives"],
            chase=data["chase"],
        ),
    ),
    "reopen": (
        ReasonForm,
        lambda case, user, data, version: services.reopen(
            case=case, acting_user=user, reason=data["reason"], expected_version=version
        ),
    ),
    "close": (
        ReasonForm,
        lambda case, user, data, version: services.close_case(
            case=case, acting_user=user, reason=data["reason"], expected_version=version
        ),
    ),
}  # fmt: skip


@agent_required
@require_POST
def case_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    """Run one state change; answer with the fresh header, or the refusal."""
    if action not in ACTIONS:
        raise Http404("No such action")
    case = access.desk_case(request, reference)
    form_class, perform = ACTIONS[action]
    version = int_param(request.POST.get("version"))
    data: dict = {}
    form = None
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            return header_response(
                request, case, refusal=form_refusal(form), action=action, form=form
            )
        data = form.cleaned_data
    changed, refusal = attempt(lambda: perform(case, request.user, data, version))
    if refusal is not None:
        return header_response(request, case, refusal=refusal, action=action, form=form)
    if request.POST.get("from") == "dashboard":
        if request.htmx:
            return render(request, "desk/dashboard.html#queues", queues_context(request))
        return redirect("desk:case", reference=changed.reference)
    if not request.htmx:
        return redirect("desk:case", reference=changed.reference)
    fresh = access.desk_case(request, changed.reference)
    return trigger_client_event(header_response(request, fresh), "timelineChanged")


@agent_required
@require_POST
def case_identifier(request: HttpRequest, reference: str) -> HttpResponse:
    case = access.desk_case(request, reference)
    form = IdentifierForm(request.POST)
    if not form.is_valid():
        refusal = Refusal("An identifier needs a name and a value.", 422)
        return header_response(request, case, refusal=refusal, action="identifier", form=form)
    _identifier, refusal = attempt(
        lambda: services.add_identifier(case=case, acting_user=request.user, **form.cleaned_data)
    )
    if refusal is not None:
        return header_response(request, case, refusal=refusal, action="identifier", form=form)
    if not request.htmx:
        return redirect("desk:case", reference=case.reference)
    fresh = access.desk_case(request, case.reference)
    return trigger_client_event(header_response(request, fresh), "timelineChanged")


@agent_required
@require_POST
def customer_contact(request: HttpRequest, reference: str) -> HttpResponse:
    """An agent takes down the customer's phone and whether they prefer a call."""
    case = access.desk_case(request, reference)
    form = ContactDetailsForm(request.POST)
    if not form.is_valid():
        refusal = form_refusal(form)
        return header_response(request, case, refusal=refusal, action="contact", form=form)
    data = form.cleaned_data
    _customer, refusal = attempt(
        lambda: services.set_contact_details(
            customer=case.customer,
            acting_user=request.user,
            phone=data["phone"],
            preferred_contact=data["preferred_contact"] or case.customer.preferred_contact,
        )
    )
    if refusal is not None:
        return header_response(request, case, refusal=refusal, action="contact", form=form)
    if not request.htmx:
        return redirect("desk:case", reference=case.reference)
    return header_response(request, access.desk_case(request, case.reference))


def header_response(
    request: HttpRequest,
    case: Case,
    *,
    refusal: Refusal | None = None,
    action: str = "",
    form: Form | None = None,
) -> HttpResponse:
    """The case header after an action. A refusal shows its message: on a stale page
    (409) with the fresh state; on invalid input (422) with the action's panel open and
    the form as typed."""
    status = refusal.status if refusal else 200
    if refusal is not None and refusal.stale:
        case = access.desk_case(request, case.reference)
    if request.POST.get("from") == "dashboard" and request.htmx:
        if refusal is not None:
            messages.error(request, refusal.message)
        return render(request, "desk/dashboard.html#queues", queues_context(request), status=status)
    extra = {
        "action_error": refusal.message if refusal else "",
        "conflict": bool(refusal and refusal.stale),
        # Invalid input: reopen the panel the agent used, with what they typed.
        "open_action": action if refusal is not None and refusal.status == 422 else "",
        "action_form": form if refusal is not None and refusal.status == 422 else None,
        # The facts beside the conversation follow the header (out of band).
        "facts_swap": bool(request.htmx),
    }
    if request.htmx:
        return render(
            request, "desk/case.html#header", case_context(request, case, **extra), status=status
        )
    return page_response(request, case, status=status, **extra)
