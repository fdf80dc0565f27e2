"""Personal API tokens: issued to their owner (the secret shown once), found from the
`Authorization: Bearer` header, revoked by their owner. Each issue and revocation is in
the audit trail."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from helpdesk.accounts import audit
from helpdesk.accounts.models import AuditEvent, User
from helpdesk.api.models import ApiToken

# hd_<prefix>_<secret>: the prefix finds the row, the whole string is digested.
TOKEN_START = "hd_"
LIFETIMES_DAYS = (30, 90, 365)
LIVE_TOKENS_PER_PERSON = 20
# last_used is written at most this often per token, not on every request.
LAST_USED_EVERY = timedelta(minutes=1)


class TokenRefused(Exception):
    """Why a token was not issued, fit to show the person."""


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def live_tokens(user: User):
    return ApiToken.objects.filter(user=user, revoked__isnull=True, expires__gt=timezone.now())


@transaction.atomic
def issue_token(
    *, user: User, name: str, scope: str, days: int, request=None
) -> tuple[ApiToken, str]:
    """A new token for `user` (any active person: agents, managers, customers). Returns the
    row and the secret, which is never stored and cannot be shown again.

    Audited: `api_token_created` with its prefix, name, scope and expiry."""
    name = name.strip()
    if not user.is_active:
        raise TokenRefused("An inactive account gets no token.")
    if not name:
        raise TokenRefused("Name the token after what will use it.")
    if scope not in ApiToken.Scope.values:
        raise TokenRefused("Choose read, or read and write.")
    if days not in LIFETIMES_DAYS:
        raise TokenRefused("Choose how long it lasts: 30, 90 or 365 days.")
    User.objects.select_for_update().filter(pk=user.pk).first()  # one issue at a time
    if live_tokens(user).count() >= LIVE_TOKENS_PER_PERSON:
        raise TokenRefused(f"You have {LIVE_TOKENS_PER_PERSON} tokens; revoke one first.")
    # Names stay unique among tokens not revoked (expired ones too: revoke to reuse).
    if ApiToken.objects.filter(user=user, name=name, revoked__isnull=True).exists():
        raise TokenRefused("You already have a token of that name; revoke it to reuse the name.")
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        digest=digest(raw),
        scope=scope,
        expires=timezone.now() + timedelta(days=days),
    )
    audit.record(
        AuditEvent.Kind.API_TOKEN_CREATED,
        request=request,
        actor=user,
        token=prefix,
        name=name,
        scope=scope,
        expires=token.expires.isoformat(),
    )
    return token, raw


def revoke_token(*, token: ApiToken, acting_user: User, request=None) -> None:
    """Its owner revokes a token: requests with it are refused from now on.

    Audited: `api_token_revoked`."""
    if token.user_id != acting_user.pk:
        raise TokenRefused("Only its owner revokes a token.")
    if ApiToken.objects.filter(pk=token.pk, revoked__isnull=True).update(revoked=timezone.now()):
        audit.record(
            AuditEvent.Kind.API_TOKEN_REVOKED,
            request=request,
            actor=acting_user,
            token=token.prefix,
        )


def token_for(raw: str) -> ApiToken | None:
    """The live token `raw` is, with its active owner; None for anything else."""
    if not raw.startswith(TOKEN_START):
        return None
    prefix = raw[len(TOKEN_START) :].split("_", 1)[0]
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, digest(raw)):
        return None
    now = timezone.now()
    if not token.is_live(now) or not token.user.is_active:
        return None
    if token.last_used is None or now - token.last_used > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token
