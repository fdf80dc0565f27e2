"""A few simulated days of support work on the real product, checked at every tick."""

import pytest

from cases.models import Case
from cases.simulation import Config, as_dict, simulate

pytestmark = pytest.mark.django_db

SMALL = {"weeks": 0.4, "cases_per_day": 24, "seed": 7, "release_day": 1, "deactivate_day": 2}


def test_promises_hold_at_every_tick_of_a_simulated_floor():
    outcome = simulate(Config(**SMALL), check_every_tick=True)

    assert outcome.cases > 30
    assert outcome.invariant_violations == []
    assert outcome.max_open_without_owner == 0
    assert outcome.surprises == 0  # every deadline breach was told to the customer first
    assert outcome.emails_outside_owner_voice == 0  # no department wrote to a customer
    assert outcome.duplicate_notices == 0
    assert outcome.closed_by_confirmation > 0
    assert not Case.objects.exists()  # the run is rolled back


def test_baseline_shows_what_the_product_prevents():
    normal = simulate(Config(**SMALL))
    baseline = simulate(Config(**SMALL, baseline=True))

    assert baseline.emails_outside_owner_voice > 0
    assert baseline.closed_by_confirmation == 0 and baseline.closed_by_owner > 0
    assert normal.emails_outside_owner_voice == 0
    assert (baseline.surprise_rate or 0) >= (normal.surprise_rate or 0)


def test_the_same_seed_gives_the_same_figures():
    first = as_dict(simulate(Config(**SMALL)))
    second = as_dict(simulate(Config(**SMALL)))

    assert first == second
