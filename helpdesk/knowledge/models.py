"""The knowledge base: articles in categories, each public, for some organisations only,
or internal (agents only); every edit a version, the published one what readers see.

An article's readable text (title, body, its sanitized HTML) is the published version's,
copied onto the article when it is published, so reading and searching never join the
history. What readers did with it is counted: views, "Did this answer your question?",
searches that found nothing, problems it solved at intake (deflections).
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Category(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class ArticleQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ArticleQuerySet":
        """Published articles `user` may read: anyone the public ones; a customer also
        their organisation's; an agent every one, internal too. Drafts are never here."""
        published = self.filter(published_at__isnull=False)
        if user is not None and user.is_authenticated and user.is_agent:
            return published
        public = Q(visibility=Article.Visibility.PUBLIC)
        if user is not None and user.is_authenticated and user.organization_id:
            theirs = Article.organizations.through.objects.filter(
                organization_id=user.organization_id
            ).values("article_id")
            public |= Q(visibility=Article.Visibility.ORGANIZATIONS, pk__in=theirs)
        return published.filter(public)


class Article(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        ORGANIZATIONS = "organizations", "Some organisations only"
        INTERNAL = "internal", "Internal (agents only)"

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="articles")
    slug = models.SlugField(max_length=120, unique=True)
    visibility = models.CharField(
        max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    organizations = models.ManyToManyField(
        "accounts.Organization", blank=True, related_name="articles"
    )
    # The published version's text (empty until the first publication).
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # The published text's words for full-text search on PostgreSQL (title weighted above
    # body), kept when published; a GIN index answers the search (migration 0006).
    search_vector = SearchVectorField(null=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="articles_created"
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)
    views = models.PositiveIntegerField(default=0)
    helpful = models.PositiveIntegerField(default=0)
    not_helpful = models.PositiveIntegerField(default=0)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["category", "title", "pk"]
        indexes = [
            models.Index(
                fields=["category", "title"],
                name="article_published_idx",
                condition=Q(published_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.slug


class ArticleVersion(models.Model):
    """One state of an article's text: a draft until published; never edited after."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown; sanitized when drawn.")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="article_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"


class Feedback(models.Model):
    """A reader's answer to "Did this answer your question?"."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    helpful = models.BooleanField()
    comment = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{'Yes' if self.helpful else 'No'} on {self.article_id}"


class Search(models.Model):
    """What someone looked for in the help centre, and how much they found: the searches
    that found nothing say what to write next."""

    query = models.CharField(max_length=200)
    results = models.PositiveIntegerField()
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["created"], name="kb_search_created_idx")]

    def __str__(self) -> str:
        return self.query


class Deflection(models.Model):
    """A customer about to report a problem read an article and said it solved it: a case
    that did not need opening."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deflections")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    problem = models.CharField(max_length=200, blank=True, help_text="What they were typing.")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["created"], name="kb_deflection_created_idx")]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.problem}"


class SavedReply(models.Model):
    """Words an agent sends again and again, with placeholders filled from the case
    ({customer.first_name}, {case.reference}, {owner.name}, {eta} …): personal (its owner's)
    or shared by a department. It may suggest one follow-up the agent confirms."""

    class FollowUp(models.TextChoices):
        NONE = "", "Nothing else"
        PROPOSE = "propose", "Propose this as the resolution"
        WAIT = "wait", "Wait on the customer's answer"

    title = models.CharField(max_length=80)
    body = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="saved_replies",
    )  # fmt: skip
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.CASCADE,
        related_name="saved_replies",
    )  # fmt: skip
    follow_up = models.CharField(max_length=10, choices=FollowUp.choices, blank=True)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=True) ^ Q(department__isnull=True),
                name="saved_reply_personal_or_shared",
            )
        ]

    def __str__(self) -> str:
        return self.title


class SavedReplyUse(models.Model):
    """A saved reply put into a composer: what the reports count."""

    saved_reply = models.ForeignKey(SavedReply, on_delete=models.CASCADE, related_name="uses")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["created"], name="saved_reply_use_created_idx")]

    def __str__(self) -> str:
        return f"{self.saved_reply_id} on {self.case_id}"
