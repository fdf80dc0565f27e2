"""The desk's page for opening a case on a customer's behalf (phone, walk-in)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from cases import services
from cases.forms import OpenCaseForm
from cases.views.errors import attempt
from helpdesk.accounts.access import agent_required


@agent_required
def open_case(request: HttpRequest) -> HttpResponse:
    form = OpenCaseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case, refusal = attempt(
            lambda: services.open_case(
                acting_user=request.user,
                customer=data["customer"],
                title=data["title"],
                description=data["description"],
                priority=data["priority"],
                identifiers=[services.IdentifierInput(n, v) for n, v in data["identifiers"]],
                files=data["files"],
            )
        )
        if refusal is not None:
            form.add_error(None, refusal.message)
        else:
            if request.POST.get("take"):
                services.take_ownership(case=case, acting_user=request.user, expected_version=None)
            messages.success(request, f"{case.reference} opened.")
            url = reverse("desk:case", kwargs={"reference": case.reference})
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    status = 422 if request.method == "POST" else 200
    return render(request, "desk/open_case.html", {"form": form, "nav": "new"}, status=status)
