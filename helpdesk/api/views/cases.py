"""Cases through the API: the list the caller may see (filtered, cursor-paged), search,
one case with its timeline, its SLA clocks, and a new case."""

from datetime import datetime

from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response

from cases import selectors, services
from cases.models import Case, Priority, Status
from helpdesk.accounts.models import User
from helpdesk.api.serializers import (
    PRIORITIES,
    CaseDetailSerializer,
    CaseSerializer,
    EntrySerializer,
    NewCaseSerializer,
)
from helpdesk.api.views.base import ApiView, case_or_404, case_response

LIST_RELATED = ("customer", "organization", "owner", "owning_department")


class NewestFirst(CursorPagination):
    """Stable pages however many cases arrive meanwhile: a cursor on the case id."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _datetime(value: str, name: str) -> datetime:
    parsed = parse_datetime(value)
    if parsed is None or parsed.tzinfo is None:
        raise ValidationError(
            {name: ["A date and time with its offset, e.g. 2026-12-06T09:00:00Z."]}
        )
    return parsed


def filtered(user: User, params) -> QuerySet:
    """The cases `user` may see, narrowed by the list's parameters."""
    cases = Case.objects.visible_to(user)
    if statuses := params.get("status"):
        wanted = statuses.split(",")
        if unknown := set(wanted) - set(Status.values):
            raise ValidationError({"status": [f"Unknown status: {', '.join(sorted(unknown))}."]})
        cases = cases.filter(status__in=wanted)
    if owner := params.get("owner"):
        if owner == "me":
            cases = cases.filter(owner=user)
        elif owner == "none":
            cases = cases.filter(owner__isnull=True)
        elif owner.isdigit():
            cases = cases.filter(owner_id=int(owner))
        else:
            raise ValidationError({"owner": ["An agent's id, me or none."]})
    for name, field in (
        ("department", "owning_department_id"),
        ("organization", "organization_id"),
    ):
        if value := params.get(name):
            if not value.isdigit():
                raise ValidationError({name: ["An id."]})
            cases = cases.filter(**{field: int(value)})
    if priority := params.get("priority"):
        if priority not in PRIORITIES:
            raise ValidationError({"priority": [f"One of {', '.join(PRIORITIES)}."]})
        cases = cases.filter(priority=PRIORITIES[priority])
    if since := params.get("updated_since"):
        cases = cases.filter(updated__gte=_datetime(since, "updated_since"))
    if before := params.get("breaching_before"):
        if not user.is_agent:
            raise ValidationError({"breaching_before": ["SLA deadlines are for agents."]})
        cases = selectors.with_nearest_due(cases).filter(
            nearest_due__lt=_datetime(before, "breaching_before")
        )
    return cases.defer("description").select_related(*LIST_RELATED)


FILTERS = [
    OpenApiParameter("status", str, description="Comma-separated statuses, e.g. new,open."),
    OpenApiParameter("owner", str, description="An agent's id, `me` or `none`."),
    OpenApiParameter("department", int, description="The owning department's id."),
    OpenApiParameter("organization", int),
    OpenApiParameter("priority", str, enum=list(PRIORITIES)),
    OpenApiParameter("breaching_before", OpenApiTypes.DATETIME,
                     description="Agents: the nearest running SLA deadline is before this time."),
    OpenApiParameter("updated_since", OpenApiTypes.DATETIME),
]  # fmt: skip


class CaseList(ApiView):
    @extend_schema(parameters=FILTERS, responses=CaseSerializer(many=True), summary="List cases")
    def get(self, request):
        """The cases you may see, newest first, 50 a page (`page_size` up to 200); follow
        `next` for the following page."""
        pager = NewestFirst()
        page = pager.paginate_queryset(filtered(request.user, request.query_params), request, self)
        data = CaseSerializer(page, many=True, context={"request": request}).data
        return pager.get_paginated_response(data)

    @extend_schema(
        request=NewCaseSerializer, responses={201: CaseDetailSerializer}, summary="Open a case"
    )
    def post(self, request):
        """A customer reports a case of their own; an agent opens one for a customer
        (`customer`), as on the desk."""
        form = NewCaseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        identifiers = [services.IdentifierInput(i["name"], i["value"]) for i in data["identifiers"]]
        common = {
            "acting_user": request.user,
            "title": data["title"],
            "description": data["description"],
            "priority": data.get("priority", Priority.NORMAL),
            "identifiers": identifiers,
        }
        if request.user.is_agent:
            customer = User.objects.filter(pk=data.get("customer"), role=User.Role.CUSTOMER).first()
            if customer is None:
                raise ValidationError({"customer": ["The id of an active customer."]})
            case = services.open_case(customer=customer, **common)
        else:
            case = services.report_case(channel="api", **common)
        return case_response(request, case_or_404(request, case.reference), status=201)


class SearchPages(PageNumberPagination):
    page_size = 25


class CaseSearch(ApiView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", str, required=True, description="Words, a reference, a name, an identifier."
            )
        ],
        responses=CaseSerializer(many=True),
        summary="Search cases",
    )
    def get(self, request):
        """What the desk's search finds for you (titles, descriptions, every entry you may
        read, customers, organisations, identifiers), best first, 25 a page."""
        query = request.query_params.get("q", "")[:200]
        pager = SearchPages()
        page = pager.paginate_queryset(selectors.search_cases(request.user, query), request, self)
        return pager.get_paginated_response(
            CaseSerializer(page, many=True, context={"request": request}).data
        )


class CaseDetail(ApiView):
    @extend_schema(responses=CaseDetailSerializer, summary="Read a case")
    def get(self, request, reference: str):
        """The case with the latest 100 entries you may read; its version is the ETag."""
        return case_response(request, case_or_404(request, reference))


class Timeline(ApiView):
    @extend_schema(
        parameters=[
            OpenApiParameter("after", int, description="Entries newer than this entry id."),
            OpenApiParameter("before", int, description="Entries older than this entry id."),
        ],
        responses=EntrySerializer(many=True),
        summary="Read a case's timeline",
    )
    def get(self, request, reference: str):
        """Up to 100 entries you may read, oldest first: newer than `after` (to follow a
        case), or the latest before `before` (to read back)."""
        case = case_or_404(request, reference)
        after, before = request.query_params.get("after"), request.query_params.get("before")
        for name, value in (("after", after), ("before", before)):
            if value is not None and not value.isdigit():
                raise ValidationError({name: ["An entry id."]})
        entries = selectors.timeline(
            request.user,
            case,
            after=int(after) if after else None,
            before=int(before) if before else None,
            public_only=not request.user.is_agent,
        )
        return Response(EntrySerializer(entries, many=True).data)


class Clocks(ApiView):
    @extend_schema(summary="A case's SLA clocks", responses=OpenApiTypes.OBJECT)
    def get(self, request, reference: str):
        """Agents: the case's SLA due times, paused or running, and the estimate given to
        the customer."""
        if not request.user.is_agent:
            raise PermissionDenied("SLA clocks are for agents.")
        case = case_or_404(request, reference)
        data = CaseSerializer(case, context={"request": request}).data
        return Response({"reference": case.reference, "eta": data["eta"], **data["clocks"]})
