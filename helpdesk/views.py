from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from helpdesk.accounts import audit
from helpdesk.accounts.models import AuditEvent, SupportIdentity
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


@require_GET
def logo(request: HttpRequest) -> HttpResponse:
    """The support organisation's logo, for every page including the sign-in page. Its URL
    carries the identity's version, so browsers may keep it. Its type was read from its
    bytes when it was uploaded (`SupportIdentityForm`)."""
    row = SupportIdentity.objects.filter(pk=1).exclude(logo_type="").first()
    if row is None:
        raise Http404("No logo is set.")
    response = HttpResponse(bytes(row.logo), content_type=row.logo_type)
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
