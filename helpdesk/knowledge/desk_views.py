"""The knowledge base on the desk: every article (drafts and internal ones too) for
agents; writing, editing, publishing and the history for those who may write."""

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cases.models import Case, EntryKind, TimelineEntry
from cases.views import access
from helpdesk.accounts.access import agent_required, role_required
from helpdesk.accounts.models import Organization
from helpdesk.knowledge import selectors, services
from helpdesk.knowledge.models import Article, ArticleVersion, Category

LISTED = 200


writer_required = role_required(
    services.may_write, "Only managers and the agents given the right write articles."
)


class ArticleForm(forms.Form):
    title = forms.CharField(max_length=200)
    category = forms.ModelChoiceField(queryset=Category.objects.all(), empty_label=None)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 14}), help_text="Markdown.")
    visibility = forms.ChoiceField(
        choices=Article.Visibility.choices, label="Who may read it", widget=forms.RadioSelect
    )
    organizations = forms.ModelMultipleChoiceField(
        queryset=Organization.objects.order_by("name"),
        required=False,
        help_text="For “Some organisations only”.",
    )


@agent_required
def articles(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "knowledge/desk_list.html",
        {
            "articles": selectors.for_writers()[:LISTED],
            "may_write": services.may_write(request.user),
            "nav": "knowledge",
        },
    )


def _save(request, form, article=None):
    data = form.cleaned_data
    try:
        if article is None:
            article = services.create_article(
                acting_user=request.user,
                category=data["category"],
                title=data["title"],
                body=data["body"],
                visibility=data["visibility"],
                organizations=data["organizations"],
            )
            version = article.versions.get()
        else:
            version = services.save_draft(
                article=article, acting_user=request.user, title=data["title"], body=data["body"],
                category=data["category"], visibility=data["visibility"],
                organizations=data["organizations"],
            )  # fmt: skip
        if "publish" in request.POST:
            services.publish(version=version, acting_user=request.user)
    except services.KnowledgeError as refused:
        form.add_error(None, str(refused))
        return None
    return article


def _from_reply(request) -> dict:
    """A reply the writer may read, as the start of an article: its words, its case's title."""
    entry_id = request.GET.get("from_entry", "")
    if not entry_id.isdigit():
        return {}
    entry = (
        TimelineEntry.objects.visible_to(request.user)
        .filter(
            pk=int(entry_id),
            kind=EntryKind.AGENT_REPLY,
            case__in=Case.objects.visible_to(request.user),
        )
        .select_related("case")
        .first()
    )
    return {"title": entry.case.title, "body": entry.body} if entry else {}


@writer_required
def new_article(request: HttpRequest) -> HttpResponse:
    initial = {"visibility": Article.Visibility.INTERNAL, **_from_reply(request)}
    if "title" not in initial:
        initial["visibility"] = Article.Visibility.PUBLIC
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and (article := _save(request, form)):
        return redirect("knowledge_edit", article_id=article.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "knowledge/desk_edit.html", {"form": form, "nav": "knowledge"}, status=status
    )


@writer_required
def edit_article(request: HttpRequest, article_id: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=article_id)
    newest = article.versions.order_by("-number").first()
    form = ArticleForm(
        request.POST or None,
        initial={
            "title": newest.title,
            "body": newest.body,
            "category": article.category_id,
            "visibility": article.visibility,
            "organizations": list(article.organizations.all()),
        },
    )
    if request.method == "POST" and form.is_valid() and _save(request, form, article):
        return redirect("knowledge_edit", article_id=article.pk)
    context = {
        "form": form,
        "article": article,
        "newest": newest,
        "versions": article.versions.select_related("author")[:50],
        "nav": "knowledge",
    }
    return render(
        request,
        "knowledge/desk_edit.html",
        context,
        status=422 if request.method == "POST" else 200,
    )


@writer_required
@require_POST
def publish_version(request: HttpRequest, article_id: int, number: int) -> HttpResponse:
    version = get_object_or_404(ArticleVersion, article_id=article_id, number=number)
    services.publish(version=version, acting_user=request.user)
    return redirect("knowledge_edit", article_id=article_id)


@writer_required
@require_POST
def unpublish(request: HttpRequest, article_id: int) -> HttpResponse:
    services.unpublish(article=get_object_or_404(Article, pk=article_id), acting_user=request.user)
    return redirect("knowledge_edit", article_id=article_id)


@agent_required
def for_case(request: HttpRequest, reference: str) -> HttpResponse:
    """Beside a case: articles about what it says; a link can go into a reply when the
    case's customer may read the article."""
    case = access.desk_case(request, reference)
    found = selectors.suggest(request.user, f"{case.title} {case.description}", limit=5)
    readable = set(
        Article.objects.visible_to(case.customer)
        .filter(pk__in=[a.pk for a in found])
        .values_list("pk", flat=True)
    )
    for article in found:
        article.customer_may_read = article.pk in readable
        article.url = f"{settings.SITE_URL}{reverse('help:article', args=[article.slug])}"
    return render(request, "knowledge/_for_case.html", {"articles": found, "case": case})
