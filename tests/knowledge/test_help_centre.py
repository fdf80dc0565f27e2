"""The help centre: each reader finds what they may read (public articles; their
organisation's; agents every one; nobody a draft), by category or by searching, and says
whether it answered the question."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpdesk.accounts import identity
from helpdesk.knowledge import selectors
from helpdesk.knowledge.models import Article, Feedback, Search
from tests.helpers import signed_in

pytestmark = pytest.mark.django_db


TITLES = (
    "Laptop will not charge",
    "Acme docking stations",
    "Replacing a power supply (agents)",
    "Battery swelling",
)


def titles(page) -> list[str]:
    return [title for title in TITLES if title in page]


def test_each_reader_sees_what_they_may_read(kb, customer, outsider, agent, client):
    assert titles(signed_in(customer).get("/help/").text) == [
        "Laptop will not charge", "Acme docking stations",
    ]  # fmt: skip
    assert titles(signed_in(outsider).get("/help/").text) == ["Laptop will not charge"]
    assert titles(signed_in(agent).get("/help/").text) == [
        "Laptop will not charge", "Acme docking stations", "Replacing a power supply (agents)",
    ]  # fmt: skip
    assert client.get("/help/").status_code == 302  # not public unless the support says so


def test_no_url_reaches_an_article_its_reader_may_not_read(kb, customer, outsider, client):
    for person, slug in (
        (outsider, kb["acme"].slug),
        (customer, kb["internal"].slug),
        (customer, kb["draft"].slug),
    ):
        reader = signed_in(person)
        assert reader.get(f"/help/{slug}/").status_code == 404
        assert reader.post(f"/help/{slug}/feedback/", {"helpful": "yes"}).status_code == 404
        assert kb["internal"].title not in reader.get("/help/search/", {"q": "power supply"}).text


def test_visitors_read_public_articles_when_the_help_centre_is_public(kb, client):
    identity.remember(identity.Identity("Helpdesk", 0, False, help_centre_public=True))

    page = client.get("/help/")

    assert titles(page.text) == ["Laptop will not charge"]
    assert client.get(f"/help/{kb['acme'].slug}/").status_code == 404
    assert client.get(f"/help/{kb['charging'].slug}/").status_code == 200


def test_search_finds_words_as_people_type_them_and_remembers_what_found_nothing(kb, customer):
    reader = signed_in(customer)

    found = reader.get("/help/search/", {"q": "charging laptop"}).text
    assert titles(found) == ["Laptop will not charge", "Acme docking stations"]
    assert found.index("Laptop will not charge") < found.index("Acme docking stations")
    nothing = reader.get("/help/search/", {"q": "printer toner"})
    assert 'data-testid="no-results"' in nothing.text
    assert list(Search.objects.order_by("pk").values_list("query", "results")) == [
        ("charging laptop", 2), ("printer toner", 0),
    ]  # fmt: skip


def test_the_search_reads_its_index(kb, customer):
    with CaptureQueriesContext(connection) as captured:
        selectors.search(customer, "charge")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # a small table: ask what it would use
        cursor.execute("EXPLAIN " + captured.captured_queries[-1]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "article_search_idx" in plan


def test_an_article_is_drawn_sanitized_and_counted(manager, laptops, customer):
    from tests.knowledge.conftest import published

    article = published(
        manager,
        laptops,
        "Odd characters",
        "<script>alert(1)</script> and [a link](javascript:alert(1))",
    )

    page = signed_in(customer).get(f"/help/{article.slug}/").text

    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert 'href="javascript:' not in page
    assert Article.objects.get(pk=article.pk).views == 1


def test_a_reader_says_whether_it_answered_the_question(kb, customer):
    reader = signed_in(customer)
    url = f"/help/{kb['charging'].slug}/feedback/"

    refused = reader.post(url, {"comment": "Which LED?"}, headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "Choose yes or no." in refused.text
    assert "Which LED?" in refused.text  # kept as typed
    thanked = reader.post(
        url, {"helpful": "no", "comment": "Which LED?"}, headers={"HX-Request": "true"}
    )
    assert 'data-testid="thanks"' in thanked.text
    article = Article.objects.get(pk=kb["charging"].pk)
    assert (article.helpful, article.not_helpful) == (0, 1)
    assert Feedback.objects.get().comment == "Which LED?"


def test_suggestions_at_intake_show_only_what_the_customer_may_read(kb, customer, outsider):
    typed = {"title": "my dock will not charge the power supply"}

    acme = signed_in(customer).get("/help/suggestions/", typed).text
    assert titles(acme) == ["Laptop will not charge", "Acme docking stations"]
    globex = signed_in(outsider).get("/help/suggestions/", typed).text
    assert titles(globex) == ["Laptop will not charge"]  # never Acme's, never the agents'
