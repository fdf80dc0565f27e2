"""Which department a new case starts in: ordered rules an admin sets, default Support."""

from django.db import models


class IntakeRule(models.Model):
    """When every condition given matches a new case, it starts in `department`.

    Conditions left empty match anything; the first matching rule (lowest `order`) wins.
    No scripting: a mailbox name, an organisation, words in the title, the category the
    customer picked in the portal.
    """

    order = models.PositiveSmallIntegerField(default=100)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.CASCADE, related_name="intake_rules"
    )
    mailbox = models.CharField(
        max_length=200, blank=True, help_text="The inbound mailbox the email arrived in."
    )
    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title_words = models.CharField(
        max_length=200,
        blank=True,
        help_text="Comma-separated words or phrases; any one in the title matches.",
    )
    category = models.CharField(
        max_length=80,
        blank=True,
        help_text='A category customers pick in the portal ("Hardware repair"): every '
        "rule's category is offered there.",
    )

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        conditions = [
            f"mailbox {self.mailbox}" if self.mailbox else "",
            f"organisation {self.organization}" if self.organization_id else "",
            f"title has {self.title_words}" if self.title_words else "",
            f"category {self.category}" if self.category else "",
        ]
        return f"{' and '.join(c for c in conditions if c) or 'anything'} → {self.department}"

    def matches(
        self, *, mailbox: str, organization_id: int | None, title: str, category: str = ""
    ) -> bool:
        if self.category and self.category != category:
            return False
        if self.mailbox and self.mailbox != mailbox:
            return False
        if self.organization_id and self.organization_id != organization_id:
            return False
        if self.title_words:
            words = [w.strip().lower() for w in self.title_words.split(",") if w.strip()]
            if not any(word in title.lower() for word in words):
                return False
        return True


class WorkingHours(models.Model):
    """When a department's agents work, or one agent (overriding their department's): a
    business calendar. Outside it an agent is not given new cases. No row: any time."""

    department = models.OneToOneField(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="working_hours",
    )
    agent = models.OneToOneField(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="working_hours",
        limit_choices_to={"role__in": ["agent", "manager"]},
    )
    calendar = models.ForeignKey(
        "cases.BusinessCalendar", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                name="working_hours_for_one",
                condition=models.Q(department__isnull=True, agent__isnull=False)
                | models.Q(department__isnull=False, agent__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent or self.department}: {self.calendar}"
