"""Call tasks: when a case is about to be late and the customer prefers the phone (or the
case is high priority), its owner is asked to call before the written notice would go."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class CallDirection(models.TextChoices):
    OUTBOUND = "outbound", "We called the customer"
    INBOUND = "inbound", "The customer called us"


class CallOutcome(models.TextChoices):
    REACHED = "reached", "Reached them"
    VOICEMAIL = "voicemail", "Left a voicemail"
    NO_ANSWER = "no_answer", "No answer"


class CallTask(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "To call"
        DONE = "done", "Called"
        EXPIRED = "expired", "The written notice went instead"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="call_tasks")
    owner = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="call_tasks")
    due = models.DateTimeField(help_text="Before the automatic written notice would go.")
    deadline = models.DateTimeField(help_text="The deadline the call is about.")
    target = models.CharField(max_length=30)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "target", "deadline"], name="call_task_once_per_deadline"
            )
        ]
        indexes = [
            models.Index(
                fields=["owner", "due"], name="call_task_open_idx", condition=Q(status="open")
            )
        ]

    def __str__(self) -> str:
        return f"Call about {self.case_id} by {self.due:%Y-%m-%d %H:%M}"
