from django.urls import path

from . import views, views_admin

app_name = "evaluations"

urlpatterns = [
    path("", views.evaluation_list, name="list"),
    path("aargang/<int:year>/", views_admin.cohort, name="cohort"),
    path("aargang/<int:year>/eksport.xlsx", views_admin.cohort_xlsx, name="cohort_xlsx"),
    path("rammer/", views_admin.rubric_list, name="rubrics"),
    path("rammer/ny/", views_admin.rubric_create, name="rubric_create"),
    path("rammer/<int:rubric_id>/", views_admin.rubric_detail, name="rubric"),
    path("rammer/<int:rubric_id>/ny-version/", views_admin.rubric_new_version, name="rubric_new_version"),
    path("rammer/<int:rubric_id>/aktiver/", views_admin.rubric_activate, name="rubric_activate"),
    path("rammer/<int:rubric_id>/kriterier/ny/", views_admin.criterion_edit, name="criterion_create"),
    path("rammer/<int:rubric_id>/kriterier/<int:criterion_id>/", views_admin.criterion_edit, name="criterion"),
    path("rammer/<int:rubric_id>/kriterier/<int:criterion_id>/slet/", views_admin.criterion_delete,
         name="criterion_delete"),
    path("<int:pk>/", views.evaluation_detail, name="detail"),
    path("<int:pk>/aabn/", views.evaluation_open, name="open"),
    path("<int:pk>/selvevaluering/", views.self_assessment, name="self_assessment"),
    path("<int:pk>/selvevaluering/bilag/", views.self_assessment_attach, name="attach"),
    path("<int:pk>/bilag/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("<int:pk>/panel/", views.panel_join, name="join_panel"),
    path("<int:pk>/bedoemmelse/", views.score, name="score"),
    path("<int:pk>/bedoemmelse/<int:member_id>/", views.member_scores, name="member_scores"),
    path("<int:pk>/konsensus/", views.consensus, name="consensus"),
    path("<int:pk>/indstilling/", views.propose, name="propose"),
    path("<int:pk>/godkend/", views.approve, name="approve"),
    path("<int:pk>/send-tilbage/", views.send_back, name="send_back"),
    path("<int:pk>/afgoerelse.pdf", views.letter, name="letter"),
]
