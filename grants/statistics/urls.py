"""/statistik/: the public page, the caseworkers' page and each cluster's own page, with exports."""

from django.urls import path, re_path

from grants.statistics import views as stats_views

app_name = "statistics"

EXPORT = r"eksport/(?P<table>[a-z]+)\.(?P<fmt>csv|xlsx)$"

urlpatterns = [
    path("", stats_views.public_statistics, name="public"),
    re_path(rf"^{EXPORT}", stats_views.public_export, name="public_export"),
    path("sagsbehandler/", stats_views.caseworker_statistics, name="caseworker"),
    re_path(rf"^sagsbehandler/{EXPORT}", stats_views.caseworker_export, name="caseworker_export"),
    re_path(r"^sagsbehandler/deltagere\.(?P<fmt>csv|xlsx)$", stats_views.participant_export,
            name="participant_export"),
    path("klynge/", stats_views.cluster_statistics, name="cluster"),
    re_path(rf"^klynge/{EXPORT}", stats_views.cluster_export, name="cluster_export"),
]
