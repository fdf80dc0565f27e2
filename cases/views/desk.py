from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from helpdesk.accounts.access import agent_required


@agent_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "desk/dashboard.html", {})
