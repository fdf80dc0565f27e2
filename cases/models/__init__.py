"""The case domain's models, one module per concern; import them from here."""

from cases.models.calls import CallDirection, CallOutcome, CallTask
from cases.models.case import (
    ACTIVE_STATUSES,
    CUSTOMER_STATUS,
    PRIORITIES_BY_TIER,
    TRANSITIONS,
    Case,
    CustomerIdentifier,
    Priority,
    Satisfaction,
    Status,
    parse_reference,
)
from cases.models.handoff import (
    HANDOFF_TRANSITIONS,
    OPEN_HANDOFF_STATUSES,
    Handoff,
    HandoffStatus,
)
from cases.models.incident import Incident, IncidentStatus, IncidentUpdate
from cases.models.routing import IntakeRule, WorkingHours
from cases.models.saved_view import SavedView
from cases.models.sla_policy import (
    BusinessCalendar,
    BusinessHours,
    Holiday,
    Promise,
    SLAEvent,
    SLAPolicy,
    SLAStep,
    SLATarget,
    validate_time_zone,
)
from cases.models.timeline import (
    AppendOnlyError,
    Attachment,
    EntryKind,
    TimelineEntry,
    Visibility,
    attachment_path,
)

__all__ = [
    "ACTIVE_STATUSES",
    "CUSTOMER_STATUS",
    "HANDOFF_TRANSITIONS",
    "OPEN_HANDOFF_STATUSES",
    "PRIORITIES_BY_TIER",
    "TRANSITIONS",
    "AppendOnlyError",
    "Attachment",
    "BusinessCalendar",
    "BusinessHours",
    "CallDirection",
    "CallOutcome",
    "CallTask",
    "Case",
    "CustomerIdentifier",
    "EntryKind",
    "Handoff",
    "HandoffStatus",
    "Holiday",
    "Incident",
    "IncidentStatus",
    "IncidentUpdate",
    "IntakeRule",
    "Priority",
    "Promise",
    "SLAEvent",
    "SLAPolicy",
    "SLAStep",
    "SLATarget",
    "Satisfaction",
    "SavedView",
    "Status",
    "TimelineEntry",
    "Visibility",
    "WorkingHours",
    "attachment_path",
    "parse_reference",
    "validate_time_zone",
]
