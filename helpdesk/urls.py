from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cases.urls import desk_urls, portal_urls, reports_urls
from helpdesk import views
from helpdesk.accounts import views as account_views
from helpdesk.api.urls import page_urls as api_page_urls
from helpdesk.knowledge.urls import desk_urls as knowledge_desk_urls
from notifications import views as inbound_views

admin.site.site_header = "Helpdesk administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages that name no icon (a raw file, an error).
    path("favicon.ico", views.favicon, name="favicon"),
    path("logo", views.logo, name="logo"),
    path("inbound/email/", inbound_views.receive, name="inbound_email"),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/link/", account_views.link_request, name="link_request"),
    path("accounts/link/<str:token>/", account_views.link_redeem, name="link_redeem"),
    path(
        "accounts/password_reset/",
        account_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("desk/", include((desk_urls, "desk"))),
    path("portal/", include((portal_urls, "portal"))),
    path("reports/", include((reports_urls, "reports"))),
    path("api/v1/", include("helpdesk.api.urls")),
    path("", include(api_page_urls)),
    path("help/", include("helpdesk.knowledge.urls")),
    path("desk/", include(knowledge_desk_urls)),
    path("admin/", admin.site.urls),
]

handler403 = "helpdesk.views.permission_denied"
