"""Who else is on a case: the case page's presence slot polls here ("Sam Ortiz is viewing",
"Sam Ortiz is writing a reply"), so two agents see each other before their answers cross.

A GET only reads (and marks the agent as viewing); the heartbeat that says the agent is
writing changes what others see, so it is a POST, with the CSRF token htmx sends.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from cases import presence
from cases.views import access
from helpdesk.accounts.access import agent_required


@agent_required
@require_http_methods(["GET", "POST"])
def case_presence(request: HttpRequest, reference: str) -> HttpResponse:
    """Mark the agent on the case (writing while their composer has words: `writing=1`,
    posted) and answer with the other agents there; nothing when they are alone."""
    if request.method == "GET" and "writing" in request.GET:
        return HttpResponseNotAllowed(["POST"])
    case = access.desk_case(request, reference)
    writing = request.method == "POST" and request.POST.get("writing") == "1"
    present = presence.seen(case.pk, request.user, writing=writing)
    return render(request, "desk/_presence.html#others", {"present": present})
