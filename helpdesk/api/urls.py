"""/api/v1/: the REST API, its OpenAPI schema and its docs (served from the packages,
no CDN); and `page_urls`, the pages of people's tokens and of webhooks."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from helpdesk.api import pages, webhook_pages
from helpdesk.api.views import actions, cases, incidents, people, work

app_name = "api"

urlpatterns = [
    path("me", people.Me.as_view(), name="me"),
    path("cases/", cases.CaseList.as_view(), name="cases"),
    path("cases/search/", cases.CaseSearch.as_view(), name="search"),
    path("cases/<str:reference>/", cases.CaseDetail.as_view(), name="case"),
    path("cases/<str:reference>/timeline/", cases.Timeline.as_view(), name="timeline"),
    path("cases/<str:reference>/clocks/", cases.Clocks.as_view(), name="clocks"),
    path("cases/<str:reference>/identifiers/", work.Identifiers.as_view(), name="identifiers"),
    path(
        "cases/<str:reference>/identifiers/<int:identifier_id>/",
        work.Identifier.as_view(),
        name="identifier",
    ),
    path("cases/<str:reference>/handoffs/", work.Handoffs.as_view(), name="handoffs"),
    *(
        path(f"cases/<str:reference>/{name}/", actions.action_view(name).as_view(), name=name)
        for name in actions.ACTIONS
    ),
    *(
        path(
            f"handoffs/<int:handoff_id>/{name}/",
            work.handoff_action_view(name).as_view(),
            name=f"handoff_{name}",
        )
        for name in work.HANDOFF_ACTIONS
    ),
    path("customers/", people.Customers.as_view(), name="customers"),
    path("organizations/", people.Organizations.as_view(), name="organizations"),
    path("incidents/", incidents.Incidents.as_view(), name="incidents"),
    path(
        "incidents/<int:incident_id>/link/", incidents.IncidentLink.as_view(), name="incident_link"
    ),
    path(
        "incidents/<int:incident_id>/updates/",
        incidents.IncidentUpdate.as_view(),
        name="incident_update",
    ),
    path(
        "incidents/<int:incident_id>/resolve/",
        incidents.IncidentResolve.as_view(),
        name="incident_resolve",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI's page sets a few styles inline: allowed on this page alone.
    path(
        "docs/",
        csp_update({"style-src": UNSAFE_INLINE})(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema")
        ),
        name="docs",
    ),
]

# Included at the root, without a namespace.
page_urls = [
    path("account/tokens/", pages.token_list, name="api_tokens"),
    path("account/tokens/<int:token_id>/revoke/", pages.token_revoke, name="api_token_revoke"),
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
]
