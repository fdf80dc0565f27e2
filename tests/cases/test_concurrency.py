"""Two people acting on the same case at the same moment: one wins, the other is told,
and the case never ends up with two stories of who owns it."""

import threading

import pytest
from django.db import connection

from cases import services
from cases.models import EntryKind, TimelineEntry
from notifications.models import Notice
from tests.factories import AgentFactory
from tests.helpers import fresh


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_transfers_one_wins_the_other_gets_a_conflict(owned_case, agent, hardware):
    targets = [
        AgentFactory(full_name="Sam Ortiz", departments=[hardware]),
        AgentFactory(full_name="Ria Shah", departments=[hardware]),
    ]
    barrier = threading.Barrier(len(targets), timeout=10)
    outcomes: dict[str, object] = {}

    def transfer(to):
        try:
            # Each thread reads the case as its agent's page did, then both act at once.
            seen = fresh(owned_case)
            barrier.wait()
            services.transfer_ownership(
                case=seen,
                acting_user=agent,
                to=to,
                reason=f"{to.full_name} knows this model",
                expected_version=seen.version,
            )
            outcomes[to.full_name] = "won"
        except services.Conflict as exc:
            outcomes[to.full_name] = exc
        except Exception as exc:  # surfaced below, never swallowed
            outcomes[to.full_name] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=transfer, args=(to,)) for to in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert sorted(type(o).__name__ for o in outcomes.values()) == ["Conflict", "str"], outcomes
    [winner] = [t for t in targets if outcomes[t.full_name] == "won"]
    [loser] = [t for t in targets if t is not winner]
    conflict = outcomes[loser.full_name]
    assert f"transferred to {winner.full_name}" in str(conflict)
    assert conflict.case.owner_id == winner.pk

    case = fresh(owned_case)
    assert case.owner == winner
    assert case.version == owned_case.version + 1
    transfers = TimelineEntry.objects.filter(case=case, kind=EntryKind.OWNERSHIP_CHANGE).exclude(
        data__from=None
    )
    assert [t.data["to"] for t in transfers] == [winner.pk]
    assert Notice.objects.filter(recipient=winner).count() == 1
    assert not Notice.objects.filter(recipient=loser).exists()
