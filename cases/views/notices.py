"""An agent's in-app notices: the list, marking them read, and the bell's count."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from helpdesk.accounts.access import agent_required
from notifications import outbox, selectors


@agent_required
def notices(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("notice") if i.isdigit()]
        outbox.mark_read(recipient=request.user, notice_ids=ids or None)
        if not request.htmx:
            return redirect("desk:notices")
    context = {"nav": "notices", "notices": selectors.in_app_notices(request.user)}
    if request.htmx:
        return render(request, "desk/notices.html#list", context)
    return render(request, "desk/notices.html", context)


@agent_required
@require_GET
def notice_bell(request: HttpRequest) -> HttpResponse:
    unread = selectors.unread_count(request.user)
    return render(request, "desk/base.html#bell", {"unread": unread})
