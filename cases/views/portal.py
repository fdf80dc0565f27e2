"""The customer portal: my cases, the public timeline, reply, confirm, rate, report.

Every read goes through `cases.views.access` (the visibility querysets); another
organisation's case, entry, attachment or fragment is a 404. Agents may open the portal as
a preview: they read what customers read, are offered no action, and every action answers
403 for them.
"""

from contextlib import suppress

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event
from django_ratelimit.decorators import ratelimit

from cases import selectors, services, similarity
from cases.contact_forms import NotificationSettingsForm
from cases.forms import (
    IdentifierForm,
    PortalReplyForm,
    RatingForm,
    ReportCaseForm,
    StillBrokenForm,
)
from cases.models import PRIORITIES_BY_TIER, Case, Priority, Status
from cases.views import access
from cases.views.downloads import serve_attachment
from cases.views.errors import Refusal, attempt
from cases.views.params import int_param
from helpdesk.accounts.access import customer_required, portal_access
from helpdesk.accounts.views import rate_limited

PAGE_SIZE = 20


@portal_access
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    cases = Paginator(selectors.portal_cases(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "portal/home.html", {"cases": cases, "nav": "cases"})


def _case_context(request: HttpRequest, case: Case, **extra) -> dict:
    user = request.user
    satisfaction = getattr(case, "satisfaction", None) if case.status == Status.CLOSED else None
    return {
        "case": case,
        # What the customer may do now (an agent's preview offers nothing).
        "allowed": services.allowed_actions(case, user) if user.is_customer else frozenset(),
        "where": selectors.where_it_is(case),
        "reply_form": PortalReplyForm(),
        "still_broken_form": StillBrokenForm(),
        "rating_form": RatingForm(),
        "identifier_form": IdentifierForm(),
        "satisfaction": satisfaction,
        **selectors.timeline_window(user, case, public_only=True),
        **extra,
    }


@portal_access
@require_GET
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = access.portal_case(request, reference)
    return render(request, "portal/case.html", _case_context(request, case))


@portal_access
@require_GET
def case_timeline(request: HttpRequest, reference: str) -> HttpResponse:
    case = access.portal_case(request, reference)
    if "before" in request.GET:
        before = int_param(request.GET.get("before"))
        window = selectors.timeline_window(request.user, case, before=before, public_only=True)
        return render(request, "portal/case.html#earlier", {"case": case, **window})
    after = int_param(request.GET.get("after")) or 0
    window = selectors.timeline_window(request.user, case, after=after, public_only=True)
    return render(request, "portal/case.html#timeline_poll", {"case": case, **window})


def _answer(
    request: HttpRequest, case: Case, *, refusal: Refusal | None = None, notice: str = "", **forms
) -> HttpResponse:
    """After an action: the refreshed case panel (HTMX) or the page (no JavaScript). A
    refusal shows its message with the case as it is now and the forms as typed."""
    fresh = access.portal_case(request, case.reference)
    if refusal is not None:
        context = _case_context(request, fresh, error=refusal.message, **forms)
        if not request.htmx:
            return render(request, "portal/case.html", context, status=refusal.status)
        return render(request, "portal/case.html#panel", context, status=refusal.status)
    if not request.htmx:
        # Without JavaScript the page is reloaded: the confirmation travels as a message.
        messages.success(request, notice)
        return redirect("portal:case", reference=case.reference)
    response = render(
        request, "portal/case.html#panel", _case_context(request, fresh, notice=notice)
    )
    return trigger_client_event(response, "timelineChanged")


@customer_required
@require_POST
def reply(request: HttpRequest, reference: str) -> HttpResponse:
    case = access.portal_case(request, reference)
    form = PortalReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        refusal = Refusal("Check your message.", 422)
        return _answer(request, case, refusal=refusal, reply_form=form)
    _entry, refusal = attempt(
        lambda: services.add_customer_message(
            case=case,
            acting_user=request.user,
            body=form.cleaned_data["body"],
            files=form.cleaned_data["files"],
        )
    )
    if refusal is not None:
        return _answer(request, case, refusal=refusal, reply_form=form)
    return _answer(request, case, notice="Sent. Your case's owner has it.")


@customer_required
@require_POST
def confirm(request: HttpRequest, reference: str) -> HttpResponse:
    case = access.portal_case(request, reference)
    _case, refusal = attempt(
        lambda: services.confirm_resolution(
            case=case, acting_user=request.user, expected_version=None
        )
    )
    return _answer(request, case, refusal=refusal, notice="Thank you! Your case is closed.")


@customer_required
@require_POST
def ask_for_news(request: HttpRequest, reference: str) -> HttpResponse:
    """ "Any news?": the customer had to ask; the owner is told to get back to them."""
    case = access.portal_case(request, reference)
    _entry, refusal = attempt(lambda: services.ask_for_news(case=case, acting_user=request.user))
    owner = case.owner.full_name if case.owner else "Your case's owner"
    return _answer(
        request, case, refusal=refusal, notice=f"Asked. {owner} will get back to you soon."
    )


@customer_required
@require_POST
def still_broken(request: HttpRequest, reference: str) -> HttpResponse:
    case = access.portal_case(request, reference)
    form = StillBrokenForm(request.POST)
    if not form.is_valid():
        refusal = Refusal(form.errors["body"][0], 422)
        return _answer(request, case, refusal=refusal, still_broken_form=form)
    _case, refusal = attempt(
        lambda: services.reopen(
            case=case,
            acting_user=request.user,
            reason=form.cleaned_data["body"],
            expected_version=None,
        )
    )
    return _answer(
        request,
        case,
        refusal=refusal,
        still_broken_form=form,
        notice="Thank you. Your case is open again with its owner.",
    )


@customer_required
@require_POST
def rate(request: HttpRequest, reference: str) -> HttpResponse:
    case = access.portal_case(request, reference)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _answer(request, case, refusal=Refusal("Choose 1 to 5.", 422), rating_form=form)
    _rating, refusal = attempt(
        lambda: services.rate_case(case=case, acting_user=request.user, **form.cleaned_data)
    )
    return _answer(
        request, case, refusal=refusal, rating_form=form, notice="Thank you for your rating."
    )


@customer_required
@require_POST
def add_identifier(request: HttpRequest, reference: str) -> HttpResponse:
    case = access.portal_case(request, reference)
    form = IdentifierForm(request.POST)
    if not form.is_valid():
        refusal = Refusal("Give both a name and a value.", 422)
        return _answer(request, case, refusal=refusal, identifier_form=form)
    _identifier, refusal = attempt(
        lambda: services.add_identifier(case=case, acting_user=request.user, **form.cleaned_data)
    )
    return _answer(
        request,
        case,
        refusal=refusal,
        identifier_form=form,
        notice="Saved. Everyone working on your case sees it.",
    )


@customer_required
@require_POST
def remove_identifier(request: HttpRequest, reference: str, identifier_id: int) -> HttpResponse:
    case = access.portal_case(request, reference)
    _removed, refusal = attempt(
        lambda: services.remove_identifier(
            case=case, acting_user=request.user, identifier_id=identifier_id
        )
    )
    return _answer(request, case, refusal=refusal, notice="Removed.")


@portal_access
@require_GET
def attachment(request: HttpRequest, reference: str, attachment_id: int):
    case = access.portal_case(request, reference)
    return serve_attachment(request, access.attachment(request, case, attachment_id))


@customer_required
@ratelimit(key="user", rate="20/h", method="POST", block=False)
def report(request: HttpRequest) -> HttpResponse:
    """A new case, with what the customer knows; similar open cases are suggested."""
    if getattr(request, "limited", False):
        return rate_limited(request)
    allowed = PRIORITIES_BY_TIER.get(request.user.organization.sla_tier, (Priority.NORMAL,))
    form = ReportCaseForm(
        request.POST or None,
        request.FILES or None,
        allowed_priorities=allowed,
        categories=services.intake_categories(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case, refusal = attempt(
            lambda: services.report_case(
                acting_user=request.user,
                title=data["title"],
                description=data["description"],
                priority=data["priority"],
                identifiers=[services.IdentifierInput(n, v) for n, v in data["identifiers"]],
                files=data["files"],
                category=data.get("category", ""),
            )
        )
        if refusal is not None:
            form.add_error(None, refusal.message)
        else:
            _follow_known_issue(request, case)
            messages.success(request, f"Thank you. Your case {case.reference} is with us.")
            url = reverse("portal:case", kwargs={"reference": case.reference})
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    status = 422 if request.method == "POST" else 200
    return render(request, "portal/report.html", {"form": form, "nav": "report"}, status=status)


def _follow_known_issue(request: HttpRequest, case: Case) -> None:
    """The customer said their problem is a known issue: link the new case to it."""
    incident_id = int_param(request.POST.get("incident"))
    if incident_id is None:
        return
    found = selectors.open_incident_for(request.user, incident_id)
    # Resolved meanwhile: the case stands on its own, with its owner to come.
    if found is not None:
        with suppress(services.CaseError):
            services.link_case(case=case, incident=found, acting_user=request.user)


@customer_required
@require_GET
def similar(request: HttpRequest) -> HttpResponse:
    title = request.GET.get("title", "")[:200]
    cases = selectors.similar_open_cases(request.user, title)
    known = similarity.matching_incidents(title, "", via=[], visible_to=request.user)
    return render(request, "portal/report.html#similar", {"similar": cases, "known": known})


@customer_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """How the customer hears from us: every update or a daily digest, and whether a delay
    comes as a call (with their number)."""
    user = request.user
    form = NotificationSettingsForm(
        request.POST or None,
        initial={
            "notify_preference": user.notify_preference,
            "preferred_contact": user.preferred_contact,
            "phone": user.phone,
            "call_notes_by_email": user.call_notes_by_email,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _done, refusal = attempt(lambda: _save_settings(request, data))
        if refusal is None:
            messages.success(request, "Saved.")
            return redirect("portal:settings")
        form.add_error(None, refusal.message)
    status = 422 if request.method == "POST" else 200
    return render(request, "portal/settings.html", {"form": form, "nav": "settings"}, status=status)


@transaction.atomic
def _save_settings(request: HttpRequest, data: dict) -> None:
    """Both or neither: the email choice and how a delay reaches them."""
    user = request.user
    services.set_notify_preference(acting_user=user, preference=data["notify_preference"])
    services.set_contact_details(
        customer=user,
        acting_user=user,
        phone=data["phone"] if "phone" in request.POST else user.phone,
        preferred_contact=data["preferred_contact"] or user.preferred_contact,
        call_notes_by_email=data["call_notes_by_email"],
    )


@portal_access
@require_GET
def incident(request: HttpRequest, incident_id: int) -> HttpResponse:
    """A known issue's public page: only for organisations it affects (404 otherwise)."""
    found = access.incident(request, incident_id)
    context = {
        "incident": found,
        "updates": selectors.public_incident_updates(found),
        "my_cases": selectors.my_cases_on_incident(request.user, found),
    }
    return render(request, "portal/incident.html", context)
