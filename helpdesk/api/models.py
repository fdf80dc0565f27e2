"""Personal API tokens: each person's own, shown once, stored as a digest, with a scope
and an expiry."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ApiToken(models.Model):
    """A key a script uses in its owner's name. The secret is never stored: only its
    SHA-256 (the secret is 256 random bits, so a plain digest is enough) and a short
    public prefix to find the row and to show in lists."""

    class Scope(models.TextChoices):
        READ = "read", "Read"
        WRITE = "write", "Read and write"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80, help_text="What uses it, to recognise it later.")
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    created = models.DateTimeField(default=timezone.now)
    expires = models.DateTimeField()
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=Q(revoked__isnull=True),
                name="api_token_name_once",
                violation_error_message="You already have a token of that name.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE

    def is_live(self, now=None) -> bool:
        return self.revoked is None and self.expires > (now or timezone.now())


class WebhookSubscription(models.Model):
    """A receiver's URL and the events it hears, signed with its secret. Managed by
    admins and department leads; paused when it keeps failing."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="webhooks"
    )
    name = models.CharField(max_length=80)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=64, help_text="Shared with the receiver to check.")
    events = models.JSONField(default=list)
    created = models.DateTimeField(default=timezone.now)
    paused_at = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=300, blank=True)
    # Failed attempts in a row (any delivery); a success sets it back to 0.
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class WebhookDelivery(models.Model):
    """One event for one subscription: the webhooks' outbox. Written in the transaction of
    the change (or of the notice's sending), delivered by the worker at least once, its
    event id the receiver's key to drop a repeat."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Delivered"
        FAILED = "failed", "Gave up"

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField()
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="webhook_delivery_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt"],
                name="webhook_due_idx",
                condition=Q(status="pending"),
            ),
            models.Index(fields=["subscription", "-created"], name="webhook_log_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.subscription_id}"


class WebhookScan(models.Model):
    """How far the scan of sent customer notices has read (one row)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    notices_sent_before = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Notices sent before {self.notices_sent_before:%Y-%m-%d %H:%M}"
