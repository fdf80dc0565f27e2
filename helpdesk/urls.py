from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cases.urls import desk_urls, portal_urls, reports_urls
from helpdesk import views
from helpdesk.accounts import views as account_views
from helpdesk.api import pages as api_pages
from helpdesk.api import webhook_pages
from helpdesk.knowledge import desk_views as knowledge_desk
from helpdesk.knowledge import report as knowledge_report
from helpdesk.knowledge import saved_reply_views
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
    path("account/tokens/", api_pages.token_list, name="api_tokens"),
    path("account/tokens/<int:token_id>/revoke/", api_pages.token_revoke, name="api_token_revoke"),
    path("desk/webhooks/", webhook_pages.subscriptions, name="api_webhooks"),
    path("desk/webhooks/<int:subscription_id>/", webhook_pages.deliveries, name="api_webhook_log"),
    path(
        "desk/webhooks/<int:subscription_id>/resume/",
        webhook_pages.resume,
        name="api_webhook_resume",
    ),
    path(
        "desk/webhooks/<int:subscription_id>/delete/",
        webhook_pages.delete,
        name="api_webhook_delete",
    ),
    path("help/", include("helpdesk.knowledge.urls")),
    path("desk/knowledge/", knowledge_desk.articles, name="knowledge_articles"),
    path("desk/knowledge/new/", knowledge_desk.new_article, name="knowledge_new"),
    path("desk/knowledge/report/", knowledge_report.knowledge_report, name="knowledge_report"),
    path("desk/knowledge/for/<str:reference>/", knowledge_desk.for_case, name="knowledge_for_case"),
    path("desk/knowledge/<int:article_id>/", knowledge_desk.edit_article, name="knowledge_edit"),
    path(
        "desk/knowledge/<int:article_id>/versions/<int:number>/publish/",
        knowledge_desk.publish_version,
        name="knowledge_publish",
    ),
    path(
        "desk/knowledge/<int:article_id>/unpublish/",
        knowledge_desk.unpublish,
        name="knowledge_unpublish",
    ),
    path("desk/saved-replies/", saved_reply_views.saved_reply_list, name="saved_replies"),
    path("desk/saved-replies/pick/", saved_reply_views.pick, name="saved_reply_pick"),
    path(
        "desk/saved-replies/<int:saved_id>/",
        saved_reply_views.saved_reply_edit,
        name="saved_reply_edit",
    ),
    path(
        "desk/saved-replies/<int:saved_id>/delete/",
        saved_reply_views.saved_reply_delete,
        name="saved_reply_delete",
    ),
    path(
        "desk/saved-replies/<int:saved_id>/used/", saved_reply_views.used, name="saved_reply_used"
    ),
    path("admin/", admin.site.urls),
]

handler403 = "helpdesk.views.permission_denied"
