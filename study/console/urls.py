"""The researcher console's URLs (under /console/)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from .views import (
    builder,
    cases,
    designs,
    enrolment,
    examples,
    exports,
    jobs,
    links,
    participants,
    studies,
    translations,
)
from .views import tokens as api_tokens
from .views.panels import panel_settings

app_name = "console"

urlpatterns = [
    path("", studies.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="console/login.html"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Before "studies/<slug:slug>/", which would otherwise take "new" for a slug.
    path("studies/new/", builder.study_new, name="study_new"),
    path("studies/new/template/", designs.study_from_template, name="study_from_template"),
    path("studies/<slug:slug>/", studies.study_detail, name="study"),
    path("studies/<slug:slug>/design/", builder.study_design, name="design"),
    path("studies/<slug:slug>/design/arms/add/", builder.arm_edit, name="arm_add"),
    path("studies/<slug:slug>/design/arms/<slug:code>/edit/", builder.arm_edit, name="arm_edit"),
    path(
        "studies/<slug:slug>/design/arms/<slug:code>/delete/",
        builder.arm_delete,
        name="arm_delete",
    ),
    path("studies/<slug:slug>/design/diagnoses/add/", builder.diagnosis_edit, name="diagnosis_add"),
    path(
        "studies/<slug:slug>/design/diagnoses/<slug:code>/edit/",
        builder.diagnosis_edit,
        name="diagnosis_edit",
    ),
    path(
        "studies/<slug:slug>/design/diagnoses/<slug:code>/delete/",
        builder.diagnosis_delete,
        name="diagnosis_delete",
    ),
    path("studies/<slug:slug>/design/members/", builder.membership_add, name="membership_add"),
    path(
        "studies/<slug:slug>/design/instruments/",
        builder.study_instruments,
        name="instruments",
    ),
    path(
        "studies/<slug:slug>/design/languages/",
        translations.translations,
        name="translations",
    ),
    path("studies/<slug:slug>/design/examples/", examples.examples, name="examples"),
    path(
        "studies/<slug:slug>/design/examples/<slug:code>/delete/",
        examples.example_delete,
        name="example_delete",
    ),
    path(
        "studies/<slug:slug>/design/examples/<slug:code>/image/<str:name>",
        examples.example_image,
        name="example_image",
    ),
    path("studies/<slug:slug>/clone/", designs.study_clone, name="study_clone"),
    path("studies/<slug:slug>/open/", studies.study_open, name="study_open"),
    path("studies/<slug:slug>/close/", studies.study_close, name="study_close"),
    path("studies/<slug:slug>/allocation/", studies.allocation_table, name="allocation"),
    path("studies/<slug:slug>/audit/", studies.audit_log, name="audit"),
    path("studies/<slug:slug>/invitations/", studies.invitations, name="invitations"),
    path("studies/<slug:slug>/export/<str:table>.csv", exports.export, name="export"),
    path("studies/<slug:slug>/export/bundle.zip", exports.export_bundle, name="export_bundle"),
    path("studies/<slug:slug>/report/", jobs.report, name="report"),
    path("studies/<slug:slug>/jobs/", jobs.jobs, name="jobs"),
    path("studies/<slug:slug>/jobs/start/", jobs.job_start, name="job_start"),
    path("studies/<slug:slug>/jobs/<str:public_id>/", jobs.job_detail, name="job"),
    path("studies/<slug:slug>/jobs/<str:public_id>/result/", jobs.job_result, name="job_result"),
    path("studies/<slug:slug>/cases/", cases.cases, name="cases"),
    path("studies/<slug:slug>/cases/<slug:code>/review/", cases.case_review, name="case_review"),
    path(
        "studies/<slug:slug>/cases/<slug:code>/training/",
        cases.case_training,
        name="case_training",
    ),
    path(
        "studies/<slug:slug>/cases/<slug:code>/image/<str:name>",
        cases.case_image,
        name="case_image",
    ),
    path("studies/<slug:slug>/open-link/", enrolment.link_toggle, name="link_toggle"),
    path("studies/<slug:slug>/quotas/", enrolment.quotas, name="quotas"),
    path(
        "studies/<slug:slug>/abandon-threshold/",
        enrolment.abandon_threshold,
        name="abandon_threshold",
    ),
    path("studies/<slug:slug>/panel/", panel_settings, name="panel"),
    path("studies/<slug:slug>/participants/", participants.participants, name="participants"),
    path(
        "studies/<slug:slug>/participants/<str:public_id>/withdraw/",
        participants.participant_withdraw,
        name="participant_withdraw",
    ),
    path("studies/<slug:slug>/progress/", studies.progress_fragment, name="progress"),
    # Invitation links and e-mail (views/links.py).
    path("studies/<slug:slug>/links/", links.links, name="links"),
    path("studies/<slug:slug>/links/new/", links.links_create, name="links_create"),
    path("studies/<slug:slug>/links/email/", links.links_email, name="links_email"),
    path("studies/<slug:slug>/links/email-texts/", links.email_templates, name="email_templates"),
    path(
        "studies/<slug:slug>/links/<str:public_id>/revoke/", links.link_revoke, name="link_revoke"
    ),
    path(
        "studies/<slug:slug>/links/<str:public_id>/label/", links.link_relabel, name="link_relabel"
    ),
    # roles (issue 12): the team and what viewers may export; bulk review of cases
    path(
        "studies/<slug:slug>/design/members/role/",
        builder.membership_role,
        name="membership_role",
    ),
    path(
        "studies/<slug:slug>/design/members/remove/",
        builder.membership_remove,
        name="membership_remove",
    ),
    path(
        "studies/<slug:slug>/design/free-text-export/",
        builder.free_text_export,
        name="free_text_export",
    ),
    path("studies/<slug:slug>/cases/review/", cases.cases_review, name="cases_review"),
]
# API tokens (issue 12): the signed-in account's own.
urlpatterns += [
    path("tokens/", api_tokens.tokens, name="tokens"),
    path("tokens/<str:token_key>/revoke/", api_tokens.token_revoke, name="token_revoke"),
]
