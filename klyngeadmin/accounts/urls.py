from django.urls import path

from klyngeadmin.accounts import views

app_name = "api_keys"

urlpatterns = [
    path("", views.api_key_list, name="list"),
    path("ny/", views.api_key_created, name="created"),
    path("<int:pk>/tilbagekald/", views.api_key_revoke_view, name="revoke"),
]
