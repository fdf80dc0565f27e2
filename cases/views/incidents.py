"""Incidents on the desk: list, page, open from similar cases, post updates, link cases."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from cases import similarity
from cases.forms import IncidentForm, IncidentUpdateForm
from cases.models import Case, Incident
from cases.services import CaseError
from cases.services import incidents as incident_services
from cases.views.desk import _get_case, _int
from helpdesk.accounts.access import agent_required

PAGE_SIZE = 50


def _get_incident(request: HttpRequest, incident_id: int) -> Incident:
    incident = Incident.objects.visible_to(request.user).filter(pk=incident_id).first()
    if incident is None:
        raise Http404("No such incident")
    return incident


@agent_required
@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    items = Incident.objects.select_related("created_by").order_by(
        F("resolved_at").asc(nulls_first=True), "-created"
    )
    return render(
        request,
        "desk/incidents.html",
        {
            "incidents": Paginator(items, PAGE_SIZE).get_page(request.GET.get("page")),
            "nav": "incidents",
        },
    )


@agent_required
@require_GET
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = _get_incident(request, incident_id)
    cases = Paginator(
        Case.objects.filter(incident=incident)
        .select_related("customer", "organization", "owner", "owning_department")
        .order_by("pk"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    updates = incident.updates.select_related("author").order_by("-created", "-pk")
    context = {
        "incident": incident,
        "cases": cases,
        "updates": updates,
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
    selected = [c for ref in refs[:500] for c in Case.objects.by_reference(ref)]
    initial = {"title": selected[0].title} if selected else {}
    form = IncidentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            incident = incident_services.open_incident(
                acting_user=request.user, cases=selected, **form.cleaned_data
            )
        except CaseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Incident opened with {len(selected)} linked case(s).")
            return redirect("desk:incident", incident_id=incident.pk)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "selected": selected, "nav": "incidents"}
    return render(request, "desk/incident_new.html", context, status=status)


@agent_required
@require_POST
def incident_update(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = _get_incident(request, incident_id)
    form = IncidentUpdateForm(request.POST)
    if form.is_valid():
        try:
            incident_services.post_update(
                incident=incident,
                acting_user=request.user,
                body=form.cleaned_data["body"],
                public=form.cleaned_data["public"],
                status=form.cleaned_data["status"],
            )
        except CaseError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Update posted; every linked case receives it.")
    else:
        messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
    return redirect("desk:incident", incident_id=incident.pk)


@agent_required
@require_POST
def link_case(request: HttpRequest, reference: str) -> HttpResponse:
    case = _get_case(request, reference)
    incident_id = _int(request.POST.get("incident"))
    try:
        if incident_id is None:
            incident_services.unlink_case(case=case, acting_user=request.user)
        else:
            incident = _get_incident(request, incident_id)
            incident_services.link_case(case=case, incident=incident, acting_user=request.user)
    except CaseError as exc:
        messages.error(request, str(exc))
    return redirect("desk:case", reference=case.reference)


@agent_required
@require_GET
def similar(request: HttpRequest, reference: str) -> HttpResponse:
    """The case page's "others reported something similar" panel, loaded after the page."""
    case = _get_case(request, reference)
    found = similarity.similar_to(case)
    return render(request, "desk/_similar.html", {"case": case, "similar": found})
