from django.urls import path

from grants.budgets import views

app_name = "budgets"

urlpatterns = [
    path("bevillinger/<str:reference>/", views.grant_detail, name="grant_detail"),
]
