"""The participant surface: invitation links (/p/<token>/...), open-enrolment links (/s/...)
and the researchers' preview of the pages (/preview/<slug>/)."""

from django.urls import path

from . import preview, trial_views, unsubscribe, views

app_name = "participant"

urlpatterns = [
    path("p/<str:token>/", views.entry, name="entry"),
    path("p/<str:token>/consent/", views.consent, name="consent"),
    path("p/<str:token>/status/", views.status, name="status"),
    path("p/<str:token>/about-you/", views.screening, name="screening"),
    path("p/<str:token>/case/<int:position>/", trial_views.trial, name="trial"),
    path("p/<str:token>/case/<int:position>/feedback/", trial_views.feedback, name="feedback"),
    path("p/<str:token>/questionnaire/", views.questionnaire, name="questionnaire"),
    path("p/<str:token>/debrief/", views.debrief, name="debrief"),
    path("p/<str:token>/done/", views.done, name="done"),
    path("p/<str:token>/withdraw/", views.withdraw, name="withdraw"),
    path("p/<str:token>/withdrawn/", views.withdrawn, name="withdrawn"),
    path("p/<str:token>/image/<int:position>/<str:name>", trial_views.image, name="image"),
    path("p/<str:token>/<int:position>/example/<str:name>", trial_views.example, name="example"),
    path("s/<str:token>/", views.open_link, name="open_link"),
    # An invitation e-mail's unsubscribe link (its own secret, not the participant's token).
    path("u/<str:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
    # A researcher's preview of these pages (console login, any role); writes nothing.
    path("preview/<slug:slug>/", preview.preview, name="preview"),
    path("preview/<slug:slug>/example/<str:name>", preview.example, name="preview_example"),
]
