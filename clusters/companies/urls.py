"""/virksomheder/: company records (clusters/company_views.py)."""

from django.urls import path

from clusters.companies import views as company_views

app_name = "companies"

urlpatterns = [
    path("opslag/", company_views.cvr_lookup, name="lookup"),
    path("<str:cvr>/", company_views.company_detail, name="detail"),
    path("<str:cvr>/opdater/", company_views.company_refresh, name="refresh"),
]
