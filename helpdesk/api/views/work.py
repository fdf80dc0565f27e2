"""A case's identifiers and handoffs through the API, each write one service call.

POST   /api/v1/cases/<ref>/identifiers/          add_identifier
DELETE /api/v1/cases/<ref>/identifiers/<id>/     remove_identifier
GET    /api/v1/cases/<ref>/handoffs/             the case's handoffs (agents)
POST   /api/v1/cases/<ref>/handoffs/             request_handoff
POST   /api/v1/handoffs/<id>/accept|complete|decline|cancel/
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from cases import selectors, services
from cases.services import CaseError
from cases.views import access
from helpdesk.accounts.models import Department
from helpdesk.api.auth import AgentsOnly, TokenScope
from helpdesk.api.errors import domain_refusal
from helpdesk.api.serializers import CaseDetailSerializer, person
from helpdesk.api.views.base import ApiView, change_case


class IdentifierInput(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    value = serializers.CharField(max_length=200)


class Identifiers(ApiView):
    @extend_schema(
        request=IdentifierInput, responses=CaseDetailSerializer, summary="Add an identifier"
    )
    def post(self, request, reference: str):
        """Record a customer reference (serial, order number) on the case."""
        form = IdentifierInput(data=request.data)
        form.is_valid(raise_exception=True)
        return change_case(request, reference, lambda case, version: services.add_identifier(
            case=case, acting_user=request.user, **form.validated_data))  # fmt: skip


class Identifier(ApiView):
    @extend_schema(request=None, responses=CaseDetailSerializer, summary="Remove an identifier")
    def delete(self, request, reference: str, identifier_id: int):
        return change_case(request, reference, lambda case, version: services.remove_identifier(
            case=case, acting_user=request.user, identifier_id=identifier_id))  # fmt: skip


class HandoffSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(source="case.reference")
    department = serializers.CharField(source="department.name")
    status = serializers.CharField()
    needed = serializers.CharField()
    customer_summary = serializers.CharField()
    due = serializers.DateTimeField(allow_null=True)
    assignee = serializers.SerializerMethodField()
    requested_by = serializers.SerializerMethodField()
    result = serializers.CharField()
    decline_reason = serializers.CharField()
    created = serializers.DateTimeField()

    def get_assignee(self, handoff) -> dict | None:
        return person(handoff.assignee)

    def get_requested_by(self, handoff) -> dict | None:
        return person(handoff.requested_by)


class HandoffRequestInput(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    needed = serializers.CharField(
        max_length=5000, help_text="What the department is asked to do (internal)."
    )
    customer_summary = serializers.CharField(max_length=200, allow_blank=True, default="")
    due = serializers.DateTimeField(required=False, allow_null=True, default=None)


class Handoffs(ApiView):
    permission_classes = [TokenScope, AgentsOnly]

    @extend_schema(responses=HandoffSerializer(many=True), summary="A case's handoffs")
    def get(self, request, reference: str):
        case = access.desk_case(request, reference)
        handoffs = selectors.case_handoffs(case)
        for handoff in handoffs:
            handoff.case = case  # read once, not once per handoff
        return Response(HandoffSerializer(handoffs, many=True).data)

    @extend_schema(
        request=HandoffRequestInput, responses={201: HandoffSerializer}, summary="Request a handoff"
    )
    def post(self, request, reference: str):
        """The owner asks another department for a piece of work."""
        case = access.desk_case(request, reference)
        form = HandoffRequestInput(data=request.data)
        form.is_valid(raise_exception=True)
        handoff = services.request_handoff(
            case=case, acting_user=request.user, **form.validated_data
        )
        return Response(HandoffSerializer(handoff).data, status=201)


class DoneInput(serializers.Serializer):
    result = serializers.CharField(max_length=5000)
    customer_summary = serializers.CharField(
        max_length=200, required=False, allow_null=True, default=None
    )


class DeclineInput(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class CancelInput(serializers.Serializer):
    note = serializers.CharField(max_length=5000, allow_blank=True, default="")


class NoInput(serializers.Serializer):
    pass


HANDOFF_ACTIONS = {
    "accept": (NoInput, lambda h, u, d: services.accept_handoff(handoff=h, acting_user=u)),
    "complete": (
        DoneInput,
        lambda h, u, d: services.complete_handoff(handoff=h, acting_user=u, **d),
    ),
    "decline": (
        DeclineInput,
        lambda h, u, d: services.decline_handoff(handoff=h, acting_user=u, **d),
    ),
    "cancel": (CancelInput, lambda h, u, d: services.cancel_handoff(handoff=h, acting_user=u, **d)),
}


def handoff_action_view(name: str) -> type[ApiView]:
    form_class, perform = HANDOFF_ACTIONS[name]

    class HandoffAction(ApiView):
        permission_classes = [TokenScope, AgentsOnly]

        @extend_schema(
            request=form_class,
            responses={200: HandoffSerializer},
            summary=f"{name.title()} a handoff",
            operation_id=f"handoffs_{name}",
        )
        def post(self, request, handoff_id: int):
            handoff = access.handoff(request, handoff_id)
            form = form_class(data=request.data)
            form.is_valid(raise_exception=True)
            try:
                perform(handoff, request.user, form.validated_data)
            except CaseError as exc:
                code, body = domain_refusal(exc)
                return Response(body, status=code)
            return Response(HandoffSerializer(access.handoff(request, handoff_id)).data)

    HandoffAction.__name__ = HandoffAction.__qualname__ = f"Handoff{name.title()}"
    return HandoffAction
