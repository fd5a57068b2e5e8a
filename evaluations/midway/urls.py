from django.urls import path

from evaluations.midway import cohort_views, views
from evaluations.panels import views as rubric_views

app_name = "evaluations"

urlpatterns = [
    path("", views.evaluation_list, name="list"),
    path("aargang/<int:year>/", cohort_views.cohort, name="cohort"),
    path("aargang/<int:year>/eksport.xlsx", cohort_views.cohort_xlsx, name="cohort_xlsx"),
    path("rammer/", rubric_views.rubric_list, name="rubrics"),
    path("rammer/ny/", rubric_views.rubric_create, name="rubric_create"),
    path("rammer/<int:rubric_id>/", rubric_views.rubric_detail, name="rubric"),
    path("rammer/<int:rubric_id>/ny-version/", rubric_views.rubric_new_version, name="rubric_new_version"),
    path("rammer/<int:rubric_id>/aktiver/", rubric_views.rubric_activate, name="rubric_activate"),
    path("rammer/<int:rubric_id>/kriterier/ny/", rubric_views.criterion_edit, name="criterion_create"),
    path("rammer/<int:rubric_id>/kriterier/<int:criterion_id>/", rubric_views.criterion_edit, name="criterion"),
    path("rammer/<int:rubric_id>/kriterier/<int:criterion_id>/slet/", rubric_views.criterion_delete,
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
