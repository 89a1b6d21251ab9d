from django.urls import path, re_path

from . import audit, exports, index, jobs, participants, views, writes

app_name = "api"


urlpatterns = [
    path("", index.Index.as_view(), name="index"),
    path("schema/", index.Schema.as_view(), name="schema"),
    path("docs/", index.Docs.as_view(), name="docs"),
    path("studies/", views.StudyList.as_view(), name="studies"),
    path("studies/<slug:slug>/", views.StudyDetail.as_view(), name="study"),
    path("studies/<slug:slug>/cases/", views.StudyCases.as_view(), name="cases"),
    path("studies/<slug:slug>/progress/", views.StudyProgress.as_view(), name="progress"),
    path("studies/<slug:slug>/amendments/", views.StudyAmendments.as_view(), name="amendments"),
    path("studies/<slug:slug>/open/", writes.StudyOpen.as_view(), name="study_open"),
    path("studies/<slug:slug>/close/", writes.StudyClose.as_view(), name="study_close"),
    path("studies/<slug:slug>/invitations/", writes.StudyInvitations.as_view(), name="invitations"),
    path(
        "studies/<slug:slug>/participants/",
        participants.ParticipantList.as_view(),
        name="participants",
    ),
    path(
        "studies/<slug:slug>/participants/<str:public_id>/withdraw/",
        participants.ParticipantWithdraw.as_view(),
        name="participant_withdraw",
    ),
    path("studies/<slug:slug>/jobs/", jobs.StudyJobs.as_view(), name="jobs"),
    path("studies/<slug:slug>/jobs/<str:public_id>/", jobs.JobDetail.as_view(), name="job"),
    path(
        "studies/<slug:slug>/jobs/<str:public_id>/result/",
        jobs.JobResult.as_view(),
        name="job_result",
    ),
    path("studies/<slug:slug>/audit/", audit.StudyAudit.as_view(), name="audit"),
    path(
        "studies/<slug:slug>/export/<slug:table>/",
        exports.StudyExport.as_view(),
        name="export",
    ),
    # Last, and only for URLs ending in a slash: /api/studies still redirects to /api/studies/.
    # [\s\S], not ".": a path may hold a newline (%0A) too.
    re_path(r"^[\s\S]+/$", views.no_such_url),
]
