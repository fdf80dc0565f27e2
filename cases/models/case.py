"""Cases, their customer identifiers and ratings (the timeline is in `timeline`).

Invariants live in the database (constraints here, triggers in migrations): a case that is
not `new` has an owner; an open case's owner is an active agent; timeline entries are never
updated or deleted. State changes happen only in `cases.services`.
"""

import re
from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Priority(models.IntegerChoices):
    LOW = 10, "Low"
    NORMAL = 20, "Normal"
    HIGH = 30, "High"
    URGENT = 40, "Urgent"


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    WAITING_ON_CUSTOMER = "waiting_on_customer", "Waiting on customer"
    PENDING_CONFIRMATION = "pending_confirmation", "Pending confirmation"
    CLOSED = "closed", "Closed"


# How each status is said to a customer, in the portal and in every email.
# The cases that count against an agent's capacity: every case not closed. A fix awaiting
# the customer's confirmation keeps its place: "still broken" brings it back to its owner
# at any moment, and that owner must have room for it.
ACTIVE_STATUSES = (
    Status.NEW,
    Status.OPEN,
    Status.WAITING_ON_CUSTOMER,
    Status.PENDING_CONFIRMATION,
)

CUSTOMER_STATUS: dict[str, str] = {
    Status.NEW: "Received: we're finding the right person",
    Status.OPEN: "We're working on it",
    Status.WAITING_ON_CUSTOMER: "Waiting for your reply",
    Status.PENDING_CONFIRMATION: "We think it's fixed — please confirm",
    Status.CLOSED: "Closed",
}

# The one place that decides which status changes are allowed.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.OPEN}),
    Status.OPEN: frozenset(
        {Status.WAITING_ON_CUSTOMER, Status.PENDING_CONFIRMATION, Status.CLOSED}
    ),
    Status.WAITING_ON_CUSTOMER: frozenset(
        {Status.OPEN, Status.PENDING_CONFIRMATION, Status.CLOSED}
    ),
    Status.PENDING_CONFIRMATION: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset({Status.OPEN}),
}

REFERENCE_RE = re.compile(r"^\s*(?:C-?)?0*(\d{1,12})\s*$", re.IGNORECASE)


def parse_reference(reference: str) -> int | None:
    """`C-000123`, `c-123` or `123` → 123; anything else → None."""
    match = REFERENCE_RE.match(reference or "")
    return int(match.group(1)) if match else None


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CaseQuerySet":
        """Every read that depends on who asks goes through here.

        Agents (and managers) see every case; a customer sees their organisation's cases;
        anyone else sees nothing.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_agent:
            return self.all()
        if user.is_customer and user.organization_id:
            cases = self.filter(organization_id=user.organization_id)
            if user.organization.customers_see_own_cases_only:
                cases = cases.filter(customer=user)
            return cases
        return self.none()

    def by_reference(self, reference: str) -> "CaseQuerySet":
        number = parse_reference(reference)
        return self.filter(pk=number) if number is not None else self.none()

    def active(self) -> "CaseQuerySet":
        return self.exclude(status=Status.CLOSED)


class Case(models.Model):
    """A customer's problem, with exactly one accountable owner once triaged."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases_reported"
    )
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="cases"
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.NEW)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_owned",
    )
    owning_department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    intake_department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The department the case started in (intake rules; its routing applies).",
    )
    category = models.CharField(
        max_length=80, blank=True, help_text="What the customer said it is about (portal)."
    )
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)
    first_owned_at = models.DateTimeField(null=True, blank=True)
    first_department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The first owner's department (time-to-owner report).",
    )
    ownership_changes = models.PositiveIntegerField(
        default=0, help_text="Times the case changed hands after its first owner."
    )
    bounced = models.BooleanField(
        default=False,
        help_text="Passed back and forth: an owner got it back, or a department was asked "
        "twice, or it changed hands more than three times.",
    )
    ownership_lapsed = models.BooleanField(
        default=False, help_text="The owner left; a lead holds the case until a real owner."
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    # SLA clocks, recomputed by the services on the events that move them.
    first_responded_at = models.DateTimeField(null=True, blank=True)
    last_public_update = models.DateTimeField(null=True, blank=True)
    quiet_updates = models.PositiveSmallIntegerField(
        default=0,
        help_text="Automatic updates since a person last wrote: each one waits longer.",
    )
    first_response_due = models.DateTimeField(null=True, blank=True)
    next_update_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(
        null=True, blank=True, help_text="Clocks stopped (waiting on the customer)."
    )
    pending_since = models.DateTimeField(
        null=True, blank=True, help_text="When the customer was asked to confirm the fix."
    )
    paused_credit = models.DurationField(
        default=timedelta(0), help_text="Business time credited back for pauses."
    )
    eta = models.DateTimeField(null=True, blank=True, help_text="What we promised the customer.")
    incident = models.ForeignKey(
        "cases.Incident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        help_text="The known problem behind this case, if any.",
    )
    # The next instant the SLA sweep must look at this case; NULL when no clock runs.
    next_sla_check = models.DateTimeField(null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                name="case_owner_required_once_triaged",
                condition=Q(status=Status.NEW) | Q(owner__isnull=False),
                violation_error_message="A case that is not new must have an owner.",
            ),
            models.CheckConstraint(
                name="case_status_valid",
                condition=Q(status__in=Status.values),
            ),
            models.CheckConstraint(
                name="case_priority_valid",
                condition=Q(priority__in=Priority.values),
            ),
        ]
        indexes: ClassVar = [
            # My cases: the owner's active cases by urgency.
            models.Index(
                fields=["owner", "-priority", "created"],
                name="case_owner_active_idx",
                condition=~Q(status=Status.CLOSED),
            ),
            # The triage queue: unowned new cases, oldest first, read in index order with
            # its predicate exactly (a partial index's size tells the planner how many wait,
            # so it never fetches and sorts all of them for one page).
            models.Index(
                fields=["created", "id"],
                name="case_triage_order_idx",
                condition=Q(status=Status.NEW, owner__isnull=True),
            ),
            # An agent's load (active cases) for routing and the team view: never their
            # whole history.
            models.Index(
                fields=["owner"],
                name="case_owner_load_idx",
                condition=Q(
                    status__in=["new", "open", "waiting_on_customer", "pending_confirmation"]
                ),
            ),
            models.Index(fields=["organization", "-updated"], name="case_org_updated_idx"),
            models.Index(fields=["created"], name="case_created_idx"),
            models.Index(
                fields=["updated"], name="case_lapsed_idx", condition=Q(ownership_lapsed=True)
            ),
            models.Index(fields=["updated"], name="case_bounced_idx", condition=Q(bounced=True)),
            # The SLA sweep reads only cases whose next check has come: never a full scan.
            models.Index(
                fields=["next_sla_check"],
                name="case_sla_check_idx",
                condition=Q(next_sla_check__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"C-{self.pk:06d}" if self.pk else "C-?"

    @property
    def is_active(self) -> bool:
        """Not closed: someone still owes the customer something (any status but closed)."""
        return self.status != Status.CLOSED

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS.get(self.status, frozenset())


class CustomerIdentifier(models.Model):
    """A reference the customer gives once (customer no., serial, order ID…)."""

    SUGGESTED_NAMES: ClassVar = [
        "Customer number",
        "Serial number",
        "Order ID",
        "Previous problem ID",
        "Contract number",
        "Address",
    ]

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="identifiers")
    name = models.CharField(max_length=60)
    value = models.CharField(max_length=200)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["case", "name", "value"], name="identifier_unique"),
        ]
        indexes: ClassVar = [models.Index(fields=["value"], name="identifier_value_idx")]

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


# Which priorities a customer may choose, by their organisation's tier.
PRIORITIES_BY_TIER: dict[str, tuple[int, ...]] = {
    "basic": (Priority.LOW, Priority.NORMAL),
    "standard": (Priority.LOW, Priority.NORMAL, Priority.HIGH),
    "premium": (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT),
}


class Satisfaction(models.Model):
    """The customer's one rating of a closed case."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="satisfaction")
    rating = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                name="satisfaction_rating_1_to_5", condition=Q(rating__gte=1, rating__lte=5)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 for {self.case_id}"
