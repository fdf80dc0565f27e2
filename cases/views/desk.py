"""The agent desk: dashboard, search, the case page and its actions (HTMX fragments)."""

import mimetypes

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from cases import selectors, services
from cases.forms import (
    IDENTIFIER_SUGGESTIONS,
    ComposerForm,
    DelayForm,
    EtaForm,
    HandoffRequestForm,
    IdentifierForm,
    OpenCaseForm,
    PriorityForm,
    ProposeForm,
    ReasonForm,
    TransferForm,
    WaitForm,
)
from cases.models import Case, Priority
from cases.services import promises
from helpdesk.accounts import audit
from helpdesk.accounts.access import agent_required
from helpdesk.accounts.models import AuditEvent
from notifications import outbox
from notifications.models import Notice

PAGE_SIZE = 25


def _get_case(request: HttpRequest, reference: str) -> Case:
    """The one access helper: a case the agent may see, or 404."""
    case = selectors.case_for_page(request.user, reference)
    if case is None:
        raise Http404("No such case")
    return case


# --- dashboard ------------------------------------------------------------------------


def _queues_context(request: HttpRequest) -> dict:
    mine = Paginator(selectors.my_cases(request.user), PAGE_SIZE).get_page(request.GET.get("mine"))
    triage = Paginator(selectors.triage_queue(request.user), PAGE_SIZE).get_page(
        request.GET.get("triage")
    )
    return {"mine": mine, "triage": triage}


@agent_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    context = {"nav": "dashboard", **_queues_context(request)}
    if request.htmx:
        return render(request, "desk/dashboard.html#queues", context)
    return render(request, "desk/dashboard.html", context)


@agent_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    results = Paginator(selectors.search_cases(request.user, query), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    capped = results.paginator.count >= selectors.SEARCH_LIMIT
    context = {"nav": "search", "q": query, "results": results, "capped": capped}
    if request.htmx and request.htmx.target == "search-results":
        return render(request, "desk/search.html#results", context)
    return render(request, "desk/search.html", context)


# --- the case page ----------------------------------------------------------------------


def _case_context(request: HttpRequest, case: Case, **extra) -> dict:
    version = {"version": case.version}
    handoffs = selectors.case_handoffs(case)
    return {
        "handoffs": handoffs,
        "open_handoffs": [h for h in handoffs if h.is_open],
        "bounce": selectors.bounce_stats(case, handoffs),
        "my_department_ids": {d.pk for d in request.user.departments.all()},
        "handoff_form": HandoffRequestForm(),
        "case": case,
        "priorities": Priority.choices,
        "identifier_suggestions": IDENTIFIER_SUGGESTIONS,
        "transfer_form": TransferForm(initial=version),
        "wait_form": WaitForm(initial=version),
        "propose_form": ProposeForm(initial=version),
        "reason_form": ReasonForm(initial=version),
        "identifier_form": IdentifierForm(),
        "agents": selectors.agents_for_picker(),
        "is_owner": case.owner_id == request.user.pk,
        "can_steer": case.owner_id == request.user.pk or request.user.is_manager,
        **extra,
    }


@agent_required
@require_GET
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = _get_case(request, reference)
    context = _case_context(request, case, composer=ComposerForm())
    context.update(selectors.timeline_window(request.user, case))
    return render(request, "desk/case.html", context)


@agent_required
@require_GET
def case_timeline(request: HttpRequest, reference: str) -> HttpResponse:
    """Polling: entries newer than `after`; or a page of entries before `before`."""
    case = _get_case(request, reference)
    if "before" in request.GET:
        window = selectors.timeline_window(
            request.user, case, before=_int(request.GET.get("before"))
        )
        return render(request, "desk/case.html#earlier", {"case": case, **window})
    window = selectors.timeline_window(
        request.user, case, after=_int(request.GET.get("after")) or 0
    )
    return render(request, "desk/case.html#timeline_poll", {"case": case, **window})


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


@agent_required
@require_POST
def case_entry(request: HttpRequest, reference: str) -> HttpResponse:
    """The composer: a public reply (owner's voice) or an internal note (anyone)."""
    case = _get_case(request, reference)
    form = ComposerForm(request.POST, request.FILES)
    error, status = None, 422
    if form.is_valid():
        action = (
            services.reply_to_customer
            if form.cleaned_data["kind"] == ComposerForm.REPLY
            else services.add_internal_note
        )
        try:
            action(
                case=case,
                acting_user=request.user,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["files"],
            )
        except services.NotAllowed as exc:
            error, status = str(exc), 403
        except services.CaseError as exc:
            error = str(exc)
        else:
            if not request.htmx:
                return redirect("desk:case", reference=case.reference)
            context = {
                "case": case,
                "composer": ComposerForm(initial={"kind": form.cleaned_data["kind"]}),
                "composer_status": "Added to the timeline.",
            }
            response = render(request, "desk/case.html#composer", context)
            return trigger_client_event(response, "timelineChanged")
    context = {"case": case, "composer": form, "composer_error": error}
    if request.htmx:
        return render(request, "desk/case.html#composer", context, status=status)
    context = _case_context(request, case, composer=form, composer_error=error)
    context.update(selectors.timeline_window(request.user, case))
    return render(request, "desk/case.html", context, status=status)


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
        lambda case, user, data, version: promises.send_delay_notice(
            case=case, acting_user=user, message=data["message"], new_eta=data["new_eta"]
        ),
    ),
    "eta": (
        EtaForm,
        lambda case, user, data, version: promises.set_eta(
            case=case, acting_user=user, eta=data["eta"]
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
    """Run one state change; answer with the fresh header, or 409 with who changed what."""
    if action not in ACTIONS:
        raise Http404("No such action")
    case = _get_case(request, reference)
    form_class, perform = ACTIONS[action]
    version = _int(request.POST.get("version"))
    data: dict = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            errors = "; ".join(e for errs in form.errors.values() for e in errs)
            return _header_response(request, case, error=errors, status=422)
        data = form.cleaned_data
    try:
        case = perform(case, request.user, data, version)
    except services.Conflict as exc:
        fresh = selectors.case_for_page(request.user, exc.case.reference)
        return _header_response(request, fresh, error=str(exc), status=409, conflict=True)
    except services.NotAllowed as exc:
        return _header_response(request, case, error=str(exc), status=403)
    except services.CaseError as exc:
        return _header_response(request, case, error=str(exc), status=422)
    except IntegrityError:
        # The database refused it: someone changed what this depended on meanwhile (e.g.
        # the new owner was deactivated at the same moment). Nothing was written.
        fresh = selectors.case_for_page(request.user, case.reference)
        message = "That change conflicts with one made at the same moment. Review and retry."
        return _header_response(request, fresh, error=message, status=409, conflict=True)
    if request.POST.get("from") == "dashboard":
        if request.htmx:
            return render(request, "desk/dashboard.html#queues", _queues_context(request))
        return redirect("desk:case", reference=case.reference)
    if not request.htmx:
        return redirect("desk:case", reference=case.reference)
    fresh = selectors.case_for_page(request.user, case.reference)
    response = _header_response(request, fresh, status=200)
    return trigger_client_event(response, "timelineChanged")


def _header_response(
    request: HttpRequest, case: Case, *, status: int, error: str = "", conflict: bool = False
) -> HttpResponse:
    extra = {"action_error": error, "conflict": conflict}
    if request.POST.get("from") == "dashboard" and request.htmx:
        if error:
            messages.error(request, error)
        return render(
            request, "desk/dashboard.html#queues", _queues_context(request), status=status
        )
    context = _case_context(request, case, **extra)
    if request.htmx:
        return render(request, "desk/case.html#header", context, status=status)
    context.update(selectors.timeline_window(request.user, case))
    context["composer"] = ComposerForm()
    return render(request, "desk/case.html", context, status=status)


@agent_required
@require_POST
def case_identifier(request: HttpRequest, reference: str) -> HttpResponse:
    case = _get_case(request, reference)
    form = IdentifierForm(request.POST)
    if not form.is_valid():
        return _header_response(
            request, case, error="An identifier needs a name and a value.", status=422
        )
    try:
        services.add_identifier(case=case, acting_user=request.user, **form.cleaned_data)
    except services.CaseError as exc:
        return _header_response(request, case, error=str(exc), status=422)
    if not request.htmx:
        return redirect("desk:case", reference=case.reference)
    fresh = selectors.case_for_page(request.user, case.reference)
    return trigger_client_event(_header_response(request, fresh, status=200), "timelineChanged")


@agent_required
@require_GET
def attachment(request: HttpRequest, reference: str, attachment_id: int) -> FileResponse:
    case = _get_case(request, reference)
    return serve_attachment(request, selectors.attachment_for(request.user, case, attachment_id))


def serve_attachment(request: HttpRequest, found) -> FileResponse:
    """Always a download, never rendered inline: user files cannot run in our origin."""
    if found is None:
        audit.record(AuditEvent.Kind.ACCESS_DENIED, request=request, reason="attachment")
        raise Http404("No such attachment")
    audit.record(
        AuditEvent.Kind.ATTACHMENT_DOWNLOAD,
        request=request,
        attachment=found.pk,
        case=found.case_id,
        filename=found.filename,
    )
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=download_name(found.filename),
        content_type=found.content_type
        or mimetypes.guess_type(found.filename)[0]
        or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def download_name(filename: str) -> str:
    """The name a file is offered under: the sender's, less any folders (either slash),
    control characters and leading dots, which a browser or an OS could act on."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".").strip()
    return name or "attachment"


@agent_required
@require_GET
def agent_picker(request: HttpRequest) -> HttpResponse:
    agents = selectors.agents_for_picker(request.GET.get("q", "")[:100])
    return render(request, "desk/case.html#agent_options", {"agents": agents})


# --- opening a case ---------------------------------------------------------------------


@agent_required
def open_case(request: HttpRequest) -> HttpResponse:
    form = OpenCaseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.open_case(
                acting_user=request.user,
                customer=data["customer"],
                title=data["title"],
                description=data["description"],
                priority=data["priority"],
                identifiers=[services.IdentifierInput(n, v) for n, v in data["identifiers"]],
                files=data["files"],
            )
        except services.CaseError as exc:
            form.add_error(None, str(exc))
        else:
            if request.POST.get("take"):
                services.take_ownership(case=case, acting_user=request.user, expected_version=None)
            messages.success(request, f"{case.reference} opened.")
            url = reverse("desk:case", kwargs={"reference": case.reference})
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    status = 422 if request.method == "POST" else 200
    return render(request, "desk/open_case.html", {"form": form, "nav": "new"}, status=status)


# --- in-app notices -------------------------------------------------------------------


@agent_required
def notices(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("notice") if i.isdigit()]
        outbox.mark_read(recipient=request.user, notice_ids=ids or None)
        if not request.htmx:
            return redirect("desk:notices")
    items = (
        Notice.objects.filter(recipient=request.user, channel=Notice.Channel.IN_APP)
        .select_related("case")
        .order_by("-created", "-pk")[:50]
    )
    context = {"nav": "notices", "notices": items}
    if request.htmx:
        return render(request, "desk/notices.html#list", context)
    return render(request, "desk/notices.html", context)


@agent_required
@require_GET
def notice_bell(request: HttpRequest) -> HttpResponse:
    unread = Notice.objects.unread_in_app_for(request.user).count()
    return render(request, "desk/base.html#bell", {"unread": unread})
