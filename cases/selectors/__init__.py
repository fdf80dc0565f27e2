"""Reads that span relations, each with its joins fixed so query counts stay flat.

Every read that depends on who asks goes through `Case.objects.visible_to(user)` (or the
querysets built on it). One module per surface:

    queues      my cases, the triage queue, search
    search      full-text search of what cases say, and the passages that matched
    case_page   the case with its people, the timeline window, what was written
                meanwhile, agents, attachments
    handoffs    a department's queue, a case's handoffs and bounce data
    portal      a customer's cases, where one is, similar ones, known issues
    incidents   the incident list and pages
    contact     what the customer heard from us, and the calls to make
    team        a lead's departments: load, who is away, cases waiting for an owner
    views       the sidebar's views (my cases, breaching soon, ...), sorted and filtered,
                the agent's saved views, and their counts
"""

from cases.selectors.case_page import (
    agents_for_picker,
    attachment_for,
    case_for_page,
    replied_meanwhile,
    timeline,
    timeline_window,
)
from cases.selectors.contact import Contact, calls_to_make, contact
from cases.selectors.handoffs import (
    BounceStats,
    bounce_stats,
    case_handoffs,
    department_queue,
    ownership_path,
    recurs,
)
from cases.selectors.incidents import (
    cases_by_references,
    incident_cases,
    incident_updates,
    incidents,
)
from cases.selectors.portal import (
    my_cases_on_incident,
    open_incident_for,
    portal_case,
    portal_cases,
    public_incident_updates,
    similar_open_cases,
    where_it_is,
)
from cases.selectors.queues import (
    SEARCH_LIMIT,
    SEARCH_MIN_CHARS,
    case_by_reference,
    my_cases,
    search_cases,
    triage_queue,
    with_identifiers,
    with_nearest_due,
)
from cases.selectors.team import Member, Team, departments_for, loads, teams
from cases.selectors.views import (
    FILTER_STATUSES,
    SORTS,
    VIEWS,
    FilterChoices,
    View,
    ViewFilters,
    chosen_sort,
    filter_choices,
    saved_views,
    sort_of,
    view_cases,
    view_counts,
    view_query,
)

__all__ = [
    "FILTER_STATUSES",
    "SEARCH_LIMIT",
    "SEARCH_MIN_CHARS",
    "SORTS",
    "VIEWS",
    "BounceStats",
    "Contact",
    "FilterChoices",
    "Member",
    "Team",
    "View",
    "ViewFilters",
    "agents_for_picker",
    "attachment_for",
    "bounce_stats",
    "calls_to_make",
    "case_by_reference",
    "case_for_page",
    "case_handoffs",
    "cases_by_references",
    "chosen_sort",
    "contact",
    "department_queue",
    "departments_for",
    "filter_choices",
    "incident_cases",
    "incident_updates",
    "incidents",
    "loads",
    "my_cases",
    "my_cases_on_incident",
    "open_incident_for",
    "ownership_path",
    "portal_case",
    "portal_cases",
    "public_incident_updates",
    "recurs",
    "replied_meanwhile",
    "saved_views",
    "search_cases",
    "similar_open_cases",
    "sort_of",
    "teams",
    "timeline",
    "timeline_window",
    "triage_queue",
    "view_cases",
    "view_counts",
    "view_query",
    "where_it_is",
    "with_identifiers",
    "with_nearest_due",
]
