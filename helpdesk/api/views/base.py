"""What every API view shares: the case by reference through the visibility rule, the
version as an ETag, `If-Match` checked before a write, a service's refusal answered as
the desk answers it (with the current state when the case moved on), every write in the
audit trail with the token's owner as the actor."""

from collections.abc import Callable

from django.db import IntegrityError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import selectors
from cases.models import Case
from cases.services import CaseError
from cases.views import access
from helpdesk.accounts import audit
from helpdesk.accounts.models import AuditEvent
from helpdesk.api.errors import PreconditionFailed, domain_refusal, error_body
from helpdesk.api.serializers import CaseDetailSerializer


class ApiView(APIView):
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        token = getattr(request, "auth", None)
        if request.method not in SAFE_METHODS and token is not None:
            audit.record(
                AuditEvent.Kind.API_WRITE,
                request=request,
                actor=request.user,
                token=token.prefix,
                method=request.method,
                status=response.status_code,
            )
        return response


def case_or_404(request, reference: str) -> Case:
    """The case the caller may see by that reference, as the desk reads it (a case that
    exists but is not theirs is a 404, recorded in the audit trail)."""
    return access.desk_case(request, reference)


def etag(case: Case) -> str:
    return f'"{case.version}"'


def if_match(request, case: Case) -> int | None:
    """The version the caller's `If-Match` names (None without one), refused with 412
    when the case has moved on since."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    seen = header.removeprefix("W/").strip('"')
    if seen != str(case.version):
        raise PreconditionFailed()
    return case.version


def case_response(request, case: Case, *, status: int = 200, error: dict | None = None):
    """The case as the caller may see it now (the latest entries too), its version as
    the ETag; with `error`, the refusal and the current state together."""
    entries = selectors.timeline(request.user, case, public_only=not request.user.is_agent)
    body = CaseDetailSerializer(case, context={"request": request, "entries": entries}).data
    data = {**error, "case": body} if error else body
    return Response(data, status=status, headers={"ETag": etag(case)})


def change_case(request, reference: str, change: Callable[[Case, int | None], object]):
    """Run one service call on the case: `change(case, expected_version)`. Answers with
    the case after it, or the refusal (a stale version or a conflict with the case as it
    now is)."""
    case = case_or_404(request, reference)
    try:
        expected = if_match(request, case)
    except PreconditionFailed as exc:
        return case_response(request, case, status=412, error=error_body(412, str(exc.detail)))
    try:
        change(case, expected)
    except (CaseError, IntegrityError) as exc:
        code, body = domain_refusal(exc)
        if code == 409:
            return case_response(request, case_or_404(request, reference), status=409, error=body)
        return Response(body, status=code)
    return case_response(request, case_or_404(request, reference))
