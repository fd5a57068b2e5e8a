from django.urls import path

from grants.cases import amendment_views
from grants.cases import views as views

app_name = "cases"

urlpatterns = [
    path("sager/", views.case_queue_view, name="queue"),
    path("sager/<str:journal_number>/", views.case_detail_view, name="detail"),
    path("sager/<str:journal_number>/klynge/", views.case_cluster_view, name="case_cluster"),
    path("sager/<str:journal_number>/versioner/<int:number>/", views.case_version_diff_view,
         name="version_diff"),
    path("sager/<str:journal_number>/<slug:action>/", views.case_action_view, name="action"),
    path("mine-sager/", views.cluster_cases_view, name="cluster_cases"),
    path("mine-sager/klage/<int:letter_pk>/", views.complaint_view, name="complaint"),
    path("mine-sager/<str:journal_number>/", views.cluster_case_view, name="cluster_case"),
    path("mine-sager/<str:journal_number>/<slug:action>/", views.cluster_case_action_view,
         name="cluster_action"),
    path("sagsbilag/<int:pk>/", views.case_attachment_view, name="attachment"),
    path("bevillinger/<str:reference>/maaltal/", amendment_views.grant_overview_view, name="grant"),
    path("bevillinger/<str:reference>/aendring/", amendment_views.amendment_propose_view,
         name="amendment_propose"),
    path("aendringer/<int:pk>/", amendment_views.amendment_detail_view, name="amendment"),
    path("aendringer/<int:pk>/<slug:decision>/", amendment_views.amendment_decide_view,
         name="amendment_decide"),
    path("afgoerelsesbreve/<int:pk>/", views.decision_letter_view, name="letter"),
    path("tilsagn/", views.award_list_view, name="awards"),
    path("tilsagn/<int:pk>/", views.award_detail_view, name="award"),
]
