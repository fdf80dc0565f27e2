from django.urls import path

from cases.views import desk, portal, reports

desk_urls = [
    path("", desk.dashboard, name="dashboard"),
]

portal_urls = [
    path("", portal.home, name="home"),
]

reports_urls = [
    path("", reports.index, name="index"),
]
