"""The knowledge base's report: what customers read and find helpful, what they looked for
and did not find (what to write next), the problems articles solved at intake, and the
saved replies agents use. One query each, whatever the size of the knowledge base."""

from datetime import timedelta

from django.db.models import Count, F
from django.db.models.functions import Lower, TruncWeek
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from helpdesk.accounts.access import role_required
from helpdesk.knowledge import services
from helpdesk.knowledge.models import Article, Deflection, SavedReplyUse, Search

PERIODS = (7, 30, 90)
TOP = 10


def figures(days: int) -> dict:
    since = timezone.now() - timedelta(days=days)
    published = Article.objects.filter(published_at__isnull=False)
    return {
        "most_viewed": list(published.filter(views__gt=0).order_by("-views", "title")[:TOP]),
        "most_helpful": list(
            published.filter(helpful__gt=0)
            .annotate(votes=F("helpful") + F("not_helpful"))
            .order_by("-helpful", "not_helpful", "title")[:TOP]
        ),
        "unanswered": list(
            Search.objects.filter(created__gte=since, results=0)
            .annotate(words=Lower("query"))
            .values("words")
            .annotate(times=Count("pk"))
            .order_by("-times", "words")[: TOP * 2]
        ),
        "deflections": list(
            Deflection.objects.filter(created__gte=since)
            .annotate(week=TruncWeek("created"))
            .values("week")
            .annotate(solved=Count("pk"))
            .order_by("week")
        ),
        "saved_replies": list(
            SavedReplyUse.objects.filter(created__gte=since)
            .values("saved_reply__title")
            .annotate(uses=Count("pk"))
            .order_by("-uses", "saved_reply__title")[:TOP]
        ),
    }


@role_required(
    lambda user: user.is_manager or services.may_write(user),
    "The knowledge report is for managers and writers.",
)
def knowledge_report(request: HttpRequest) -> HttpResponse:
    """Managers and the knowledge base's writers."""
    try:
        days = int(request.GET.get("days", 30))
    except ValueError:
        days = 30
    days = days if days in PERIODS else 30
    return render(
        request,
        "knowledge/report.html",
        {"days": days, "periods": PERIODS, "nav": "knowledge", **figures(days)},
    )
