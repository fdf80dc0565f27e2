"""The desk's case page: the header with the actions this agent may take, the shared
timeline (polled), the composer, the handoffs panel, identifiers and attachments."""

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from cases import presence, selectors, services
from cases.forms import (
    IDENTIFIER_SUGGESTIONS,
    ComposerForm,
    HandoffRequestForm,
    IdentifierForm,
    ProposeForm,
    ReasonForm,
    TransferForm,
    WaitForm,
)
from cases.models import CallDirection, CallOutcome, Case, Priority, TimelineEntry
from cases.views import access
from cases.views.downloads import serve_attachment
from cases.views.errors import Refusal, attempt
from cases.views.params import int_param
from helpdesk.accounts.access import agent_required
from helpdesk.accounts.models import Department, User

MORE_ACTIONS = ("transfer", "priority", "wait", "call", "eta", "close")


def case_context(request: HttpRequest, case: Case, **extra) -> dict:
    """What the header and the handoffs panel need: the case, the actions this agent may
    take now (`allowed`, one rule with the services), the handoffs with theirs."""
    user = request.user
    version = {"version": case.version}
    handoffs = selectors.case_handoffs(case)
    # The agent's departments matter only to a case with handoffs.
    department_ids = {d.pk for d in user.departments.all()} if handoffs else set()
    for handoff in handoffs:
        handoff.case = case  # the permission rule reads the case's owner
        handoff.actions = services.allowed_handoff_actions(
            handoff, user, department_ids=department_ids
        )
    allowed = services.allowed_actions(case, user)
    contact = selectors.contact(case, now=timezone.now())
    return {
        "case": case,
        "allowed": allowed,
        "handoffs": handoffs,
        "open_handoffs": [h for h in handoffs if h.is_open],
        "bounce": selectors.bounce_stats(case, handoffs),
        "handoff_form": HandoffRequestForm(),
        # The departments to ask, read once (a form's choices would count them first), and
        # only for an agent who may ask.
        "handoff_departments": list(Department.objects.order_by("name").values_list("pk", "name"))
        if "request_handoff" in allowed
        else [],
        "priorities": Priority.choices,
        "identifier_suggestions": IDENTIFIER_SUGGESTIONS,
        "transfer_form": TransferForm(initial=version),
        "wait_form": WaitForm(initial=version),
        "propose_form": ProposeForm(initial=version),
        "reason_form": ReasonForm(initial=version),
        "identifier_form": IdentifierForm(),
        "contact": contact,
        # The toolbar's second rank, under "More actions" (a call task puts the call first).
        "more_actions": [
            action
            for action in MORE_ACTIONS
            if action in allowed and not (action == "call" and contact.call)
        ],
        "call_outcomes": CallOutcome.choices,
        "call_directions": CallDirection.choices,
        # The transfer panel reads the agents when it opens; drawn open (a transfer was
        # refused), it shows them at once.
        "agents": selectors.agents_for_picker() if extra.get("open_action") == "transfer" else [],
        **extra,
    }


def page_response(request: HttpRequest, case: Case, *, status: int = 200, **extra):
    """The whole case page (first load, and every answer to a browser without HTMX).

    Drawing it marks the agent as viewing the case, and shows who else is (the slot then
    polls `desk_presence`); a reply carries the newest entry drawn (`seen_entry`)."""
    context = case_context(request, case, **extra)
    context.update(selectors.timeline_window(request.user, case))
    if "composer" not in context:
        answer = _customer_awaits_answer(context["entries"], context["allowed"])
        kind = ComposerForm.REPLY if answer else ComposerForm.NOTE
        context["composer"] = ComposerForm(initial={"kind": kind})
    context.setdefault("seen_entry", context["last_id"])
    context["present"] = presence.seen(case.pk, request.user, writing=False)
    return render(request, "desk/case.html", context, status=status)


def _customer_awaits_answer(entries: list[TimelineEntry], allowed: frozenset[str]) -> bool:
    """The customer had the last public word and this agent is the one who answers: the
    composer opens as a reply (otherwise as an internal note, the safe default)."""
    last = next((entry for entry in reversed(entries) if not entry.is_internal), None)
    return "reply" in allowed and last is not None and bool(last.actor and last.actor.is_customer)


@agent_required
@require_GET
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return page_response(request, access.desk_case(request, reference))


@agent_required
@require_GET
def case_timeline(request: HttpRequest, reference: str) -> HttpResponse:
    """Polling: entries newer than `after`; or a page of entries before `before`."""
    case = access.desk_case(request, reference)
    if "before" in request.GET:
        before = int_param(request.GET.get("before"))
        window = selectors.timeline_window(request.user, case, before=before)
        return render(request, "desk/case.html#earlier", {"case": case, **window})
    after = int_param(request.GET.get("after")) or 0
    window = selectors.timeline_window(request.user, case, after=after)
    return render(request, "desk/case.html#timeline_poll", {"case": case, **window})


def _write(case: Case, user: User, data: dict) -> TimelineEntry:
    """The composer's words: a reply checked against what the agent had seen, or a note;
    a reply with a follow-up is the proposal, or the question the case waits on."""
    if data["then"] == ComposerForm.PROPOSE:
        services.propose_resolution(
            case=case, acting_user=user, body=data["body"], expected_version=None
        )
        return case.timeline.order_by("-pk").first()
    if data["then"] == ComposerForm.WAIT:
        services.wait_on_customer(
            case=case, acting_user=user, expected_version=None, message=data["body"]
        )
        return case.timeline.order_by("-pk").first()
    if data["kind"] == ComposerForm.REPLY:
        return services.reply_to_customer(
            case=case,
            acting_user=user,
            body=data["body"],
            files=data["files"],
            seen_entry=data["seen_entry"],
        )
    return services.add_internal_note(
        case=case, acting_user=user, body=data["body"], files=data["files"]
    )


@agent_required
@require_POST
def case_entry(request: HttpRequest, reference: str) -> HttpResponse:
    """The composer: a public reply (owner's voice) or an internal note (anyone).

    A reply is held back (409) when someone else wrote to or from the customer after the
    entry the page showed last (`seen_entry`): the agent reads what came, with their words
    kept, and sends anyway (the form now carries the newest entry shown) or rewrites.
    """
    case = access.desk_case(request, reference)
    form = ComposerForm(request.POST, request.FILES)
    refusal = None
    meanwhile: list[TimelineEntry] = []
    if form.is_valid():
        data = form.cleaned_data
        replying = data["kind"] == ComposerForm.REPLY
        entry, refusal = attempt(lambda: _write(case, request.user, data))
        if refusal is None:
            if not request.htmx:
                return redirect("desk:case", reference=case.reference)
            if data["then"]:  # the case moved: draw it afresh, header and all
                return HttpResponseClientRedirect(reverse("desk:case", args=[case.reference]))
            context = {
                "case": case,
                "allowed": services.allowed_actions(case, request.user),
                # Back to an internal note after every send: the next words stay in-house
                # unless the agent chooses the customer again.
                "composer": ComposerForm(),
                # The agent's own reply is the newest public word they know of.
                "seen_entry": entry.pk if replying else data["seen_entry"],
                "composer_status": "Sent to the customer." if replying else "Internal note added.",
            }
            response = render(request, "desk/case.html#composer", context)
            return trigger_client_event(response, "timelineChanged")
        if refusal.stale and replying and data["seen_entry"] is not None:
            meanwhile = selectors.replied_meanwhile(case, request.user, after=data["seen_entry"])
    # The form comes back as typed: nothing the agent wrote is lost.
    refusal = refusal or Refusal("", 422)
    composer = {
        "composer": form,
        "composer_error": "" if meanwhile else refusal.message,
        "replied_meanwhile": meanwhile,
        "meanwhile_message": refusal.message if meanwhile else "",
        # Sending again confirms what the warning showed, and nothing newer.
        "seen_entry": meanwhile[-1].pk if meanwhile else form.cleaned_data.get("seen_entry"),
    }
    if request.htmx:
        context = {"case": case, "allowed": services.allowed_actions(case, request.user)}
        response = render(
            request, "desk/case.html#composer", {**context, **composer}, status=refusal.status
        )
        # What was written meanwhile shows on the timeline too.
        return trigger_client_event(response, "timelineChanged") if meanwhile else response
    return page_response(request, case, status=refusal.status, **composer)


@agent_required
@require_GET
def attachment(request: HttpRequest, reference: str, attachment_id: int) -> FileResponse:
    case = access.desk_case(request, reference)
    return serve_attachment(request, access.attachment(request, case, attachment_id))


@agent_required
@require_GET
def agent_picker(request: HttpRequest) -> HttpResponse:
    agents = selectors.agents_for_picker(request.GET.get("q", "")[:100])
    return render(request, "desk/case.html#agent_options", {"agents": agents})
