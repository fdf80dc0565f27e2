"""/help/: the help centre."""

from django.urls import path

from helpdesk.knowledge import views

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
