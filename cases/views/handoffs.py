"""Handoffs on the desk: the department queue and each handoff's actions."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from cases import selectors, services
from cases.forms import (
    HandoffCancelForm,
    HandoffDeclineForm,
    HandoffDoneForm,
    HandoffRequestForm,
)
from cases.models import Handoff
from cases.services import handoffs as handoff_services
from cases.views.desk import _case_context, _get_case, _int
from helpdesk.accounts.access import agent_required

QUEUE_LIMIT = 100

ACTIONS = {
    "accept": (None, lambda h, user, data: handoff_services.accept_handoff(
        handoff=h, acting_user=user)),
    "done": (HandoffDoneForm, lambda h, user, data: handoff_services.complete_handoff(
        handoff=h, acting_user=user, result=data["result"],
        customer_summary=data["customer_summary"])),
    "decline": (HandoffDeclineForm, lambda h, user, data: handoff_services.decline_handoff(
        handoff=h, acting_user=user, reason=data["reason"])),
    "cancel": (HandoffCancelForm, lambda h, user, data: handoff_services.cancel_handoff(
        handoff=h, acting_user=user, note=data["note"])),
}  # fmt: skip


def _queue_context(request: HttpRequest) -> dict:
    department_id = _int(request.GET.get("department"))
    handoffs = selectors.department_queue(request.user, department_id=department_id)
    items = list(handoffs[:QUEUE_LIMIT])
    # The page lists the first QUEUE_LIMIT; the count says how many are really waiting
    # (always counted, so the page costs the same queries at any queue length).
    total = handoffs.count()
    return {"nav": "queue", "handoffs": items, "total": total, "department_id": department_id}


@agent_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    context = _queue_context(request)
    if request.htmx:
        return render(request, "desk/queue.html#queue", context)
    context["departments"] = request.user.departments.all()
    return render(request, "desk/queue.html", context)


@agent_required
@require_POST
def request_handoff(request: HttpRequest, reference: str) -> HttpResponse:
    case = _get_case(request, reference)
    form = HandoffRequestForm(request.POST)
    error, status = "", 422
    if form.is_valid():
        try:
            handoff_services.request_handoff(
                case=case, acting_user=request.user, **form.cleaned_data
            )
        except services.NotAllowed as exc:
            error, status = str(exc), 403
        except services.CaseError as exc:
            error = str(exc)
        else:
            return _handoffs_response(request, case, status=200)
    else:
        error = "; ".join(e for errs in form.errors.values() for e in errs)
    return _handoffs_response(request, case, status=status, error=error, form=form)


@agent_required
@require_POST
def handoff_action(request: HttpRequest, handoff_id: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("No such action")
    handoff = (
        Handoff.objects.visible_to(request.user)
        .select_related("case")
        .filter(pk=handoff_id)
        .first()
    )
    if handoff is None:
        raise Http404("No such handoff")
    form_class, perform = ACTIONS[action]
    data, error, status = {}, "", 200
    if form_class is not None:
        form = form_class(request.POST)
        if form.is_valid():
            data = form.cleaned_data
        else:
            error, status = "; ".join(e for errs in form.errors.values() for e in errs), 422
    if not error:
        try:
            perform(handoff, request.user, data)
        except services.NotAllowed as exc:
            error, status = str(exc), 403
        except services.CaseError as exc:
            error, status = str(exc), 422
    if request.POST.get("from") == "queue":
        if not request.htmx:
            if error:
                messages.error(request, error)
            return redirect("desk:queue")
        context = {**_queue_context(request), "queue_error": error}
        return render(request, "desk/queue.html#queue", context, status=status)
    return _handoffs_response(request, handoff.case, status=status, error=error)


def _handoffs_response(
    request: HttpRequest, case, *, status: int, error: str = "", form=None
) -> HttpResponse:
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("desk:case", reference=case.reference)
    fresh = selectors.case_for_page(request.user, case.reference)
    context = _case_context(request, fresh, handoff_error=error)
    if form is not None and error:
        context["handoff_form"] = form
    response = render(request, "desk/case.html#handoffs", context, status=status)
    return trigger_client_event(response, "timelineChanged") if status == 200 else response
