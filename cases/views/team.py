"""The team: an agent's availability (the toggle in the desk header), and the lead's view
of their departments (load against capacity, who is away, new cases waiting for an owner),
from which a lead assigns a waiting case, sets someone's availability or plans an absence."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cases import selectors, services
from cases.services.errors import CaseError
from cases.team_forms import AbsenceForm
from cases.views import access
from helpdesk.accounts.access import agent_required
from helpdesk.accounts.models import User


@agent_required
@require_POST
def availability(request: HttpRequest) -> HttpResponse:
    error = ""
    try:
        services.set_availability(
            agent=request.user,
            acting_user=request.user,
            availability=request.POST.get("availability", ""),
        )
    except CaseError as refusal:
        error = str(refusal)
    if request.htmx:
        return render(
            request, "desk/base.html#availability", {"error": error}, status=422 if error else 200
        )
    return redirect(request.POST.get("next") or "desk:dashboard")


@agent_required
@require_GET
def team(request: HttpRequest) -> HttpResponse:
    return _team_page(request, AbsenceForm(user=request.user))


def _team_page(request: HttpRequest, form: AbsenceForm, *, status: int = 200) -> HttpResponse:
    context = {
        "teams": selectors.teams(request.user, now=timezone.now()),
        "absence_form": form,
        "availabilities": User.Availability.choices,
        "nav": "team",
    }
    return render(request, "desk/team.html", context, status=status)


@agent_required
@require_POST
def set_agent_availability(request: HttpRequest, agent_id: int) -> HttpResponse:
    agent = get_object_or_404(User, pk=agent_id, is_active=True)
    try:
        services.set_availability(
            agent=agent, acting_user=request.user, availability=request.POST.get("availability")
        )
    except CaseError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"{agent.full_name} is now {agent.get_availability_display()}.")
    return redirect("desk:team")


@agent_required
@require_POST
def plan_absence(request: HttpRequest) -> HttpResponse:
    form = AbsenceForm(request.POST, user=request.user)
    if not form.is_valid():
        return _team_page(request, form, status=422)
    data = form.cleaned_data
    try:
        services.plan_absence(
            agent=data["agent"],
            acting_user=request.user,
            starts=data["starts"],
            ends=data["ends"],
            cover=data["cover"],
        )
    except CaseError as refusal:
        form.add_error(None, str(refusal))
        return _team_page(request, form, status=422)
    messages.success(request, f"{data['agent'].full_name}'s absence is planned.")
    return redirect("desk:team")


@agent_required
@require_POST
def assign(request: HttpRequest, reference: str) -> HttpResponse:
    case = access.desk_case(request, reference)
    to = User.objects.filter(pk=request.POST.get("to") or 0, is_active=True).first()
    try:
        if to is None:
            raise CaseError("Choose the agent who will own it.")
        services.transfer_ownership(
            case=case,
            acting_user=request.user,
            to=to,
            reason=f"Assigned from the team view by {request.user.full_name}.",
            expected_version=None,
        )
    except CaseError as refusal:
        messages.error(request, f"{case.reference}: {refusal}")
    else:
        messages.success(request, f"{case.reference} is now owned by {to.full_name}.")
    return redirect("desk:team")
