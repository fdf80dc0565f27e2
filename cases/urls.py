from django.urls import path

from cases.views import (
    desk_actions,
    desk_case,
    desk_new,
    desk_presence,
    desk_queues,
    desk_views,
    handoffs,
    incidents,
    mail,
    notices,
    portal,
    reports,
    saved_views,
    team,
)

desk_urls = [
    path("", desk_queues.dashboard, name="dashboard"),
    path("search/", desk_queues.search, name="search"),
    path("views/counts/", desk_views.sidebar_counts, name="sidebar"),
    path("views/bulk/", desk_views.bulk, name="bulk"),
    path("views/saved/<int:saved_id>/delete/", saved_views.delete, name="delete_saved_view"),
    path("views/<slug:slug>/", desk_views.case_view, name="view"),
    path("views/<slug:slug>/save/", saved_views.save, name="save_view"),
    path("notices/", notices.notices, name="notices"),
    path("notices/bell/", notices.notice_bell, name="notice_bell"),
    path("agents/", desk_case.agent_picker, name="agent_picker"),
    path("availability/", team.availability, name="availability"),
    path("team/", team.team, name="team"),
    path("team/absence/", team.plan_absence, name="plan_absence"),
    path(
        "team/agents/<int:agent_id>/availability/",
        team.set_agent_availability,
        name="agent_availability",
    ),
    path("team/assign/<str:reference>/", team.assign, name="assign"),
    path("cases/new/", desk_new.open_case, name="open_case"),
    path("queue/", handoffs.queue, name="queue"),
    path("mail/", mail.quarantine_list, name="quarantine"),
    path("mail/<int:message_id>/", mail.message, name="quarantine_message"),
    path("mail/<int:message_id>/raw/", mail.raw, name="quarantine_raw"),
    path("mail/<int:message_id>/<slug:action>/", mail.decide, name="quarantine_decide"),
    path("incidents/", incidents.incident_list, name="incidents"),
    path("incidents/new/", incidents.incident_new, name="incident_new"),
    path("incidents/<int:incident_id>/", incidents.incident_detail, name="incident"),
    path("incidents/<int:incident_id>/updates/", incidents.incident_update, name="incident_update"),
    path("cases/<str:reference>/incident/", incidents.link_case, name="link_incident"),
    path("cases/<str:reference>/similar/", incidents.similar, name="similar"),
    path(
        "handoffs/<int:handoff_id>/<slug:action>/", handoffs.handoff_action, name="handoff_action"
    ),
    path("cases/<str:reference>/handoffs/", handoffs.request_handoff, name="request_handoff"),
    path("cases/<str:reference>/", desk_case.case_detail, name="case"),
    path("cases/<str:reference>/timeline/", desk_case.case_timeline, name="case_timeline"),
    path("cases/<str:reference>/entries/", desk_case.case_entry, name="case_entry"),
    path("cases/<str:reference>/presence/", desk_presence.case_presence, name="case_presence"),
    path(
        "cases/<str:reference>/identifiers/", desk_actions.case_identifier, name="case_identifier"
    ),
    path(
        "cases/<str:reference>/attachments/<int:attachment_id>/",
        desk_case.attachment,
        name="attachment",
    ),
    path("cases/<str:reference>/contact/", desk_actions.customer_contact, name="customer_contact"),
    path("cases/<str:reference>/<slug:action>/", desk_actions.case_action, name="case_action"),
]

portal_urls = [
    path("", portal.home, name="home"),
    path("settings/", portal.notification_settings, name="settings"),
    path("cases/new/", portal.report, name="report"),
    path("cases/similar/", portal.similar, name="similar"),
    path("incidents/<int:incident_id>/", portal.incident, name="incident"),
    path("cases/<str:reference>/", portal.case_detail, name="case"),
    path("cases/<str:reference>/timeline/", portal.case_timeline, name="case_timeline"),
    path("cases/<str:reference>/reply/", portal.reply, name="reply"),
    path("cases/<str:reference>/confirm/", portal.confirm, name="confirm"),
    path("cases/<str:reference>/still-broken/", portal.still_broken, name="still_broken"),
    path("cases/<str:reference>/news/", portal.ask_for_news, name="ask_for_news"),
    path("cases/<str:reference>/rate/", portal.rate, name="rate"),
    path("cases/<str:reference>/identifiers/", portal.add_identifier, name="add_identifier"),
    path(
        "cases/<str:reference>/identifiers/<int:identifier_id>/remove/",
        portal.remove_identifier,
        name="remove_identifier",
    ),
    path(
        "cases/<str:reference>/attachments/<int:attachment_id>/",
        portal.attachment,
        name="attachment",
    ),
]

reports_urls = [
    path("", reports.index, name="index"),
    path("unowned/", reports.unowned, name="unowned"),
    path("time-to-owner/", reports.time_to_owner, name="time_to_owner"),
    path("bounces/", reports.bounces, name="bounces"),
    path("sla/", reports.sla, name="sla"),
    path("promises/", reports.promises, name="promises"),
    path("quality/", reports.quality, name="quality"),
    path("one-voice/", reports.voice, name="voice"),
    path("audit/", reports.audit, name="audit"),
]
