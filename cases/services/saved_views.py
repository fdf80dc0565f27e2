"""An agent's saved views: a name for their filters and sort over one of the desk's views,
listed under "My views" in their sidebar.

Personal: each agent saves and deletes only their own, and nobody else ever reads them.
They change no case, so they write nothing to any timeline.
"""

from django.db import transaction

from cases.models import SavedView
from cases.selectors.views import VIEWS, ViewFilters, view_query
from cases.services.errors import CaseError, NotAllowed
from cases.services.permissions import require_agent
from helpdesk.accounts.models import User

# A sidebar past this many stops being a list one reads at a glance.
SAVED_VIEW_LIMIT = 20
NAME_MAX_LENGTH = SavedView._meta.get_field("name").max_length


@transaction.atomic
def save_view(
    *, acting_user: User, name: str, view: str, filters: ViewFilters, sort: str = ""
) -> SavedView:
    """Keep the agent's filters and sort over `view` under `name`, as their own view.

    Who: any agent, for themselves. The name is theirs once (whatever its case), and an
    agent keeps at most SAVED_VIEW_LIMIT views. Stores the query normalised
    (`selectors.view_query`), so the same choices always read the same.
    """
    require_agent(acting_user)
    name = " ".join(name.split())
    if view not in VIEWS:
        raise CaseError("There is no such view to save.")
    if not name:
        raise CaseError("Name your view.")
    if len(name) > NAME_MAX_LENGTH:
        raise CaseError(f"Keep the name to {NAME_MAX_LENGTH} characters.")
    query = view_query(filters, sort)
    if not query:
        raise CaseError("Choose a filter or a sort first: this is the view as it comes.")
    # One agent saving from two tabs at once: their row's lock makes the count and the
    # name check below see each other's result.
    User.objects.select_for_update().filter(pk=acting_user.pk).first()
    mine = SavedView.objects.filter(owner=acting_user)
    if mine.count() >= SAVED_VIEW_LIMIT:
        raise CaseError(
            f"You already keep {SAVED_VIEW_LIMIT} views, the most one person may: "
            "delete one you no longer use first."
        )
    if mine.filter(name__iexact=name).exists():
        raise CaseError(f"You already have a view named “{name}”: choose another name.")
    return SavedView.objects.create(owner=acting_user, name=name, base_view=view, query=query)


@transaction.atomic
def delete_saved_view(*, saved_view: SavedView, acting_user: User) -> None:
    """Delete one of the agent's saved views. Who: its owner only."""
    if saved_view.owner_id != acting_user.pk:
        raise NotAllowed("Only its owner can delete a saved view.")
    saved_view.delete()
