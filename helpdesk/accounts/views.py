"""Sign-in: password (rate-limited), then the second factor where one is enrolled or
required; single sign-on for staff; a passwordless link by email for customers; password
reset. A valid password hands over to django-allauth's login stages (`perform_login`), so
every way in meets the same second-factor rules."""

from urllib.parse import urlsplit

from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import perform_login
from allauth.socialaccount.models import SocialApp
from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from helpdesk.accounts import links, second_factor


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


class SignInForm(AuthenticationForm):
    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if (
            second_factor.is_staff(user)
            and not user.is_superuser
            and not second_factor.policy().staff_password_sign_in
        ):
            raise ValidationError(
                "Staff sign in through single sign-on: use the button below.", code="sso_only"
            )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@method_decorator(ratelimit(key="ip", rate="20/m", method="POST", block=False), name="post")
@method_decorator(
    ratelimit(key=_address("username"), rate="10/5m", method="POST", block=False), name="post"
)
class LoginView(auth_views.LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        return _limited(request) or super().post(request, *args, **kwargs)

    def form_valid(self, form) -> HttpResponse:
        user = form.get_user()
        # A password just typed counts as a fresh one for the second factor's pages.
        record_authentication(
            self.request, user, method="password", email=user.email, reauthenticated=True
        )
        return perform_login(self.request, user, redirect_url=self.get_success_url())

    def get_context_data(self, **kwargs) -> dict:
        providers = SocialApp.objects.filter(provider="openid_connect").order_by("name")
        return {**super().get_context_data(**kwargs), "providers": list(providers)}

    def render_to_response(self, context, **kwargs) -> HttpResponse:
        response = super().render_to_response(context, **kwargs)
        # The sign-on button's form is answered by a redirect to the provider, which the
        # browser checks against this page's form-action.
        servers = [app.settings.get("server_url", "") for app in context["providers"]]
        if servers := [_origin(url) for url in servers if url]:
            response._csp_update = {"form-action": servers}
        return response


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
    if user is None or not user.is_customer:
        context = {"valid": False, "minutes": minutes}
        return render(request, "registration/link_redeem.html", context, status=410)
    # A customer who enrolled a second factor gives it here too.
    record_authentication(request, user, method="code", email=user.email)
    return perform_login(request, user, redirect_url=reverse("home"))
