"""/help/: the help centre; and `desk_urls`, the knowledge base and saved replies on the
desk (under /desk/, without a namespace)."""

from django.urls import path

from helpdesk.knowledge import desk_views, report, saved_reply_views, views

app_name = "help"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("c/<slug:slug>/", views.category, name="category"),
    path("<slug:slug>/", views.article, name="article"),
    path("<slug:slug>/feedback/", views.feedback, name="feedback"),
    path("<slug:slug>/solved/", views.solved, name="solved"),
]

desk_urls = [
    path("knowledge/", desk_views.articles, name="knowledge_articles"),
    path("knowledge/new/", desk_views.new_article, name="knowledge_new"),
    path("knowledge/report/", report.knowledge_report, name="knowledge_report"),
    path("knowledge/for/<str:reference>/", desk_views.for_case, name="knowledge_for_case"),
    path("knowledge/<int:article_id>/", desk_views.edit_article, name="knowledge_edit"),
    path(
        "knowledge/<int:article_id>/versions/<int:number>/publish/",
        desk_views.publish_version,
        name="knowledge_publish",
    ),
    path("knowledge/<int:article_id>/unpublish/", desk_views.unpublish, name="knowledge_unpublish"),
    path("saved-replies/", saved_reply_views.saved_reply_list, name="saved_replies"),
    path("saved-replies/pick/", saved_reply_views.pick, name="saved_reply_pick"),
    path(
        "saved-replies/<int:saved_id>/", saved_reply_views.saved_reply_edit, name="saved_reply_edit"
    ),
    path(
        "saved-replies/<int:saved_id>/delete/",
        saved_reply_views.saved_reply_delete,
        name="saved_reply_delete",
    ),
    path("saved-replies/<int:saved_id>/used/", saved_reply_views.used, name="saved_reply_used"),
]
