"""People: users (email login), the organisations customers belong to, departments."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone


def validate_time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{value!r} is not a time zone name like Europe/Paris.") from None


class Organization(models.Model):
    """A customer company. Its SLA tier selects the SLA policies of its cases; its time
    zone is its customers' (automatic updates reach them in their working hours)."""

    class Tier(models.TextChoices):
        BASIC = "basic", "Basic"
        STANDARD = "standard", "Standard"
        PREMIUM = "premium", "Premium"

    name = models.CharField(max_length=200, unique=True)
    sla_tier = models.CharField(max_length=20, choices=Tier.choices, default=Tier.STANDARD)
    email_domains = models.CharField(
        max_length=500,
        blank=True,
        help_text="Comma-separated mail domains (acme.example): an unknown sender from one "
        "of them becomes a customer of this organisation.",
    )
    time_zone = models.CharField(
        max_length=64,
        default=settings.TIME_ZONE,
        validators=[validate_time_zone],
        help_text="Where its customers are, like Europe/Paris.",
    )
    phone = models.CharField(max_length=40, blank=True, help_text="The main phone number.")
    customers_see_own_cases_only = models.BooleanField(
        default=False,
        help_text="Each customer sees only the cases they reported, not the whole organisation's.",
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A team of agents (Support, Hardware…). Its lead inherits lapsed ownership, and sets
    how its new cases find an owner."""

    class Routing(models.TextChoices):
        MANUAL = "manual", "Manual: agents take new cases from triage"
        AUTOMATIC = "automatic", "Automatic: each new case gets an available agent at once"

    name = models.CharField(max_length=100, unique=True)
    routing = models.CharField(max_length=10, choices=Routing.choices, default=Routing.MANUAL)
    alert_after_minutes = models.PositiveSmallIntegerField(
        default=10,
        help_text="Automatic routing: tell the lead when a new case has waited this long "
        "because nobody was available.",
    )
    lead = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_departments",
        limit_choices_to={"role__in": ["agent", "manager"]},
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("Users need an email address")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("role", User.Role.MANAGER)
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str) -> "User":
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in. Customers belong to one organisation; agents to departments."""

    class Role(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        AGENT = "agent", "Agent"
        MANAGER = "manager", "Manager"

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CUSTOMER)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    departments = models.ManyToManyField(Department, blank=True, related_name="agents")

    class NotifyPreference(models.TextChoices):
        EACH = "each", "Email me on every update"
        DIGEST = "digest", "One email a day with all updates"

    notify_preference = models.CharField(
        max_length=10, choices=NotifyPreference.choices, default=NotifyPreference.EACH
    )

    class Contact(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"

    phone = models.CharField(max_length=40, blank=True)
    preferred_contact = models.CharField(
        max_length=10,
        choices=Contact.choices,
        default=Contact.EMAIL,
        help_text="Customers: how they like to hear about a delay.",
    )
    call_notes_by_email = models.BooleanField(
        default=False, help_text="Customers: after a call, a short written record by email."
    )

    class Availability(models.TextChoices):
        AVAILABLE = "available", "Available"
        AWAY = "away", "Away"
        OFF = "off", "Off"

    availability = models.CharField(
        max_length=10,
        choices=Availability.choices,
        default=Availability.AVAILABLE,
        help_text="Agents: only an available agent is given new cases automatically.",
    )
    capacity = models.PositiveSmallIntegerField(
        default=15, help_text="Agents: the most active cases automatic routing gives them."
    )
    last_routed_at = models.DateTimeField(
        null=True, blank=True, help_text="When automatic routing last gave them a new case."
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May sign in to the admin site.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            # A customer always belongs to an organisation; staff never do.
            models.CheckConstraint(
                name="customer_has_organization",
                condition=(Q(role="customer") & Q(organization__isnull=False))
                | (~Q(role="customer") & Q(organization__isnull=True)),
            ),
            # Sign-in ignores the case of the email, so two spellings would be two
            # people behind one login (and an error when either signs in).
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ignoring_case",
                violation_error_message="A person with this email address already exists.",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        # Forms (the admin's too) store the one spelling `create_user` would.
        self.email = self.email.lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_customer(self) -> bool:
        return self.role == self.Role.CUSTOMER

    @property
    def is_agent(self) -> bool:
        """Agents and managers work on the desk; a manager is an agent with reports."""
        return self.role in (self.Role.AGENT, self.Role.MANAGER)

    @property
    def is_manager(self) -> bool:
        return self.role == self.Role.MANAGER


class Absence(models.Model):
    """An agent out of office from `starts` to `ends`: when it starts, their active cases
    pass to `cover` (or are routed again), and they get no new ones until it ends."""

    agent = models.ForeignKey(User, on_delete=models.CASCADE, related_name="absences")
    starts = models.DateTimeField()
    ends = models.DateTimeField()
    cover = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="covering"
    )
    handed_over_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts"]
        constraints = [
            models.CheckConstraint(
                name="absence_ends_after_start", condition=Q(ends__gt=F("starts"))
            )
        ]
        indexes = [
            models.Index(fields=["starts"], name="absence_to_hand_over_idx",
                         condition=Q(handed_over_at__isnull=True)),
            models.Index(fields=["ends", "agent"], name="absence_current_idx"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.agent} away {self.starts:%Y-%m-%d} to {self.ends:%Y-%m-%d}"


class SignInLink(models.Model):
    """A passwordless sign-in link: single use, short-lived; only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_in_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(default=timezone.now)
    expires = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Sign-in link for {self.user_id}"


class AuditEvent(models.Model):
    """Who did what that matters for security, from where; read by managers."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
        SIGN_OUT = "sign_out", "Signed out"
        ROLE_CHANGE = "role_change", "Role or permission change"
        ATTACHMENT_DOWNLOAD = "attachment_download", "Attachment downloaded"
        ACCESS_DENIED = "access_denied", "Access denied"
        API_TOKEN_CREATED = "api_token_created", "API token created"
        API_TOKEN_REVOKED = "api_token_revoked", "API token revoked"
        API_WRITE = "api_write", "Change through the API"
        SECOND_FACTOR_ADDED = "mfa_added", "Second factor added"
        SECOND_FACTOR_REMOVED = "mfa_removed", "Second factor removed"
        SECOND_FACTOR_RESET = "mfa_reset", "Second factors reset by an admin"
        SECOND_FACTOR_FAILED = "mfa_failed", "Wrong second factor"
        RECOVERY_CODE_USED = "mfa_recovery_used", "Recovery code used"
        SSO_REFUSED = "sso_refused", "Single sign-on refused"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["kind", "-created"], name="audit_kind_created_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created:%Y-%m-%d %H:%M}"


class SupportIdentity(models.Model):
    """Who the helpdesk speaks for: the support organisation's name and logo, on every
    page (set in the admin). One row; without it the product calls itself "Helpdesk".
    The logo is kept in the database so every web host serves the same one."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    name = models.CharField(
        max_length=60, default="Helpdesk", help_text="Shown in the top bar and page titles."
    )
    logo = models.BinaryField(blank=True, editable=False, default=b"")
    help_centre_public = models.BooleanField(
        default=False,
        help_text="Visitors who are not signed in may read the help centre's public articles.",
    )
    logo_type = models.CharField(max_length=20, blank=True, editable=False)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "support identity"
        verbose_name_plural = "support identity"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="one_support_identity")]

    def __str__(self) -> str:
        return self.name


class SignInPolicy(models.Model):
    """How staff sign in (set in the admin): whether a second factor is required, and
    whether they may use a password at all once single sign-on is connected. One row;
    without it the server's settings decide."""

    class SecondFactor(models.TextChoices):
        SETTING = "", "As the server's MFA_REQUIRED_FOR_STAFF says"
        REQUIRED = "required", "Required for every agent, lead and manager"
        OPTIONAL = "optional", "Optional"

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    staff_second_factor = models.CharField(
        max_length=10, blank=True, choices=SecondFactor.choices, default=SecondFactor.SETTING
    )
    staff_password_sign_in = models.BooleanField(
        default=True,
        help_text="Off: staff sign in through single sign-on only. Superusers may still "
        "use their password (break-glass), with their second factor.",
    )

    class Meta:
        verbose_name = "sign-in policy"
        verbose_name_plural = "sign-in policy"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="one_sign_in_policy")]

    def __str__(self) -> str:
        return "Sign-in policy"


class DirectoryGroup(models.Model):
    """A group at the identity provider (its `groups` claim) and what membership gives
    here: a role and departments. Applied at every single sign-on; a person in no listed
    group is refused."""

    name = models.CharField(max_length=200, unique=True, help_text="As the provider sends it.")
    role = models.CharField(
        max_length=20,
        choices=[(User.Role.AGENT, "Agent"), (User.Role.MANAGER, "Manager")],
        default=User.Role.AGENT,
    )
    departments = models.ManyToManyField(Department, blank=True, related_name="directory_groups")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
