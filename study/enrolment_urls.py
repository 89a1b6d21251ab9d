from django.urls import path

from study.views import enrolment

app_name = "enrolment"

urlpatterns = [
    path("s/<str:token>/", enrolment.open_link, name="open_link"),
    path("console/studies/<slug:slug>/open-link/", enrolment.link_toggle, name="link_toggle"),
    path("console/studies/<slug:slug>/quotas/", enrolment.quotas, name="quotas"),
]
