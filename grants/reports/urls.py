from django.urls import path

from grants.reports import views

app_name = "grants"

urlpatterns = [
    path("oversigt/", views.dashboard, name="dashboard"),
    path("rapporter/<int:pk>/", views.report_detail, name="report_detail"),
    path("rapporter/<int:pk>/noegletal/<slug:name>/", views.report_drilldown,
         name="report_drilldown"),
    path("rapporter/<int:pk>/versioner/<int:number>/noegletal/<slug:name>/",
         views.report_version_drilldown, name="report_version_drilldown"),
    path("rapporter/<int:pk>/indsend/", views.report_submit, name="report_submit"),
    path("rapporter/<int:pk>/versioner/<int:number>/", views.report_version, name="report_version"),
    path("rapporter/<int:pk>/bilag/", views.attachment_upload, name="attachment_upload"),
    path("rapporter/<int:pk>/bilag/<int:attachment_pk>/", views.attachment_download,
         name="attachment_download"),
    path("rapporter/<int:pk>/bilag/<int:attachment_pk>/slet/", views.attachment_delete,
         name="attachment_delete"),
    path("frister/<int:pk>/forlaengelse/", views.extension_request, name="extension_request"),
]
