"""Handoffs on the desk: the department queue and each handoff's actions."""

from django.contrib import messages
from django.db.models import prefetch_related_objects
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
from cases.views import access
from cases.views.desk_case import case_context
from cases.views.errors import Refusal, attempt, form_refusal
from cases.views.params import int_param
from helpdesk.accounts.access import agent_required

QUEUE_LIMIT = 100

ACTIONS = {
    "accept": (None, lambda h, user, data: services.accept_handoff(handoff=h, acting_user=user)),
    "done": (HandoffDoneForm, lambda h, user, data: services.complete_handoff(
        handoff=h, acting_user=user, result=data["result"],
        customer_summary=data["customer_summary"])),
    "decline": (HandoffDeclineForm, lambda h, user, data: services.decline_handoff(
        handoff=h, acting_user=user, reason=data["reason"])),
    "cancel": (HandoffCancelForm, lambda h, user, data: services.cancel_handoff(
        handoff=h, acting_user=user, note=data["note"])),
}  # fmt: skip


def _queue_context(request: HttpRequest) -> dict:
    department_id = int_param(request.GET.get("department"))
    handoffs = selectors.department_queue(request.user, department_id=department_id)
    items = list(handoffs[:QUEUE_LIMIT])
    # The agent's departments, read once: the buttons each row offers, the page's filter.
    prefetch_related_objects([request.user], "departments")
    department_ids = {d.pk for d in request.user.departments.all()}
    for handoff in items:
        handoff.actions = services.allowed_handoff_actions(
            handoff, request.user, department_ids=department_ids
        )
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
    case = access.desk_case(request, reference)
    form = HandoffRequestForm(request.POST)
    if not form.is_valid():
        return _handoffs_response(request, case, refusal=form_refusal(form), form=form)
    _handoff, refusal = attempt(
        lambda: services.request_handoff(case=case, acting_user=request.user, **form.cleaned_data)
    )
    return _handoffs_response(request, case, refusal=refusal, form=form)


@agent_required
@require_POST
def handoff_action(request: HttpRequest, handoff_id: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("No such action")
    handoff = access.handoff(request, handoff_id)
    form_class, perform = ACTIONS[action]
    data: dict = {}
    refusal: Refusal | None = None
    if form_class is not None:
        form = form_class(request.POST)
        if form.is_valid():
            data = form.cleaned_data
        else:
            refusal = form_refusal(form)
    if refusal is None:
        _done, refusal = attempt(lambda: perform(handoff, request.user, data))
    if request.POST.get("from") == "queue":
        status = refusal.status if refusal else 200
        if not request.htmx:
            if refusal is not None:
                messages.error(request, refusal.message)
            return redirect("desk:queue")
        context = {**_queue_context(request), "queue_error": refusal.message if refusal else ""}
        return render(request, "desk/queue.html#queue", context, status=status)
    return _handoffs_response(request, handoff.case, refusal=refusal)


def _handoffs_response(
    request: HttpRequest, case, *, refusal: Refusal | None, form=None
) -> HttpResponse:
    """The case page's handoffs panel, fresh; a refused request keeps the form as typed."""
    if not request.htmx:
        if refusal is not None:
            messages.error(request, refusal.message)
        return redirect("desk:case", reference=case.reference)
    fresh = access.desk_case(request, case.reference)
    context = case_context(request, fresh, handoff_error=refusal.message if refusal else "")
    if form is not None and refusal is not None:
        context["handoff_form"] = form
    status = refusal.status if refusal else 200
    response = render(request, "desk/case.html#handoffs", context, status=status)
    return trigger_client_event(response, "timelineChanged") if refusal is None else response
