"""The inbound-mail webhook for mail providers: raw MIME in the body, HMAC-signed."""

import hashlib
import hmac

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from notifications import inbound

SIGNATURE_HEADER = "X-Helpdesk-Signature"


def signature(body: bytes) -> str:
    return (
        "sha256="
        + hmac.new(settings.INBOUND_HMAC_SECRET.encode(), body, hashlib.sha256).hexdigest()
    )


@csrf_exempt  # authenticated by the signature, not a browser session
@require_POST
def receive(request: HttpRequest) -> JsonResponse:
    if not settings.INBOUND_HMAC_SECRET:
        return JsonResponse({"error": "inbound webhook is not configured"}, status=404)
    given = request.headers.get(SIGNATURE_HEADER, "")
    if not hmac.compare_digest(given, signature(request.body)):
        return JsonResponse({"error": "bad signature"}, status=403)
    if len(request.body) > settings.INBOUND_MAX_BYTES + 1024 * 1024:
        return JsonResponse({"error": "too large"}, status=413)
    stored = inbound.receive(request.body, mailbox=request.GET.get("mailbox", "webhook")[:100])
    return JsonResponse(
        {
            "id": stored.pk,
            "status": stored.status,
            "case": stored.case.reference if stored.case_id else None,
            "reason": stored.reason,
        }
    )
