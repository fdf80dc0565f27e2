from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cases.urls import desk_urls, portal_urls, reports_urls
from helpdesk import views

admin.site.site_header = "Helpdesk administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("desk/", include((desk_urls, "desk"))),
    path("portal/", include((portal_urls, "portal"))),
    path("reports/", include((reports_urls, "reports"))),
    path("admin/", admin.site.urls),
]
