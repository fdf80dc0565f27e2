"""Every change to the knowledge base: one function each, by the acting user.

Writers are managers and agents given the `knowledge.change_article` permission (in the
admin, directly or through a group). Readers leave views, feedback and searches behind.
"""

from collections.abc import Iterable

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify

from cases.text import render_markdown
from helpdesk.accounts.models import Organization, User
from helpdesk.knowledge.models import (
    Article,
    ArticleVersion,
    Category,
    Deflection,
    Feedback,
    Search,
)

# Title words weigh more than body words when results are ranked.
WORDS = SearchVector("title", weight="A", config="english") + SearchVector(
    "body", weight="B", config="english"
)


class KnowledgeError(Exception):
    """Why a change was refused, fit to show the person."""


def may_write(user: User) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and user.is_agent
        and (user.is_manager or user.has_perm("knowledge.change_article"))
    )


def _require_writer(user: User) -> None:
    if not may_write(user):
        raise KnowledgeError("Only managers and the agents given the right write articles.")


def _unique_slug(title: str) -> str:
    base = slugify(title)[:100] or "article"
    slug, n = base, 1
    while Article.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def create_article(
    *,
    acting_user: User,
    category: Category,
    title: str,
    body: str,
    visibility: str = Article.Visibility.PUBLIC,
    organizations: Iterable[Organization] = (),
) -> Article:
    """A new article with its first version, a draft: nobody reads it until published."""
    _require_writer(acting_user)
    if not title.strip():
        raise KnowledgeError("An article needs a title.")
    organizations = list(organizations)
    _check_audience(visibility, organizations)
    article = Article.objects.create(
        category=category, slug=_unique_slug(title), visibility=visibility, created_by=acting_user
    )
    article.organizations.set(organizations)
    ArticleVersion.objects.create(
        article=article, number=1, title=title.strip(), body=body, author=acting_user
    )
    return article


def _check_audience(visibility: str, organizations: list) -> None:
    if visibility not in Article.Visibility.values:
        raise KnowledgeError("Choose who may read it.")
    if visibility == Article.Visibility.ORGANIZATIONS and not organizations:
        raise KnowledgeError("Choose the organisations that may read it.")


@transaction.atomic
def save_draft(
    *,
    article: Article,
    acting_user: User,
    title: str,
    body: str,
    category: Category | None = None,
    visibility: str | None = None,
    organizations: Iterable[Organization] | None = None,
) -> ArticleVersion:
    """A new version of the text (a draft; the published one stays until this one is
    published), or the newest one when the text is unchanged. Who reads it and where it is
    filed change at once."""
    _require_writer(acting_user)
    if not title.strip():
        raise KnowledgeError("An article needs a title.")
    article = Article.objects.select_for_update().get(pk=article.pk)
    if visibility is not None:
        organizations = list(
            organizations if organizations is not None else article.organizations.all()
        )
        _check_audience(visibility, organizations)
        article.visibility = visibility
        article.organizations.set(organizations)
    if category is not None:
        article.category = category
    article.updated = timezone.now()
    article.save(update_fields=["visibility", "category", "updated"])
    newest = article.versions.order_by("-number").first()
    if newest is not None and (newest.title, newest.body) == (title.strip(), body):
        return newest  # the text did not change: no new version
    number = (article.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return ArticleVersion.objects.create(
        article=article, number=number, title=title.strip(), body=body, author=acting_user
    )


@transaction.atomic
def publish(*, version: ArticleVersion, acting_user: User) -> Article:
    """Readers see this version from now on (its text copied onto the article, sanitized);
    earlier versions stay in the history."""
    _require_writer(acting_user)
    now = timezone.now()
    article = Article.objects.select_for_update().get(pk=version.article_id)
    ArticleVersion.objects.filter(pk=version.pk).update(published_at=now)
    article.title, article.body = version.title, version.body
    article.body_html = render_markdown(version.body)
    article.published_at = article.published_at or now
    article.updated = now
    article.save(update_fields=["title", "body", "body_html", "published_at", "updated"])
    index_for_search(Article.objects.filter(pk=article.pk))
    return article


def index_for_search(articles) -> None:
    """Keep the words search reads (PostgreSQL; SQLite searches the text itself)."""
    if connection.vendor == "postgresql":
        articles.update(search_vector=WORDS)


def unpublish(*, article: Article, acting_user: User) -> None:
    """Take an article out of every reader's sight (its history stays)."""
    _require_writer(acting_user)
    Article.objects.filter(pk=article.pk).update(published_at=None, updated=timezone.now())


def record_view(article: Article) -> None:
    Article.objects.filter(pk=article.pk).update(views=F("views") + 1)


@transaction.atomic
def give_feedback(
    *, article: Article, reader: User | None, helpful: bool, comment: str = ""
) -> Feedback:
    """A reader's "Did this answer your question?": yes or no, with an optional word."""
    field = "helpful" if helpful else "not_helpful"
    Article.objects.filter(pk=article.pk).update(**{field: F(field) + 1})
    return Feedback.objects.create(
        article=article,
        reader=reader if reader is not None and reader.is_authenticated else None,
        helpful=helpful,
        comment=comment.strip()[:500],
    )


def record_search(*, query: str, results: int, reader: User | None) -> None:
    Search.objects.create(
        query=query.strip()[:200],
        results=results,
        reader=reader if reader is not None and reader.is_authenticated else None,
    )


def record_deflection(*, article: Article, reader: User, problem: str) -> Deflection:
    """A customer's "This solved it" at intake: no case opened."""
    return Deflection.objects.create(article=article, reader=reader, problem=problem.strip()[:200])
