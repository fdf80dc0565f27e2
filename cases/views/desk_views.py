"""The desk's sidebar views: one compact, sortable list per view, narrowed by the filters
in its URL (or shown as one of the agent's saved views), the live counts of the sidebar,
and bulk actions on the rows selected (through the same services as one case).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_POST

from cases import selectors, services
from cases.models import Case, Priority, parse_reference
from cases.views.errors import attempt
from cases.views.params import int_param
from helpdesk.accounts.access import agent_required
from helpdesk.accounts.models import User

VIEW_PAGE_SIZE = 50
BULK_LIMIT = 100


@agent_required
@require_GET
def case_view(request: HttpRequest, slug: str) -> HttpResponse:
    return view_page(request, slug)


def view_page(
    request: HttpRequest,
    slug: str,
    *,
    save_name: str = "",
    save_error: str = "",
    status: int = 200,
) -> HttpResponse:
    """A view as its URL asks for it (filters, sort, page, saved view), with the form to
    save it; `save_name` and `save_error` redraw that form as typed and refused."""
    view = selectors.VIEWS.get(slug)
    if view is None:
        raise Http404("No such view.")
    choices = selectors.filter_choices()
    filters = selectors.ViewFilters.from_query(request.GET, choices)
    chosen = selectors.chosen_sort(request.GET.get("sort"))
    sort = selectors.sort_of(slug, chosen)
    saved_views = selectors.saved_views(request.user)
    # Only among the agent's own: someone else's `saved=` is just the plain view.
    saved_id = int_param(request.GET.get("saved"))
    saved = next((s for s in saved_views if s.pk == saved_id and s.base_view == slug), None)
    cases = Paginator(
        selectors.view_cases(request.user, slug, sort=sort, filters=filters), VIEW_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = selectors.view_query(filters, chosen)

    def link(*params) -> str:
        # Every link of the page keeps the filters, and the saved view it shows.
        kept = [*filters.params(), *params, *([("saved", saved.pk)] if saved else [])]
        return f"?{urlencode(kept)}"

    context = {
        "nav": saved.nav if saved else slug,
        "view": view,
        "saved": saved,
        "saved_views": saved_views,
        "cases": cases,
        "sort": sort,
        "chosen_sort": chosen,
        "columns": [
            (key, heading, link(("sort", f"-{key}" if sort == key else key)))
            for key, heading in COLUMNS
        ],
        "pages": {
            "previous": cases.has_previous()
            and link(("sort", sort), ("page", cases.previous_page_number())),
            "next": cases.has_next() and link(("sort", sort), ("page", cases.next_page_number())),
        },
        "filters": filters,
        "choices": choices,
        "priorities": Priority.choices,
        "statuses": selectors.FILTER_STATUSES,
        "clear": f"{request.path}?{urlencode({'sort': chosen})}" if chosen else request.path,
        # What is on screen can be kept as a view when it differs from the view as it comes
        # and from the saved view shown.
        "save_query": query if query and (saved is None or query != saved.query) else "",
        "save_name": save_name,
        "save_error": save_error,
        "agents": selectors.agents_for_picker(),
    }
    return render(request, "desk/view.html", context, status=status)


# The columns of a view: (sort key, heading).
COLUMNS = [
    ("reference", "Case"),
    ("title", "Title"),
    ("priority", "Priority"),
    ("status", "Status"),
    ("customer", "Customer"),
    ("due", "Next deadline"),
    ("updated", "Updated"),
]


@agent_required
@require_GET
def sidebar_counts(request: HttpRequest) -> HttpResponse:
    """The sidebar with its counts, the agent's saved views' included: drawn with the page,
    refreshed by a poll."""
    saved_views = selectors.saved_views(request.user)
    return render(
        request,
        "desk/base.html#sidebar",
        {
            "view_counts": selectors.view_counts(request.user, saved=saved_views),
            "saved_views": saved_views,
            "nav": request.GET.get("nav", ""),
        },
    )


BULK_ACTIONS = {"take", "assign", "priority", "close"}


@agent_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """One action on the selected cases, each through its service; the page says what
    happened to each (done, or refused and why)."""
    action = request.POST.get("action", "")
    references = request.POST.getlist("cases")[:BULK_LIMIT]
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "desk:dashboard"
    if action not in BULK_ACTIONS or not references:
        messages.error(request, "Select one or more cases and an action.")
        return redirect(back)
    change, problem = _bulk_change(request, action)
    if problem:
        messages.error(request, problem)
        return redirect(back)
    cases = {
        case.reference: case
        for case in Case.objects.visible_to(request.user).filter(
            pk__in=[pk for pk in map(parse_reference, references) if pk]
        )
    }
    done, refused = [], []
    for reference in references:
        case = cases.get(reference)
        if case is None:
            refused.append(f"{reference}: not found")
            continue
        _, refusal = attempt(lambda case=case: change(case))
        if refusal:
            refused.append(f"{reference}: {refusal.message}")
        else:
            done.append(reference)
    if done:
        messages.success(request, f"{BULK_WORDS[action]}: {', '.join(done)}.")
    if refused:
        messages.warning(request, "Not changed: " + "; ".join(refused))
    return redirect(back)


BULK_WORDS = {
    "take": "Taken",
    "assign": "Assigned",
    "priority": "Priority changed",
    "close": "Closed",
}


def _bulk_change(request: HttpRequest, action: str):
    """The service call for one case, or the reason the form cannot be used."""
    user = request.user
    if action == "take":
        return (
            lambda case: services.take_ownership(case=case, acting_user=user, expected_version=None)
        ), None
    if action == "assign":
        to = User.objects.filter(
            pk=int_param(request.POST.get("to")) or 0,
            is_active=True,
            role__in=[User.Role.AGENT, User.Role.MANAGER],
        ).first()
        if to is None:
            return None, "Choose who the selected cases go to."
        reason = request.POST.get("reason", "").strip() or "Assigned from a list."
        return (
            lambda case: services.transfer_ownership(
                case=case, acting_user=user, to=to, reason=reason, expected_version=None
            )
        ), None
    if action == "priority":
        priority = int_param(request.POST.get("priority"))
        if priority not in Priority.values:
            return None, "Choose the new priority."
        return (
            lambda case: services.change_priority(
                case=case, acting_user=user, priority=priority, expected_version=None
            )
        ), None
    reason = request.POST.get("reason", "").strip()
    if not reason:
        return None, "Say why the selected cases close: the customers read it."
    return (
        lambda case: services.close_case(
            case=case, acting_user=user, reason=reason, expected_version=None
        )
    ), None
