from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from helpdesk.accounts import audit
from helpdesk.accounts.models import AuditEvent
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


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    """Every 403 is recorded in the audit trail, then explained."""
    audit.record(AuditEvent.Kind.ACCESS_DENIED, request=request, reason=str(exception or ""))
    return render(request, "403.html", {"exception": exception}, status=403)


def favicon(request: HttpRequest) -> HttpResponse:
    """The icon's static URL, looked up per request (the manifest exists only once
    `collectstatic` has run, never at import)."""
    return redirect(static("favicon.svg"), permanent=True)
