"""Sign-in: password (rate-limited), passwordless link by email, password reset."""

from django import forms
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


@method_decorator(ratelimit(key="ip", rate="20/m", method="POST", block=False), name="post")
@method_decorator(
    ratelimit(key="post:username", rate="10/5m", method="POST", block=False), name="post"
)
class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        return _limited(request) or super().post(request, *args, **kwargs)


@method_decorator(ratelimit(key="ip", rate="10/h", method="POST", block=False), name="post")
@method_decorator(ratelimit(key="post:email", rate="5/h", method="POST", block=False), name="post")
class PasswordResetView(auth_views.PasswordResetView):
    def post(self, request, *args, **kwargs):
        return _limited(request) or super().post(request, *args, **kwargs)


class LinkRequestForm(forms.Form):
    email = forms.EmailField(label="Email address")


@ratelimit(key="ip", rate="10/h", method="POST", block=False)
@ratelimit(key="post:email", rate="5/h", method="POST", block=False)
@require_http_methods(["GET", "POST"])
def link_request(request: HttpRequest) -> HttpResponse:
    """Ask for a sign-in link. The answer is the same whether or not the address exists."""
    if limited := _limited(request):
        return limited
    form = LinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        links.send_link(form.cleaned_data["email"])
        return render(request, "registration/link_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "registration/link_request.html", {"form": form})


@ratelimit(key="ip", rate="30/h", method="POST", block=False)
@require_http_methods(["GET", "POST"])
def link_redeem(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; only the POST signs in, so mail scanners cannot spend the link."""
    if limited := _limited(request):
        return limited
    if request.method == "GET":
        return render(request, "registration/link_redeem.html", {"valid": links.peek(token)})
    user = links.redeem(token)
    if user is None:
        return render(request, "registration/link_redeem.html", {"valid": False}, status=410)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("home")
