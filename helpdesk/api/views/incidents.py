"""Incidents through the API (agents, as on the desk): open one, link a case, post an
update to everyone on it (public or internal), resolve it."""

from django.db.models import Count
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from cases import services
from cases.models import Incident
from cases.views import access
from helpdesk.api.auth import AgentsOnly, TokenScope
from helpdesk.api.serializers import IncidentSerializer
from helpdesk.api.views.base import ApiView

STATUSES = [s for s, _ in Incident._meta.get_field("status").choices]


def _incidents():
    return Incident.objects.annotate(linked_count=Count("cases"))


class Incidents(ApiView):
    permission_classes = [TokenScope, AgentsOnly]

    @extend_schema(responses=IncidentSerializer(many=True), summary="List incidents")
    def get(self, request):
        """Open incidents first, newest first; the 100 latest."""
        incidents = _incidents().order_by("resolved_at", "-created", "-pk")[:100]
        return Response(IncidentSerializer(incidents, many=True).data)

    @extend_schema(
        request=IncidentSerializer, responses={201: IncidentSerializer}, summary="Open an incident"
    )
    def post(self, request):
        form = IncidentSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        incident = services.open_incident(acting_user=request.user, **form.validated_data)
        return Response(IncidentSerializer(_incidents().get(pk=incident.pk)).data, status=201)


class LinkInput(serializers.Serializer):
    case = serializers.CharField(help_text="The case's reference, e.g. C-000123.")


class UpdateInput(serializers.Serializer):
    body = serializers.CharField(max_length=20000)
    public = serializers.BooleanField(default=True, help_text="Sent to every linked customer.")
    status = serializers.ChoiceField(choices=STATUSES, required=False, default="")


class ResolveInput(serializers.Serializer):
    body = serializers.CharField(max_length=20000, help_text="What every linked customer reads.")


class IncidentLink(ApiView):
    permission_classes = [TokenScope, AgentsOnly]

    @extend_schema(request=LinkInput, responses=IncidentSerializer, summary="Link a case")
    def post(self, request, incident_id: int):
        incident = get_object_or_404(Incident, pk=incident_id)
        form = LinkInput(data=request.data)
        form.is_valid(raise_exception=True)
        case = access.desk_case(request, form.validated_data["case"])
        services.link_case(case=case, incident=incident, acting_user=request.user)
        return Response(IncidentSerializer(_incidents().get(pk=incident.pk)).data)


class IncidentUpdate(ApiView):
    permission_classes = [TokenScope, AgentsOnly]

    @extend_schema(request=UpdateInput, responses=IncidentSerializer, summary="Post an update")
    def post(self, request, incident_id: int):
        incident = get_object_or_404(Incident, pk=incident_id)
        form = UpdateInput(data=request.data)
        form.is_valid(raise_exception=True)
        services.post_update(incident=incident, acting_user=request.user, **form.validated_data)
        return Response(IncidentSerializer(_incidents().get(pk=incident.pk)).data)


class IncidentResolve(ApiView):
    permission_classes = [TokenScope, AgentsOnly]

    @extend_schema(
        request=ResolveInput, responses=IncidentSerializer, summary="Resolve an incident"
    )
    def post(self, request, incident_id: int):
        incident = get_object_or_404(Incident, pk=incident_id)
        form = ResolveInput(data=request.data)
        form.is_valid(raise_exception=True)
        services.post_update(
            incident=incident, acting_user=request.user, body=form.validated_data["body"],
            public=True, status="resolved",
        )  # fmt: skip
        return Response(IncidentSerializer(_incidents().get(pk=incident.pk)).data)
