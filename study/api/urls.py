from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import exports, participants, views

app_name = "api"


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("studies/", views.StudyList.as_view(), name="studies"),
    path("studies/<slug:slug>/", views.StudyDetail.as_view(), name="study"),
    path("studies/<slug:slug>/cases/", views.StudyCases.as_view(), name="cases"),
    path("studies/<slug:slug>/progress/", views.StudyProgress.as_view(), name="progress"),
    path("studies/<slug:slug>/amendments/", views.StudyAmendments.as_view(), name="amendments"),
    path(
        "studies/<slug:slug>/participants/<str:public_id>/withdraw/",
        participants.ParticipantWithdraw.as_view(),
        name="participant_withdraw",
    ),
    path(
        "studies/<slug:slug>/export/<slug:table>/",
        exports.StudyExport.as_view(),
        name="export",
    ),
    # Last, and only for URLs ending in a slash: /api/studies still redirects to /api/studies/.
    # [\s\S], not ".": a path may hold a newline (%0A) too.
    re_path(r"^[\s\S]+/$", views.no_such_url),
]
