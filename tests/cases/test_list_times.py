"""The times in the desk's lists: how long ago a case was opened and how long is left
before its nearest deadline, in words, with the exact time in each title."""

from datetime import UTC, datetime, timedelta

import pytest

from cases.models import Case, Status

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 6, 21, 0, tzinfo=UTC)  # a Sunday evening


@pytest.fixture
def opened_days_ago(owned_case, time_machine):
    time_machine.move_to(NOW, tick=False)
    Case.objects.filter(pk=owned_case.pk).update(
        created=NOW - timedelta(days=2, hours=3),
        first_response_due=NOW + timedelta(hours=2, minutes=5),
        next_update_due=None,
        resolution_due=NOW + timedelta(days=3),
    )
    return owned_case


def row_of(response, case) -> str:
    text = response.content.decode()
    start = text.index(f">{case.reference}</a>")
    return text[start : text.index("</tr>", start)]


def test_a_row_says_when_it_was_opened_and_what_is_due(opened_days_ago, agent_client):
    row = row_of(agent_client.get("/desk/"), opened_days_ago)

    assert (
        '<time datetime="2026-12-04T18:00:00+00:00" title="Fri 4 Dec 2026, 18:00 UTC">'
        "2\xa0days, 3\xa0hours ago</time>"
    ) in row
    assert (
        '<span class="sla sla-at-risk"><time datetime="2026-12-06T23:05:00+00:00" '
        'title="Due Sun 6 Dec 2026, 23:05 UTC">in 2h 05m</time></span>'
    ) in row


def test_months_and_single_units_read_as_django_writes_them(opened_days_ago, agent_client):
    Case.objects.filter(pk=opened_days_ago.pk).update(
        created=datetime(2026, 10, 29, 21, 0, tzinfo=UTC)
    )
    row = row_of(agent_client.get("/desk/"), opened_days_ago)

    assert "1\xa0month, 1\xa0week ago</time>" in row


def test_times_are_in_the_desks_time_zone(opened_days_ago, agent_client, settings):
    settings.TIME_ZONE = "Europe/Berlin"

    row = row_of(agent_client.get("/desk/"), opened_days_ago)

    assert 'title="Fri 4 Dec 2026, 19:00 CET">' in row
    assert 'title="Due Mon 7 Dec 2026, 00:05 CET">' in row


def test_a_paused_case_shows_no_countdown(opened_days_ago, agent_client):
    Case.objects.filter(pk=opened_days_ago.pk).update(
        status=Status.WAITING_ON_CUSTOMER, paused_at=NOW - timedelta(hours=1)
    )
    row = row_of(agent_client.get("/desk/"), opened_days_ago)

    assert '<span class="sla sla-paused">Paused</span>' in row
    assert "in 2h 05m" not in row
