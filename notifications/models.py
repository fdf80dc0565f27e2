from email.utils import parseaddr

from django.db import models
from django.utils import timezone


class WorkerHeartbeat(models.Model):
    """Written by a Celery worker on beat's schedule; /healthz reads it.

    One row per worker host, so several workers on several hosts each show up.
    """

    hostname = models.CharField(max_length=255, unique=True)
    last_seen = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.hostname} at {self.last_seen:%Y-%m-%d %H:%M:%S}"


class NoticeQuerySet(models.QuerySet):
    def unread_in_app_for(self, user) -> "NoticeQuerySet":
        return self.filter(recipient=user, channel=Notice.Channel.IN_APP, read_at__isnull=True)


class Notice(models.Model):
    """The outbox: one message to one recipient on one channel.

    Written in the same transaction as the change that causes it; the unique idempotency
    key makes a second attempt to write the same message a no-op, never a duplicate.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        IN_APP = "in_app", "In-app"

    class Kind(models.TextChoices):
        # To agents (in-app, and by email where they asked for it).
        CUSTOMER_MESSAGE = "customer_message", "Customer message"
        CUSTOMER_REOPENED = "customer_reopened", "Customer says it is still broken"
        CUSTOMER_CONFIRMED = "customer_confirmed", "Customer confirmed the fix"
        CUSTOMER_RATED = "customer_rated", "Customer rated the case"
        CASE_TRANSFERRED = "case_transferred", "Case transferred to you"
        CASE_INHERITED = "case_inherited", "Case inherited from a leaver"
        HANDOFF_REQUESTED = "handoff_requested", "Handoff requested"
        HANDOFF_DONE = "handoff_done", "Handoff done"
        HANDOFF_DECLINED = "handoff_declined", "Handoff declined"
        SLA_WARNING = "sla_warning", "SLA warning"
        WAITING_FOR_OWNER = "waiting_for_owner", "New case waiting for an owner"
        CUSTOMER_CHASED = "customer_chased", "Customer asked for news"
        CALL_DUE = "call_due", "Call the customer"
        WEBHOOK_PAUSED = "webhook_paused", "Webhook paused"
        # To customers: the owner's words and the system's on the owner's behalf (the same
        # values as the timeline entries they carry).
        AGENT_REPLY = "agent_reply", "Reply to customer"
        STATUS_CHANGE = "status_change", "Status change"
        INCIDENT_LINK = "incident_link", "Known problem linked"
        INCIDENT_UPDATE = "incident_update", "Known problem update"
        DELAY_NOTICE = "delay_notice", "Delay notice"
        CONFIRMATION_REMINDER = "confirmation_reminder", "Confirmation reminder"
        OWNERSHIP_CHANGE = "ownership_change", "New owner while the owner is away"
        CALL = "call", "Notes of a phone call"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        OVERTAKEN = "overtaken", "Not sent: overtaken before it left"

    recipient = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="notices")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    entry = models.ForeignKey(
        "cases.TimelineEntry",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The timeline entry this message tells the customer about.",
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    subject = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    idempotency_key = models.CharField(max_length=255, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)
    send_after = models.DateTimeField(
        default=timezone.now, help_text="Not before: the one-voice throttle and retry backoff."
    )
    lease_until = models.DateTimeField(
        null=True, blank=True, help_text="While sending: a worker holds the row until then."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged",
        help_text="Sent as part of another notice's message (the one-voice throttle).",
    )
    message_id = models.CharField(max_length=255, blank=True)
    not_sent_because = models.CharField(
        max_length=255, blank=True, help_text="Why an overtaken update never left."
    )

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [
            # Delivery and re-drive read only what is waiting.
            models.Index(
                fields=["send_after"],
                name="notice_pending_idx",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
            models.Index(
                fields=["case", "recipient", "channel", "-sent_at"], name="notice_case_idx"
            ),
            models.Index(fields=["channel", "created"], name="notice_channel_created_idx"),
            # The webhooks' scan of emails sent since it last looked.
            models.Index(
                fields=["sent_at"],
                name="notice_email_sent_idx",
                condition=models.Q(channel="email", status="sent"),
            ),
            models.Index(
                fields=["recipient", "-created"],
                name="notice_unread_idx",
                condition=models.Q(channel="in_app", read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.recipient_id}: {self.subject}"


class InboundMessage(models.Model):
    """A received email, stored raw before anything else happens to it.

    The unique (mailbox, message_id, content_sha256) makes a redelivery a no-op while a
    different message reusing an ID is kept as its own; a message that cannot be handled
    waits in quarantine with its reason and its raw source, never dropped.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Added to a case"
        IGNORED = "ignored", "Ignored: a machine's mail (recorded, not answered)"
        QUARANTINED = "quarantined", "Quarantined"
        REJECTED = "rejected", "Rejected"

    mailbox = models.CharField(max_length=200, default="default")
    message_id = models.CharField(max_length=998)
    content_sha256 = models.CharField(
        max_length=64, blank=True, help_text="The message's own headers and body, hashed."
    )
    reuses_message_id_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="An earlier, different message with the same Message-ID.",
    )
    raw = models.FileField(upload_to="inbound/%Y/%m/", max_length=255)
    size = models.PositiveBigIntegerField()
    sender = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    reason = models.TextField(blank=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="emails"
    )
    entry = models.ForeignKey(
        "cases.TimelineEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received = models.DateTimeField(default=timezone.now)
    processed = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-received", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "message_id", "content_sha256"],
                name="inbound_message_once_per_mailbox",
            ),
        ]
        indexes = [
            models.Index(
                fields=["-received"],
                name="inbound_quarantine_idx",
                condition=models.Q(status="quarantined"),
            ),
            models.Index(
                fields=["-received"],
                name="inbound_ignored_idx",
                condition=models.Q(status="ignored"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject}"

    @property
    def sender_name(self) -> str:
        """The display name in the From header, without its quoting."""
        return parseaddr(self.sender)[0]

    @property
    def sender_address(self) -> str:
        """The address in the From header; "" when none can be read."""
        address = parseaddr(self.sender)[1]
        return address if "@" in address else ""
