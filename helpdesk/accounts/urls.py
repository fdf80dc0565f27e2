"""Sign-in's routes: ours (password, link, reset) and the parts of django-allauth that sign-in
uses (the second factor's pages and stage, single sign-on's callback). allauth's sign-up and
email pages are left out: people are added by an admin or by single sign-on."""

from allauth.account import views as allauth_views
from allauth.socialaccount.providers.openid_connect import urls as oidc_urls
from django.contrib.auth import views as auth_views
from django.urls import include, path

from helpdesk.accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("link/", views.link_request, name="link_request"),
    path("link/<str:token>/", views.link_redeem, name="link_redeem"),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("", include("django.contrib.auth.urls")),
    # The names allauth's stages and templates reverse, on the same views.
    path("login/", views.LoginView.as_view(), name="account_login"),
    path("logout/", auth_views.LogoutView.as_view(), name="account_logout"),
    path(
        "login/code/confirm/",
        allauth_views.confirm_login_code,
        name="account_confirm_login_code",
    ),
    path("reauthenticate/", allauth_views.reauthenticate, name="account_reauthenticate"),
    path("inactive/", allauth_views.account_inactive, name="account_inactive"),
    path("2fa/", include("allauth.mfa.urls")),
    path("3rdparty/", include("allauth.socialaccount.urls")),
    path("", include(oidc_urls)),
]
