from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from helpdesk.accounts.access import manager_required


@manager_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/index.html", {})
