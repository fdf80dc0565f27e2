"""The second factor for staff (django-allauth's MFA: an authenticator app, a passkey or
security key, recovery codes): whether it is required, how a person without one enrols,
an admin's reset, and the audit trail of each enrolment, reset and failure.

Where it is required, a staff member's password alone opens no session: with a factor,
allauth's login stage asks for it; without one, they first type a code emailed to them
(`AccountAdapter.is_login_by_code_required`), and the session that follows reaches only
the enrolment pages until a factor is added (`EnrolmentMiddleware`). Single sign-on
leaves the second factor to the identity provider."""

from allauth.account.authentication import get_authentication_records
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from helpdesk.accounts import audit
from helpdesk.accounts.models import AuditEvent, SignInPolicy, User

# A factor that answers a sign-in; recovery codes only stand in for a lost one.
FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
DUE = "second_factor_due"
# What a session that must enrol first may reach.
ENROLMENT_PATHS = ("/accounts/2fa/", "/accounts/logout/", "/accounts/reauthenticate/")


def is_staff(user: User) -> bool:
    return user.is_agent or user.is_staff or user.is_superuser


def policy() -> SignInPolicy:
    return SignInPolicy.objects.filter(pk=1).first() or SignInPolicy()


def required_for(user: User) -> bool:
    if not is_staff(user):
        return False
    choice = policy().staff_second_factor
    if choice == SignInPolicy.SecondFactor.SETTING:
        return settings.MFA_REQUIRED_FOR_STAFF
    return choice == SignInPolicy.SecondFactor.REQUIRED


def has_factor(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type__in=FACTORS).exists()


def must_enrol(user: User) -> bool:
    return required_for(user) and not has_factor(user)


def signed_in_with_sso(request: HttpRequest, user: User) -> bool:
    records = get_authentication_records(request, user)
    return any(r.get("method") == "socialaccount" for r in records)


@transaction.atomic
def reset(user: User, *, request: HttpRequest) -> int:
    """Remove every factor and recovery code of `user` (an admin's action, for a lost
    phone): their next sign-in starts enrolment again. Returns how many were removed."""
    types = sorted(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    removed, _ = Authenticator.objects.filter(user=user).delete()
    audit.record(AuditEvent.Kind.SECOND_FACTOR_RESET, request=request, user=user.email, types=types)
    return removed


class EnrolmentMiddleware:
    """A session that signed in while a factor was due reaches only the enrolment pages
    until one is added. Other sessions cost nothing: the mark lives in the session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.session.get(DUE) and request.user.is_authenticated:
            if has_factor(request.user):
                del request.session[DUE]
            elif not request.path.startswith(ENROLMENT_PATHS):
                return redirect("mfa_index")
        return self.get_response(request)


@receiver(user_logged_in)
def _mark_enrolment_due(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session") or signed_in_with_sso(request, user):
        return
    if must_enrol(user):
        request.session[DUE] = True


CHANGES = {
    mfa_signals.authenticator_added: AuditEvent.Kind.SECOND_FACTOR_ADDED,
    mfa_signals.authenticator_removed: AuditEvent.Kind.SECOND_FACTOR_REMOVED,
}


@receiver(list(CHANGES))
def _changed(sender, signal, request, user, authenticator, **kwargs):
    audit.record(CHANGES[signal], request=request, actor=user, type=authenticator.type)


@receiver(mfa_signals.authenticator_used)
def _used(sender, request, user, authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        audit.record(AuditEvent.Kind.RECOVERY_CODE_USED, request=request, actor=user)


@receiver(mfa_signals.authentication_failed)
def _failed(sender, request, user, authenticator=None, **kwargs):
    audit.record(
        AuditEvent.Kind.SECOND_FACTOR_FAILED,
        request=request,
        actor=None,
        user=user.email,
        type=getattr(authenticator, "type", ""),
    )
