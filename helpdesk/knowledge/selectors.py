"""What readers and writers of the knowledge base read: categories with what each reader
may see in them, an article by its slug, and search (PostgreSQL English full-text search
from a GIN index, ranked, titles first; a substring match on SQLite)."""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, F, Prefetch, Q, QuerySet

from helpdesk.accounts.models import User
from helpdesk.knowledge.models import Article, ArticleVersion, Category

CONFIG = "english"
SEARCH_LIMIT = 50


FIRST_TITLES = 8


def categories(user: User | None) -> list[Category]:
    """Categories holding an article `user` may read, each with how many (`readable`) and
    the first titles (`shown`): three queries, however many articles."""
    readable = Article.objects.visible_to(user)
    counts = dict(
        readable.order_by()
        .values_list("category_id")
        .annotate(n=Count("pk"))
        .values_list("category_id", "n")
    )
    found = Category.objects.filter(pk__in=counts).prefetch_related(
        Prefetch(
            "articles",
            queryset=readable.only("slug", "title", "category_id").order_by("title")[:FIRST_TITLES],
            to_attr="shown",
        )
    )
    listed = list(found)
    for category in listed:
        category.readable = counts[category.pk]
    return listed


def in_category(user: User | None, slug: str) -> tuple[Category | None, list[Article]]:
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        return None, []
    shown = Article.objects.visible_to(user).filter(category=category).only("slug", "title")
    return category, list(shown.order_by("title"))


def article(user: User | None, slug: str) -> Article | None:
    return Article.objects.visible_to(user).select_related("category").filter(slug=slug).first()


def search(user: User | None, text: str, *, limit: int = SEARCH_LIMIT) -> list[Article]:
    """Articles `user` may read that say `text`, best first."""
    text = text.strip()
    if not text:
        return []
    readable = Article.objects.visible_to(user).select_related("category")
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config=CONFIG, search_type="websearch")
        return list(
            readable.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "title")[:limit]
        )
    return list(
        readable.filter(Q(title__icontains=text) | Q(body__icontains=text)).order_by("title")[
            :limit
        ]
    )


SUGGESTED = 3
WORDS = re.compile(r"\w{3,}")


def suggest(user: User | None, text: str, *, limit: int = SUGGESTED) -> list[Article]:
    """Articles `user` may read for a problem being described: any of its words, the
    articles saying most of them first (a description is not a search: no word is
    required)."""
    words = list(dict.fromkeys(w.lower() for w in WORDS.findall(text)))[:8]
    if not words:
        return []
    if connection.vendor == "postgresql":
        return search(user, " or ".join(words), limit=limit)
    readable = Article.objects.visible_to(user).select_related("category")
    anyword = Q()
    for word in words:
        anyword |= Q(title__icontains=word)
    return list(readable.filter(anyword).order_by("title")[:limit])


def for_writers() -> QuerySet:
    """Every article, drafts and internal ones too, with its newest version."""
    newest = ArticleVersion.objects.order_by("-number").only(
        "article_id", "number", "title", "published_at"
    )
    return (
        Article.objects.select_related("category")
        .prefetch_related(Prefetch("versions", queryset=newest[:1], to_attr="newest"))
        .order_by(F("published_at").desc(nulls_first=True), "title", "pk")
    )
