from django.urls import path

from grants.outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("<int:year>/", views.outcomes_year, name="year"),
    path("svar/<str:token>/", views.survey_answer, name="survey_answer"),
    path("effektmaaling/", views.effects, name="effects"),
]
