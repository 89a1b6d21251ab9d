from django.urls import path

from study.views import participant

app_name = "participant"

urlpatterns = [
    path("<str:token>/", participant.entry, name="entry"),
    path("<str:token>/consent/", participant.consent, name="consent"),
    path("<str:token>/status/", participant.status, name="status"),
    path("<str:token>/about-you/", participant.screening, name="screening"),
    path("<str:token>/case/<int:position>/", participant.trial, name="trial"),
    path("<str:token>/questionnaire/", participant.questionnaire, name="questionnaire"),
    path("<str:token>/debrief/", participant.debrief, name="debrief"),
    path("<str:token>/done/", participant.done, name="done"),
    path("<str:token>/image/<int:position>/<str:name>", participant.image, name="image"),
]
