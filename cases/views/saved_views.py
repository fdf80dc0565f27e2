"""Saved views: an agent keeps the filters and sort on screen as a view of their own (the
sidebar's "My views"), and deletes it. Nobody reaches another person's saved view."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from cases import selectors
from cases.models import SavedView
from cases.services.saved_views import delete_saved_view, save_view
from cases.views.desk_views import view_page
from cases.views.errors import attempt
from helpdesk.accounts.access import agent_required


def _saved_view_for_user(request: HttpRequest, saved_id: int) -> SavedView:
    """The agent's own saved view, or 404: another person's does not exist for them."""
    return get_object_or_404(SavedView, pk=saved_id, owner=request.user)


@agent_required
@require_POST
def save(request: HttpRequest, slug: str) -> HttpResponse:
    """Keep the view as shown (its filters and sort are in this URL's query, as on the page)
    under the name typed; then show it. A refusal redraws the page with the name kept."""
    if slug not in selectors.VIEWS:
        raise Http404("No such view.")
    name = request.POST.get("name", "")
    saved, refusal = attempt(
        lambda: save_view(
            acting_user=request.user,
            name=name,
            view=slug,
            filters=selectors.ViewFilters.from_query(request.GET, selectors.filter_choices()),
            sort=request.GET.get("sort", ""),
        )
    )
    if refusal:
        return view_page(
            request, slug, save_name=name, save_error=refusal.message, status=refusal.status
        )
    messages.success(request, f"Saved “{saved.name}” under My views.")
    return redirect(saved.get_absolute_url())


@agent_required
@require_POST
def delete(request: HttpRequest, saved_id: int) -> HttpResponse:
    saved = _saved_view_for_user(request, saved_id)
    delete_saved_view(saved_view=saved, acting_user=request.user)
    messages.success(request, f"Deleted your view “{saved.name}”.")
    return redirect("desk:view", saved.base_view)
