from django.urls import path

from evaluations.calls import views as v

app_name = "calls"

urlpatterns = [
    path("", v.call_list, name="list"),
    path("nyt/", v.call_create, name="create"),
    path("<int:call_id>/", v.call_detail, name="detail"),
    path("<int:call_id>/offentliggoer/", v.call_publish, name="publish"),
    path("<int:call_id>/registrering/", v.register, name="register"),
    path("<int:call_id>/ansoeg/", v.apply, name="apply"),
    path("ansoegninger/", v.application_list, name="applications"),
    path("ansoegninger/<int:application_id>/", v.application_detail, name="application"),
    path("ansoegninger/<int:application_id>/panel/", v.application_join, name="application_join"),
    path("ansoegninger/<int:application_id>/bedoemmelse/", v.application_score, name="application_score"),
    path("ansoegninger/<int:application_id>/konsensus/", v.application_consensus, name="application_consensus"),
    path("ansoegninger/<int:application_id>/indstilling/", v.application_propose, name="application_propose"),
    path("ansoegninger/<int:application_id>/afgoer/", v.application_decide, name="application_decide"),
    path("ansoegninger/<int:application_id>/hoeringssvar/", v.application_hearing_answer,
         name="application_hearing_answer"),
]
