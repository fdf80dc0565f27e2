"""An agent's availability (the toggle in the desk header): whether automatic routing
gives them new cases."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cases.services import routing
from cases.services.errors import CaseError
from helpdesk.accounts.access import agent_required


@agent_required
@require_POST
def availability(request: HttpRequest) -> HttpResponse:
    error = ""
    try:
        routing.set_availability(
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
