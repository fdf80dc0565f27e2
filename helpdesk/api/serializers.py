"""What the API says and reads: the shapes of cases, entries, people and incidents, each
drawn for the caller (customers never see internal entries, SLA clocks or agents' email
addresses), and the input of each write, validated before a service is called."""

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from cases.models import CUSTOMER_STATUS, Incident, Priority
from helpdesk.accounts.models import Organization, User

PRIORITIES = {p.name.lower(): p.value for p in Priority}
PRIORITY_NAMES = {value: name for name, value in PRIORITIES.items()}


def person(user: User | None) -> dict | None:
    return None if user is None else {"id": user.pk, "name": user.full_name}


class RefSerializer(serializers.Serializer):
    """A person or an organisation, named."""

    id = serializers.IntegerField()
    name = serializers.CharField()


class ClocksSerializer(serializers.Serializer):
    first_response_due = serializers.DateTimeField(allow_null=True)
    next_update_due = serializers.DateTimeField(allow_null=True)
    resolution_due = serializers.DateTimeField(allow_null=True)
    paused_since = serializers.DateTimeField(allow_null=True)


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="e.g. forbidden, conflict, invalid.")
    message = serializers.CharField(help_text="Fit to show a person.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="The message of each field that was refused.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


class PrioritySerializerField(serializers.ChoiceField):
    """Priorities by name: low, normal, high, urgent."""

    def __init__(self, **kwargs):
        super().__init__(choices=list(PRIORITIES), **kwargs)

    def to_internal_value(self, data):
        return PRIORITIES[super().to_internal_value(data)]

    def to_representation(self, value):
        return PRIORITY_NAMES.get(value, str(value))


class CaseSerializer(serializers.Serializer):
    """A case as a list shows it; `clocks` (the SLA due times) for agents only."""

    reference = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    status_text = serializers.SerializerMethodField(help_text="The status in words.")
    priority = PrioritySerializerField()
    customer = serializers.SerializerMethodField()
    organization = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField()
    department = serializers.SerializerMethodField()
    eta = serializers.DateTimeField(allow_null=True)
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()
    version = serializers.IntegerField()
    clocks = serializers.SerializerMethodField()

    def _agent(self) -> bool:
        return self.context["request"].user.is_agent

    def get_status_text(self, case) -> str:
        if self._agent():
            return case.get_status_display()
        return CUSTOMER_STATUS.get(case.status, case.status)

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_customer(self, case) -> dict:
        return person(case.customer)

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_organization(self, case) -> dict:
        return {"id": case.organization_id, "name": case.organization.name}

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_owner(self, case) -> dict | None:
        return person(case.owner)

    def get_department(self, case) -> str | None:
        return case.owning_department.name if case.owning_department_id else None

    @extend_schema_field(ClocksSerializer(allow_null=True, help_text="Agents only."))
    def get_clocks(self, case) -> dict | None:
        if not self._agent():
            return None
        return {
            "first_response_due": _iso(case.first_response_due),
            "next_update_due": _iso(case.next_update_due),
            "resolution_due": _iso(case.resolution_due),
            "paused_since": _iso(case.paused_at),
        }


def _iso(value) -> str | None:
    return value.isoformat() if value else None


class EntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    visibility = serializers.CharField()
    author = serializers.SerializerMethodField()
    department = serializers.SerializerMethodField()
    body = serializers.CharField(help_text="What the author wrote (Markdown).")
    html = serializers.CharField(source="body_html", help_text="The body, rendered and sanitized.")
    created = serializers.DateTimeField()

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_author(self, entry) -> dict | None:
        return person(entry.actor)

    def get_department(self, entry) -> str | None:
        return entry.department.name if entry.department_id else None


class CaseDetailSerializer(CaseSerializer):
    description = serializers.CharField()
    identifiers = serializers.SerializerMethodField()
    incident = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField(
        help_text="The latest entries the caller may see, oldest first (at most 100; "
        "older ones from the timeline endpoint with `before`)."
    )

    @extend_schema_field(
        inline_serializer(
            "Identifier",
            {
                "id": serializers.IntegerField(),
                "name": serializers.CharField(),
                "value": serializers.CharField(),
            },
            many=True,
        )
    )
    def get_identifiers(self, case) -> list[dict]:
        return [{"id": i.pk, "name": i.name, "value": i.value} for i in case.identifiers.all()]

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_incident(self, case) -> dict | None:
        if case.incident_id is None:
            return None
        return {"id": case.incident_id, "title": case.incident.title}

    @extend_schema_field(EntrySerializer(many=True))
    def get_timeline(self, case) -> list[dict]:
        return EntrySerializer(self.context["entries"], many=True).data


class NewCaseSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, default="")
    priority = PrioritySerializerField(required=False, help_text="normal when not given")
    customer = serializers.IntegerField(
        required=False, help_text="Agents: the customer's id. Customers open their own."
    )
    identifiers = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField(max_length=200)),
        default=list,
        help_text='Customer references, e.g. [{"name": "Serial number", "value": "5CD1"}].',
    )

    def validate_identifiers(self, value):
        for item in value:
            if set(item) != {"name", "value"}:
                raise serializers.ValidationError("Each identifier has a name and a value.")
        return value


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="full_name", max_length=150)
    email = serializers.EmailField()
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40)


class OrganizationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=200)
    sla_tier = serializers.ChoiceField(
        choices=Organization._meta.get_field("sla_tier").choices, required=False
    )


class IncidentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(max_length=200)
    status = serializers.ChoiceField(
        choices=Incident._meta.get_field("status").choices, read_only=True
    )
    public_summary = serializers.CharField(allow_blank=True, default="")
    cause = serializers.CharField(allow_blank=True, default="", max_length=200)
    created = serializers.DateTimeField(read_only=True)
    resolved_at = serializers.DateTimeField(read_only=True, allow_null=True)
    linked_cases = serializers.IntegerField(read_only=True, source="linked_count", default=0)


class ConflictSerializer(ErrorSerializer):
    """A refusal because the case moved on (409, 412), with the case as it is now."""

    case = CaseDetailSerializer()
