"""Manager reports. Every figure is computed by the database (aggregates, subqueries,
window-free GROUP BYs), never by looping over cases in Python; each report runs a fixed
number of queries whatever the number of cases.

Percentiles use PostgreSQL's percentile_cont. The embedded SQLite demo has no such
aggregate; there, and only there, time-to-owner percentiles are computed from the
durations the database returns for the period.
"""

from cases.reports.chases import chases
from cases.reports.filters import Filters
from cases.reports.people import bounce_details, bounces, time_to_owner, unowned
from cases.reports.service import CASE_VOICE_KINDS, promises, quality, sla, voice

__all__ = [
    "CASE_VOICE_KINDS",
    "Filters",
    "bounce_details",
    "bounces",
    "chases",
    "promises",
    "quality",
    "sla",
    "time_to_owner",
    "unowned",
    "voice",
]
