"""Item 23: the demo tells the delay story the way the product means it. Over the demo's
first working day (the sweep running every few minutes, as beat does), every deadline
that passes was announced to the customer first: Reports says "surprise rate 0%"."""

from datetime import timedelta

import pytest
from django.test import override_settings

from cases.models import Case, EntryKind
from helpdesk.accounts.models import User
from tests.helpers import entries, run_command, signed_in, sweep_at
from tests.sla.seed import T0

pytestmark = pytest.mark.django_db


def test_a_demo_day_has_deadlines_missed_and_no_customer_surprised(clock):
    with override_settings(DEBUG=True):
        run_command("seed_demo")
    payments = Case.objects.get(title="Card payments fail at checkout")
    vpn = Case.objects.get(title="Branch office VPN is down")

    # The owner of the payment case has written with a new estimate already.
    [told] = entries(payments, EntryKind.DELAY_NOTICE)
    assert "until tomorrow morning" in told.body
    assert "New estimate:" in told.body

    start = T0
    for minutes in range(0, 10 * 60, 5):
        sweep_at(clock, start + timedelta(minutes=minutes))

    # The VPN customer heard from the sweep before the first response was due.
    automatic = min(entries(vpn, EntryKind.DELAY_NOTICE), key=lambda entry: entry.created)
    assert automatic.created < vpn.first_response_due
    assert "will take longer than we promised" in automatic.body

    manager = signed_in(User.objects.get(email="manager@demo.test"))
    page = manager.get("/reports/sla/").content.decode()
    assert 'data-testid="surprise-rate">0.0%<' in page
    assert "0 of " in page
    assert "No breaches in the period." not in page
