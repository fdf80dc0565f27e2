"""The desk's lists of cases: the dashboard (my cases, the triage queue) and search."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from cases import selectors
from helpdesk.accounts.access import agent_required

PAGE_SIZE = 25


def queues_context(request: HttpRequest) -> dict:
    """The dashboard's two queues, each paged on its own parameter (the identifiers of
    both pages' cases read by one query), and the calls to make."""
    mine = Paginator(selectors.my_cases(request.user, identifiers=False), PAGE_SIZE).get_page(
        request.GET.get("mine")
    )
    triage = Paginator(selectors.triage_queue(request.user, identifiers=False), PAGE_SIZE).get_page(
        request.GET.get("triage")
    )
    selectors.with_identifiers(mine, triage)
    return {"mine": mine, "triage": triage, "calls": selectors.calls_to_make(request.user)}


@agent_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    context = {"nav": "dashboard", **queues_context(request)}
    if request.htmx:
        return render(request, "desk/dashboard.html#queues", context)
    return render(request, "desk/dashboard.html", context)


@agent_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    if not request.htmx and (case := selectors.case_by_reference(request.user, query)):
        return redirect("desk:case", reference=case.reference)
    results = Paginator(selectors.search_cases(request.user, query), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    capped = results.paginator.count >= selectors.SEARCH_LIMIT
    context = {"nav": "search", "q": query, "results": results, "capped": capped}
    if request.htmx and request.htmx.target == "search-results":
        return render(request, "desk/search.html#results", context)
    return render(request, "desk/search.html", context)
