"""Who is calling (`/me`), customers and organisations. Reading customers is for agents
(as on the desk); creating a customer or an organisation is for those the admin lets
add them (the `accounts.add_user` / `accounts.add_organization` permissions)."""

from django.db import IntegrityError, transaction
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from helpdesk.accounts.models import Organization, User
from helpdesk.api.auth import AgentsOnly, TokenScope
from helpdesk.api.serializers import OrganizationSerializer, PersonSerializer
from helpdesk.api.views.base import ApiView


class ById(CursorPagination):
    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class Me(ApiView):
    @extend_schema(responses=OpenApiTypes.OBJECT, summary="Who the token speaks for")
    def get(self, request):
        """You: your role, organisation or departments, and this token's scope and expiry."""
        user, token = request.user, request.auth
        return Response({
            "id": user.pk,
            "name": user.full_name,
            "email": user.email,
            "role": user.role,
            "organization": (
                {"id": user.organization_id, "name": user.organization.name}
                if user.organization_id else None
            ),
            "departments": [{"id": d.pk, "name": d.name} for d in user.departments.all()],
            "token": {"name": token.name, "scope": token.scope, "expires": token.expires},
        })  # fmt: skip


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied("Only those the admin lets add people and organisations may.")


class Customers(ApiView):
    permission_classes = [TokenScope, AgentsOnly]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Part of a name or an email address."),
            OpenApiParameter("organization", int),
        ],
        responses=PersonSerializer(many=True),
        summary="List customers",
    )
    def get(self, request):
        customers = User.objects.filter(role=User.Role.CUSTOMER, is_active=True)
        if q := request.query_params.get("q", "").strip():
            customers = customers.filter(Q(full_name__icontains=q) | Q(email__icontains=q))
        if org := request.query_params.get("organization"):
            if not org.isdigit():
                raise ValidationError({"organization": ["An id."]})
            customers = customers.filter(organization_id=int(org))
        pager = ById()
        page = pager.paginate_queryset(customers, request, self)
        return pager.get_paginated_response(PersonSerializer(page, many=True).data)

    @extend_schema(
        request=PersonSerializer, responses={201: PersonSerializer}, summary="Add a customer"
    )
    def post(self, request):
        _require(request, "accounts.add_user")
        form = PersonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        email = data["email"].lower()
        if User.objects.filter(email=email).exists():
            raise ValidationError({"email": ["Someone already signs in with this address."]})
        try:
            with transaction.atomic():
                customer = User.objects.create_user(
                    email, None, full_name=data["full_name"], organization=data["organization"],
                    phone=data.get("phone", ""), role=User.Role.CUSTOMER,
                )  # fmt: skip
        except IntegrityError:
            raise ValidationError(
                {"email": ["Someone already signs in with this address."]}
            ) from None
        return Response(PersonSerializer(customer).data, status=201)


class Organizations(ApiView):
    permission_classes = [TokenScope, AgentsOnly]

    @extend_schema(responses=OrganizationSerializer(many=True), summary="List organisations")
    def get(self, request):
        pager = ById()
        page = pager.paginate_queryset(Organization.objects.all(), request, self)
        return pager.get_paginated_response(OrganizationSerializer(page, many=True).data)

    @extend_schema(
        request=OrganizationSerializer,
        responses={201: OrganizationSerializer},
        summary="Add an organisation",
    )
    def post(self, request):
        _require(request, "accounts.add_organization")
        form = OrganizationSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        if Organization.objects.filter(name__iexact=form.validated_data["name"]).exists():
            raise ValidationError({"name": ["An organisation of that name exists."]})
        organization = Organization.objects.create(**form.validated_data)
        return Response(OrganizationSerializer(organization).data, status=201)
