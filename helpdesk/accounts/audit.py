"""The audit trail: sign-ins, failures, role changes, downloads and denied accesses."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from helpdesk.accounts.models import AuditEvent


def client_ip(request) -> str | None:
    if request is None:
        return None
    # REMOTE_ADDR is set by the server (or by the proxy middleware the deployer trusts).
    return request.META.get("REMOTE_ADDR") or None


def record(kind: str, *, request=None, actor=None, **data) -> AuditEvent:
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        ip=client_ip(request),
        path=(request.get_full_path()[:500] if request is not None else ""),
        data=data,
    )


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    record(AuditEvent.Kind.SIGN_IN, request=request, actor=user)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(AuditEvent.Kind.SIGN_OUT, request=request, actor=user)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    # Never the password: only the address that was tried.
    record(
        AuditEvent.Kind.SIGN_IN_FAILED,
        request=request,
        actor=None,
        username=str(credentials.get("username", ""))[:254],
    )
