"""The knowledge report: what customers searched for and did not find, the problems
articles solved at intake, the most read and most helpful articles, the saved replies
used; for managers and writers, at the same cost whatever the numbers."""

import pytest

from helpdesk.knowledge import services
from helpdesk.knowledge.models import SavedReply, SavedReplyUse, Search
from tests.helpers import LAPTOP, open_case, signed_in

pytestmark = pytest.mark.django_db

SIZES = [10, 1000]
# Session, user; most read; most helpful; unanswered searches; deflections; saved replies.
REPORT_QUERIES = 7


@pytest.fixture
def activity(request, kb, agent, customer, manager):
    n = request.param
    Search.objects.bulk_create(
        Search(query="Printer Toner" if i % 2 else "vpn drops", results=0) for i in range(n)
    )
    services.record_view(kb["charging"])
    services.give_feedback(article=kb["charging"], reader=customer, helpful=True)
    services.record_deflection(article=kb["charging"], reader=customer, problem="no charge")
    saved = SavedReply.objects.create(title="Power supply on its way", body="x", owner=agent)
    case = open_case(agent, customer, **LAPTOP, owner=agent)
    SavedReplyUse.objects.bulk_create(
        SavedReplyUse(saved_reply=saved, agent=agent, case=case) for _ in range(n)
    )
    return n


@pytest.mark.parametrize("activity", SIZES, indirect=True)
def test_the_report_shows_what_to_write_next(activity, manager, django_assert_num_queries):
    desk = signed_in(manager)
    with django_assert_num_queries(REPORT_QUERIES):
        page = desk.get("/desk/knowledge/report/").text

    unanswered = page[page.index('data-testid="unanswered"') :]
    assert unanswered.index("printer toner") < unanswered.index("vpn drops")  # as many: a-z
    assert f"<td>{activity // 2}</td>" in unanswered
    assert "Laptop will not charge" in page[page.index('data-testid="most-viewed"') :]
    deflections = page[page.index('data-testid="deflections"') :].split("</table>", 1)[0]
    assert deflections.count("<tr><td>") == 1 and "<td>1</td>" in deflections  # this week
    assert f"Power supply on its way</td><td>{activity}</td>" in page


def test_the_report_is_for_managers_and_writers(agent, kb):
    assert signed_in(agent).get("/desk/knowledge/report/").status_code == 403
