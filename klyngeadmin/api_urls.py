"""REST API v1, mounted at /api/v1/. Paths and field names are a contract with the clusters'
CRMs and the ministry's BI: keep them stable."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from clusters.api import views as cluster_views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
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
]
