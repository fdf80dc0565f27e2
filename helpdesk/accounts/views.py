"""Sign-in: password (rate-limited), passwordless link by email, password reset."""

from django import forms
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from helpdesk.accounts import links


def rate_limited(request: HttpRequest, exception=None) -> HttpResponse:
    return render(
        request,
        "429.html",
        {"message": "Too many attempts. Please wait a few minutes and try again."},
        status=429,
    )


def _limited(request: HttpRequest) -> HttpResponse | None:
    return rate_limited(request) if getattr(request, "limited", False) else None


def _address(field: str):
    """A rate-limit key: the posted address as sign-in reads it. Sign-in ignores the case
    of an email, so `Alex@…` and `alex@…` are the same person and share one count."""

    def key(group: str, request: HttpRequest) -> str:
        return request.POST.get(field, "").strip().lower()

    return key


@method_decorator(ratelimit(key="ip", rate="20/m", method="POST", block=False), name="post")
@method_decorator(
    ratelimit(key=_address("username"), rate="10/5m", method="POST", block=False), name="post"
)
class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        return _limited(request) or super().post(request, *args, **kwargs)


@method_decorator(ratelimit(key="ip", rate="10/h", method="POST", block=False), name="post")
@method_decorator(
    ratelimit(key=_address("email"), rate="5/h", method="POST", block=False), name="post"
)
class PasswordResetView(auth_views.PasswordResetView):
    @property
    def extra_email_context(self) -> dict:
        # The link starts at SITE_URL like every link we email, never at whatever Host
        # and scheme the request (or a proxy in front of us) happened to carry.
        return {"site_url": settings.SITE_URL}

    def post(self, request, *args, **kwargs):
        return _limited(request) or super().post(request, *args, **kwargs)


class LinkRequestForm(forms.Form):
    email = forms.EmailField(label="Email address")


@ratelimit(key="ip", rate="10/h", method="POST", block=False)
@ratelimit(key=_address("email"), rate="5/h", method="POST", block=False)
@require_http_methods(["GET", "POST"])
def link_request(request: HttpRequest) -> HttpResponse:
    """Ask for a sign-in link. The answer is the same whether or not the address exists."""
    if limited := _limited(request):
        return limited
    form = LinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        links.send_link(form.cleaned_data["email"])
        context = {"email": form.cleaned_data["email"], "minutes": settings.SIGN_IN_LINK_MINUTES}
        return render(request, "registration/link_sent.html", context)
    context = {"form": form, "minutes": settings.SIGN_IN_LINK_MINUTES}
    return render(request, "registration/link_request.html", context)


@ratelimit(key="ip", rate="30/h", method="POST", block=False)
@require_http_methods(["GET", "POST"])
def link_redeem(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; only the POST signs in, so mail scanners cannot spend the link."""
    if limited := _limited(request):
        return limited
    minutes = settings.SIGN_IN_LINK_MINUTES
    if request.method == "GET":
        context = {"valid": links.peek(token), "minutes": minutes}
        return render(request, "registration/link_redeem.html", context)
    user = links.redeem(token)
    if user is None:
        context = {"valid": False, "minutes": minutes}
        return render(request, "registration/link_redeem.html", context, status=410)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("home")
