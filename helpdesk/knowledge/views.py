"""The help centre (`/help/`): browse by category, search, read an article and say whether
it answered the question. Customers read public articles and their organisation's, agents
every one; visitors who are not signed in read the public ones when the support
organisation allows it (its identity, in the admin)."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from helpdesk.accounts import identity
from helpdesk.accounts.access import customer_required
from helpdesk.knowledge import selectors, services


def help_centre(view):
    """Signed-in people, and visitors when the help centre is public."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated and not identity.current().help_centre_public:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


def reader(request):
    return request.user if request.user.is_authenticated else None


@require_GET
@help_centre
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "knowledge/home.html",
        {"categories": selectors.categories(reader(request)), "nav": "help"},
    )


@require_GET
@help_centre
def category(request: HttpRequest, slug: str) -> HttpResponse:
    found, articles = selectors.in_category(reader(request), slug)
    if found is None or not articles:
        raise Http404("No such category.")
    return render(
        request, "knowledge/category.html", {"category": found, "articles": articles, "nav": "help"}
    )


@require_GET
@help_centre
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200].strip()
    found = selectors.search(reader(request), query) if query else []
    if query:
        services.record_search(query=query, results=len(found), reader=reader(request))
    return render(request, "knowledge/search.html", {"q": query, "articles": found, "nav": "help"})


class FeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(
        choices=[("yes", "Yes"), ("no", "No")], coerce=lambda answer: answer == "yes"
    )
    comment = forms.CharField(
        max_length=500, required=False, label="Anything we should add? (optional)"
    )


@require_GET
@help_centre
def article(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.article(reader(request), slug)
    if found is None:
        raise Http404("No such article.")
    services.record_view(found)
    return render(
        request, "knowledge/article.html", {"article": found, "form": FeedbackForm(), "nav": "help"}
    )


@require_POST
@help_centre
@ratelimit(key="ip", rate="30/h", block=True)
def feedback(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.article(reader(request), slug)
    if found is None:
        raise Http404("No such article.")
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return render(
            request, "knowledge/article.html#feedback", {"article": found, "form": form}, status=422
        )
    services.give_feedback(article=found, reader=reader(request), **form.cleaned_data)
    return render(request, "knowledge/article.html#feedback", {"article": found, "thanked": True})


@require_GET
@customer_required
def suggestions(request: HttpRequest) -> HttpResponse:
    """While a customer describes a problem: articles that may answer it, each with "This
    solved it" (beside the similar cases and known issues)."""
    problem = request.GET.get("title", "")[:200]
    return render(
        request,
        "knowledge/_suggestions.html",
        {"articles": selectors.suggest(request.user, problem), "problem": problem},
    )


@require_POST
@customer_required
def solved(request: HttpRequest, slug: str) -> HttpResponse:
    """The customer read an article at intake and it solved the problem: counted, and no
    case is opened."""
    found = selectors.article(request.user, slug)
    if found is None:
        raise Http404("No such article.")
    services.record_deflection(
        article=found, reader=request.user, problem=request.POST.get("title", "")
    )
    if not request.htmx:
        messages.success(request, f"Glad “{found.title}” solved it: no case was opened.")
        return redirect("portal:home")
    return render(request, "knowledge/_suggestions.html", {"solved": found})
