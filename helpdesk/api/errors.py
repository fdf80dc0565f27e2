"""One JSON shape for every refusal, and the statuses the desk gives the same refusals.

{"error": {"code": "conflict", "message": "…fit to show a person…", "fields": {…}},
 "case": {…the current state, when the case moved on…}}

401 unauthenticated  no token, or one unknown, expired or revoked
403 forbidden        not allowed (the service's NotAllowed; a read-only token writing)
404 not_found        nothing this caller may see by that name
409 conflict         the case moved on (a service's Conflict or InvalidTransition)
412 precondition_failed  If-Match names a version the case no longer has
422 invalid          the input, with the message of each field
429 rate_limited     too many requests for this token; Retry-After says when to retry
"""

from django.db import IntegrityError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from cases.services import CaseError
from cases.views.errors import refusal_for

CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
}


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The case has changed since the version in If-Match. Read it again."


def error_body(status_code: int, message: str, *, fields: dict | None = None) -> dict:
    error = {"code": CODES.get(status_code, "error"), "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def domain_refusal(exc: Exception) -> tuple[int, dict]:
    """A service's refusal as the desk maps it (`cases.views.errors.refusal_for`)."""
    refusal = refusal_for(exc)
    return refusal.status, error_body(refusal.status, refusal.message)


def _message(detail) -> str:
    if isinstance(detail, list):
        return " ".join(_message(d) for d in detail)
    if isinstance(detail, dict):
        return " ".join(f"{k}: {_message(v)}" for k, v in detail.items())
    return str(detail)


def exception_handler(exc, context):
    """DRF's exceptions and the services' refusals, in the one shape."""
    if isinstance(exc, CaseError | IntegrityError):
        code, body = domain_refusal(exc)
        return Response(body, status=code)
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = {name: [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])]
                  for name, msgs in detail.items()}  # fmt: skip
        message = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in fields.items())
        return Response(error_body(422, message, fields=fields), status=422)
    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.NotAuthenticated):
        message = "Send a personal token: Authorization: Bearer hd_…"
    else:
        message = _message(getattr(exc, "detail", "")) or str(exc)
    response.data = error_body(response.status_code, message)
    return response
