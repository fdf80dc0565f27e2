from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from notifications import health


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where a signed-in person lands: agents and managers on the desk, customers on the portal."""
    if request.user.is_agent:
        return redirect("desk:dashboard")
    return redirect("portal:home")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, body = health.report()
    return JsonResponse(body, status=200 if healthy else 503)
