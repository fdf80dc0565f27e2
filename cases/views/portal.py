from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from helpdesk.accounts.access import portal_access


@portal_access
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"preview": request.user.is_agent})
