"""Incidents on the desk: list, page, open from similar cases, post updates, link cases."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from cases import selectors, services, similarity
from cases.forms import IncidentForm, IncidentUpdateForm
from cases.views import access
from cases.views.errors import attempt, form_refusal
from cases.views.params import int_param
from helpdesk.accounts.access import agent_required

PAGE_SIZE = 50


@agent_required
@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    incidents = Paginator(selectors.incidents(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "desk/incidents.html", {"incidents": incidents, "nav": "incidents"})


@agent_required
@require_GET
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = access.incident(request, incident_id)
    cases = Paginator(selectors.incident_cases(incident), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "incident": incident,
        "cases": cases,
        "updates": selectors.incident_updates(incident),
        "organizations": incident.organizations.all(),
        "update_form": IncidentUpdateForm(),
        "nav": "incidents",
    }
    return render(request, "desk/incident.html", context)


@agent_required
def incident_new(request: HttpRequest) -> HttpResponse:
    """Open an incident, usually in one click from a case's similar cases."""
    refs = (
        request.POST.getlist("cases") if request.method == "POST" else request.GET.getlist("cases")
    )
    selected = selectors.cases_by_references(request.user, refs[:500])
    initial = {"title": selected[0].title} if selected else {}
    form = IncidentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        incident, refusal = attempt(
            lambda: services.open_incident(
                acting_user=request.user, cases=selected, **form.cleaned_data
            )
        )
        if refusal is not None:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, f"Incident opened with {len(selected)} linked case(s).")
            return redirect("desk:incident", incident_id=incident.pk)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "selected": selected, "nav": "incidents"}
    return render(request, "desk/incident_new.html", context, status=status)


@agent_required
@require_POST
def incident_update(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = access.incident(request, incident_id)
    form = IncidentUpdateForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_refusal(form).message)
        return redirect("desk:incident", incident_id=incident.pk)
    _update, refusal = attempt(
        lambda: services.post_update(
            incident=incident,
            acting_user=request.user,
            body=form.cleaned_data["body"],
            public=form.cleaned_data["public"],
            status=form.cleaned_data["status"],
        )
    )
    if refusal is not None:
        messages.error(request, refusal.message)
    else:
        messages.success(request, "Update posted; every linked case receives it.")
    return redirect("desk:incident", incident_id=incident.pk)


@agent_required
@require_POST
def link_case(request: HttpRequest, reference: str) -> HttpResponse:
    case = access.desk_case(request, reference)
    incident_id = int_param(request.POST.get("incident"))
    if incident_id is None:
        _case, refusal = attempt(lambda: services.unlink_case(case=case, acting_user=request.user))
    else:
        incident = access.incident(request, incident_id)
        _case, refusal = attempt(
            lambda: services.link_case(case=case, incident=incident, acting_user=request.user)
        )
    if refusal is not None:
        messages.error(request, refusal.message)
    return redirect("desk:case", reference=case.reference)


@agent_required
@require_GET
def similar(request: HttpRequest, reference: str) -> HttpResponse:
    """The case page's "others reported something similar" panel, loaded after the page."""
    case = access.desk_case(request, reference)
    found = similarity.similar_to(case)
    return render(request, "desk/_similar.html", {"case": case, "similar": found})
