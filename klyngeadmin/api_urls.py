"""REST API v1, mounted at /api/v1/. Paths and field names are a contract with the clusters'
CRMs and the ministry's BI: keep them stable."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from clusters.api import views as cluster_views
from evaluations.api import views as evaluation_views
from grants.api import views as grant_views
from grants.api.outcomes import OutcomeBulkView
from klyngeadmin.kernel.api.problems import api_not_found

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path("clusters/", cluster_views.ClusterListView.as_view(), name="cluster-list"),
    path("institutions/", cluster_views.InstitutionListView.as_view(), name="institution-list"),
    path("activities/", cluster_views.ActivityListView.as_view(), name="activity-list"),
    path("activities/bulk/", cluster_views.ActivityBulkView.as_view(), name="activity-bulk"),
    path(
        "activities/<str:external_id>/",
        cluster_views.ActivityDetailView.as_view(),
        name="activity-detail",
    ),
    path(
        "facilitated-projects/",
        cluster_views.FacilitatedProjectListView.as_view(),
        name="facilitated-project-list",
    ),
    path(
        "facilitated-projects/<str:external_id>/",
        cluster_views.FacilitatedProjectDetailView.as_view(),
        name="facilitated-project-detail",
    ),
    path("companies/<str:cvr>/", cluster_views.CompanyDetailView.as_view(), name="company-detail"),
    path("outcomes/", OutcomeBulkView.as_view(), name="outcome-bulk"),
    path("reports/", grant_views.ReportListView.as_view(), name="report-list"),
    path("reports/<int:pk>/", grant_views.ReportDetailView.as_view(), name="report-detail"),
    path("reports/<int:pk>/submit/", grant_views.ReportSubmitView.as_view(), name="report-submit"),
    path("deadlines/", grant_views.DeadlineListView.as_view(), name="deadline-list"),
    path("statistics/", grant_views.StatisticsView.as_view(), name="statistics"),
    path("cases/", grant_views.CaseListView.as_view(), name="case-list"),
    path("cases/<str:journal_number>/", grant_views.CaseDetailView.as_view(), name="case-detail"),
    path("evaluations/", evaluation_views.EvaluationListView.as_view(), name="evaluation-list"),
    # Anything else under /api/v1/ (including ids that cannot match a route) is a problem+json 404.
    re_path(r"^.*$", api_not_found),
]
