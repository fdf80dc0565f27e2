"""The customer portal: my cases, the public timeline, reply, confirm, rate, report.

Every read goes through `Case.objects.visible_to(user)`; another organisation's case,
entry, attachment or fragment is a 404. Agents may open the portal as a preview: they read
what customers read, and every action answers 403 for them.
"""

from contextlib import suppress

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event
from django_ratelimit.decorators import ratelimit

from cases import selectors, services, similarity
from cases.forms import (
    IdentifierForm,
    NotificationSettingsForm,
    PortalReplyForm,
    RatingForm,
    ReportCaseForm,
    StillBrokenForm,
)
from cases.models import PRIORITIES_BY_TIER, Case, Incident, Priority
from cases.services import incidents as incident_services
from cases.views.desk import _int, serve_attachment
from helpdesk.accounts import audit
from helpdesk.accounts.access import customer_required, portal_access
from helpdesk.accounts.models import AuditEvent
from helpdesk.accounts.views import rate_limited

PAGE_SIZE = 20


def _get_case(request: HttpRequest, reference: str) -> Case:
    case = (
        Case.objects.visible_to(request.user)
        .by_reference(reference)
        .select_related("owner", "owning_department", "customer", "organization", "incident")
        .prefetch_related("identifiers")
        .first()
    )
    if case is None:
        if Case.objects.by_reference(reference).exists():
            # Someone else's case: answer as if it did not exist, and keep a trace.
            audit.record(AuditEvent.Kind.ACCESS_DENIED, request=request, reason="case")
        raise Http404("No such case")
    return case


@portal_access
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    cases = Paginator(selectors.portal_cases(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "portal/home.html", {"cases": cases, "nav": "cases"})


def _case_context(request: HttpRequest, case: Case, **extra) -> dict:
    satisfaction = getattr(case, "satisfaction", None) if case.status == "closed" else None
    return {
        "case": case,
        "where": selectors.where_it_is(case),
        "reply_form": PortalReplyForm(),
        "still_broken_form": StillBrokenForm(),
        "rating_form": RatingForm(),
        "identifier_form": IdentifierForm(),
        "satisfaction": satisfaction,
        "is_customer": request.user.is_customer,
        **selectors.timeline_window(request.user, case, public_only=True),
        **extra,
    }


@portal_access
@require_GET
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = _get_case(request, reference)
    return render(request, "portal/case.html", _case_context(request, case))


@portal_access
@require_GET
def case_timeline(request: HttpRequest, reference: str) -> HttpResponse:
    case = _get_case(request, reference)
    if "before" in request.GET:
        window = selectors.timeline_window(
            request.user, case, before=_int(request.GET.get("before")), public_only=True
        )
        return render(request, "portal/case.html#earlier", {"case": case, **window})
    window = selectors.timeline_window(
        request.user, case, after=_int(request.GET.get("after")) or 0, public_only=True
    )
    return render(request, "portal/case.html#timeline_poll", {"case": case, **window})


def _answer(request: HttpRequest, case: Case, *, status: int = 200, **extra) -> HttpResponse:
    """After an action: the refreshed case panel (HTMX) or the page (no JavaScript)."""
    if not request.htmx:
        if extra.get("error"):
            messages.error(request, extra["error"])
            fresh = _get_case(request, case.reference)
            return render(
                request, "portal/case.html", _case_context(request, fresh, **extra), status=status
            )
        if extra.get("notice"):
            # Without JavaScript the page is reloaded: the confirmation travels as a message.
            messages.success(request, extra["notice"])
        return redirect("portal:case", reference=case.reference)
    fresh = _get_case(request, case.reference)
    response = render(
        request, "portal/case.html#panel", _case_context(request, fresh, **extra), status=status
    )
    return trigger_client_event(response, "timelineChanged") if status == 200 else response


@customer_required
@require_POST
def reply(request: HttpRequest, reference: str) -> HttpResponse:
    case = _get_case(request, reference)
    form = PortalReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _answer(request, case, status=422, reply_form=form, error="Check your message.")
    services.add_customer_message(
        case=case,
        acting_user=request.user,
        body=form.cleaned_data["body"],
        files=form.cleaned_data["files"],
    )
    return _answer(request, case, notice="Sent. Your case's owner has it.")


@customer_required
@require_POST
def confirm(request: HttpRequest, reference: str) -> HttpResponse:
    case = _get_case(request, reference)
    try:
        services.confirm_resolution(case=case, acting_user=request.user, expected_version=None)
    except services.CaseError as exc:
        return _answer(request, case, status=409, error=str(exc))
    return _answer(request, case, notice="Thank you! Your case is closed.")


@customer_required
@require_POST
def still_broken(request: HttpRequest, reference: str) -> HttpResponse:
    case = _get_case(request, reference)
    form = StillBrokenForm(request.POST)
    if not form.is_valid():
        return _answer(
            request, case, status=422, still_broken_form=form, error=form.errors["body"][0]
        )
    try:
        services.reopen(
            case=case,
            acting_user=request.user,
            reason=form.cleaned_data["body"],
            expected_version=None,
        )
    except services.CaseError as exc:
        return _answer(request, case, status=409, error=str(exc))
    return _answer(request, case, notice="Thank you. Your case is open again with its owner.")


@customer_required
@require_POST
def rate(request: HttpRequest, reference: str) -> HttpResponse:
    case = _get_case(request, reference)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _answer(request, case, status=422, rating_form=form, error="Choose 1 to 5.")
    try:
        services.rate_case(case=case, acting_user=request.user, **form.cleaned_data)
    except services.CaseError as exc:
        return _answer(request, case, status=409, error=str(exc))
    return _answer(request, case, notice="Thank you for your rating.")


@customer_required
@require_POST
def add_identifier(request: HttpRequest, reference: str) -> HttpResponse:
    case = _get_case(request, reference)
    form = IdentifierForm(request.POST)
    if not form.is_valid():
        return _answer(request, case, status=422, error="Give both a name and a value.")
    services.add_identifier(case=case, acting_user=request.user, **form.cleaned_data)
    return _answer(request, case, notice="Saved. Everyone working on your case sees it.")


@customer_required
@require_POST
def remove_identifier(request: HttpRequest, reference: str, identifier_id: int) -> HttpResponse:
    case = _get_case(request, reference)
    try:
        services.remove_identifier(case=case, acting_user=request.user, identifier_id=identifier_id)
    except services.CaseError as exc:
        return _answer(request, case, status=404, error=str(exc))
    return _answer(request, case, notice="Removed.")


@portal_access
@require_GET
def attachment(request: HttpRequest, reference: str, attachment_id: int):
    case = _get_case(request, reference)
    return serve_attachment(request, selectors.attachment_for(request.user, case, attachment_id))


@customer_required
@ratelimit(key="user", rate="20/h", method="POST", block=False)
def report(request: HttpRequest) -> HttpResponse:
    """A new case, with what the customer knows; similar open cases are suggested."""
    if getattr(request, "limited", False):
        return rate_limited(request)
    allowed = PRIORITIES_BY_TIER.get(request.user.organization.sla_tier, (Priority.NORMAL,))
    form = ReportCaseForm(request.POST or None, request.FILES or None, allowed_priorities=allowed)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.report_case(
                acting_user=request.user,
                title=data["title"],
                description=data["description"],
                priority=data["priority"],
                identifiers=[services.IdentifierInput(n, v) for n, v in data["identifiers"]],
                files=data["files"],
            )
        except services.CaseError as exc:
            form.add_error(None, str(exc))
        else:
            _follow_known_issue(request, case)
            messages.success(request, f"Thank you. Your case {case.reference} is with us.")
            url = reverse("portal:case", kwargs={"reference": case.reference})
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    status = 422 if request.method == "POST" else 200
    return render(request, "portal/report.html", {"form": form, "nav": "report"}, status=status)


def _follow_known_issue(request: HttpRequest, case: Case) -> None:
    """The customer said their problem is a known issue: link the new case to it."""
    incident_id = _int(request.POST.get("incident"))
    if incident_id is None:
        return
    found = Incident.objects.visible_to(request.user).open().filter(pk=incident_id).first()
    # Resolved meanwhile: the case stands on its own, with its owner to come.
    if found is not None:
        with suppress(services.CaseError):
            incident_services.link_case(case=case, incident=found, acting_user=request.user)


@customer_required
@require_GET
def similar(request: HttpRequest) -> HttpResponse:
    title = request.GET.get("title", "")[:200]
    cases = selectors.similar_open_cases(request.user, title)
    known = similarity.matching_incidents(title, "", via=[], visible_to=request.user)
    return render(request, "portal/report.html#similar", {"similar": cases, "known": known})


@customer_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    form = NotificationSettingsForm(
        request.POST or None, initial={"notify_preference": request.user.notify_preference}
    )
    if request.method == "POST" and form.is_valid():
        services.set_notify_preference(
            acting_user=request.user, preference=form.cleaned_data["notify_preference"]
        )
        messages.success(request, "Saved.")
        return redirect("portal:settings")
    return render(request, "portal/settings.html", {"form": form, "nav": "settings"})


@portal_access
@require_GET
def incident(request: HttpRequest, incident_id: int) -> HttpResponse:
    """A known issue's public page: only for organisations it affects (404 otherwise)."""
    found = Incident.objects.visible_to(request.user).filter(pk=incident_id).first()
    if found is None:
        raise Http404("No such incident")
    updates = found.updates.filter(visibility="public").order_by("-created", "-pk")
    my_cases = Case.objects.visible_to(request.user).filter(incident=found).order_by("pk")[:20]
    context = {"incident": found, "updates": updates, "my_cases": my_cases}
    return render(request, "portal/incident.html", context)
