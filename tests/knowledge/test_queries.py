"""The help centre's pages cost the same queries with 10 articles as with 1,000, and its
search works on the embedded default too (SQLite, by substring)."""

import pytest

from helpdesk.knowledge import services
from helpdesk.knowledge.models import Article, Category
from tests.helpers import signed_in

pytestmark = pytest.mark.django_db

SIZES = [10, 1000]
# Session, user; the count per category; the categories; their first titles.
HOME_QUERIES = 5
# Session, user; the category; its articles.
CATEGORY_QUERIES = 4
# Session, user; the articles found (with category); the search remembered.
SEARCH_QUERIES = 4


@pytest.fixture
def many(request, manager, laptops, organization):
    n = request.param
    accounts = Category.objects.create(name="Accounts", slug="accounts")
    Article.objects.bulk_create(
        Article(
            category=laptops if i % 2 else accounts, slug=f"article-{i}", title=f"Charging tip {i}",
            body="Charge overnight.", body_html="<p>Charge overnight.</p>", created_by=manager,
            published_at="2026-12-01T00:00Z",
            visibility=Article.Visibility.INTERNAL if i % 5 == 0 else Article.Visibility.PUBLIC,
        )
        for i in range(n)
    )  # fmt: skip
    services.index_for_search(Article.objects.all())
    return n


@pytest.mark.parametrize("many", SIZES, indirect=True)
def test_help_pages_cost_the_same_at_any_size(many, customer, django_assert_num_queries):
    reader = signed_in(customer)

    with django_assert_num_queries(HOME_QUERIES):
        home = reader.get("/help/")
    assert home.text.count('href="/help/article-') == (8 if many == 10 else 16)  # 8 a category
    with django_assert_num_queries(CATEGORY_QUERIES):
        reader.get("/help/c/laptops/")
    with django_assert_num_queries(SEARCH_QUERIES):
        found = reader.get("/help/search/", {"q": "charging"})
    assert found.text.count('href="/help/article-') == min(many - many // 5, 50)


@pytest.mark.embedded
def test_search_finds_words_as_typed_on_sqlite_too(manager, laptops, customer):
    from tests.knowledge.conftest import published

    published(manager, laptops, "Laptop will not charge", "Check the power supply.")

    page = signed_in(customer).get("/help/search/", {"q": "power supply"}).text

    assert "Laptop will not charge" in page
