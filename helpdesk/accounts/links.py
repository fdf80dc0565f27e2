"""Passwordless sign-in links: single use, expiring, stored only as a hash."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from helpdesk.accounts.models import SignInLink, User


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def send_link(email: str) -> bool:
    """Email a sign-in link to an active customer. Says nothing about unknown addresses:
    the caller shows the same message either way."""
    user = User.objects.filter(
        email__iexact=email.strip(), is_active=True, role=User.Role.CUSTOMER
    ).first()
    if user is None:
        return False
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    SignInLink.objects.create(
        user=user,
        token_hash=_hash(token),
        created=now,
        expires=now + timedelta(minutes=settings.SIGN_IN_LINK_MINUTES),
    )
    url = settings.SITE_URL + reverse("link_redeem", kwargs={"token": token})
    context = {"user": user, "url": url, "minutes": settings.SIGN_IN_LINK_MINUTES}
    send_mail(
        subject="Your sign-in link",
        message=render_to_string("email/sign_in_link.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
    return True


@transaction.atomic
def redeem(token: str) -> User | None:
    """The link's user if it is unused and unexpired; it is spent either way."""
    link = (
        SignInLink.objects.select_for_update()
        .select_related("user")
        .filter(token_hash=_hash(token))
        .first()
    )
    if link is None or link.used_at is not None:
        return None
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    if link.expires < link.used_at or not link.user.is_active:
        return None
    return link.user


def peek(token: str) -> bool:
    """Whether the link would still work (for the confirmation page)."""
    return SignInLink.objects.filter(
        token_hash=_hash(token), used_at__isnull=True, expires__gte=timezone.now()
    ).exists()
