from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from cases.urls import desk_urls, portal_urls, reports_urls
from helpdesk import views
from helpdesk.api.urls import page_urls as api_page_urls
from helpdesk.knowledge.urls import desk_urls as knowledge_desk_urls
from notifications import views as inbound_views

admin.site.site_header = "Helpdesk administration"
# The admin signs in through the product's sign-in, with its second factor, never around it.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages that name no icon (a raw file, an error).
    path("favicon.ico", views.favicon, name="favicon"),
    path("logo", views.logo, name="logo"),
    path("inbound/email/", inbound_views.receive, name="inbound_email"),
    path("accounts/", include("helpdesk.accounts.urls")),
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
