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
    limit = settings.INBOUND_MAX_BYTES + 1024 * 1024
    # Read the stream (bounded), not `request.body`: Django caps that at
    # DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), and an ordinary email with a scan is larger.
    body = request.read(limit + 1)
    if len(body) > limit:
        return JsonResponse({"error": "too large"}, status=413)
    given = request.headers.get(SIGNATURE_HEADER, "")
    # As bytes: compare_digest refuses (500) a str with anything but ASCII in it.
    if not hmac.compare_digest(given.encode(), signature(body).encode()):
        return JsonResponse({"error": "bad signature"}, status=403)
    stored = inbound.receive(body, mailbox=request.GET.get("mailbox", "webhook")[:100])
    return JsonResponse(
        {
            "id": stored.pk,
            "status": stored.status,
            "case": stored.case.reference if stored.case_id else None,
            "reason": stored.reason,
        }
    )
