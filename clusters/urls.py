from django.urls import path

from clusters import views
from clusters.stateaid import views as aid_views

app_name = "clusters"

urlpatterns = [
    path("aktiviteter/", views.activity_list, name="activity_list"),
    path("aktiviteter/ny/", views.activity_create, name="activity_create"),
    path("aktiviteter/<int:pk>/rediger/", views.activity_update, name="activity_update"),
    path("aktiviteter/<int:pk>/slet/", views.activity_delete, name="activity_delete"),
    path("aktiviteter/import/", views.activity_import, name="activity_import"),
    path("aktiviteter/import/skabelon.<str:fmt>", views.activity_import_template,
         name="activity_import_template"),
    path("aktiviteter/import/<int:pk>/", views.import_job, name="import_job"),
    path("aktiviteter/import/<int:pk>/status/", views.import_job_status, name="import_job_status"),
    path("aktiviteter/<int:pk>/statsstoette/", aid_views.activity_aid, name="activity_aid"),
    path("statsstoette/", aid_views.cluster_aid, name="cluster_aid"),
    path("sagsbehandler/statsstoette/", aid_views.register_export, name="aid_register"),
    path("projekter/", views.project_list, name="project_list"),
    path("projekter/ny/", views.project_create, name="project_create"),
    path("projekter/<int:pk>/rediger/", views.project_update, name="project_update"),
]
