from django.contrib.auth import views as auth_views
from django.urls import path

from study.views import builder, console

app_name = "console"

urlpatterns = [
    path("", console.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="console/login.html"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Before "studies/<slug:slug>/", which would otherwise take "new" for a slug.
    path("studies/new/", builder.study_new, name="study_new"),
    path("studies/<slug:slug>/", console.study_detail, name="study"),
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
    path("studies/<slug:slug>/open/", console.study_open, name="study_open"),
    path("studies/<slug:slug>/close/", console.study_close, name="study_close"),
    path("studies/<slug:slug>/allocation/", console.allocation, name="allocation"),
    path("studies/<slug:slug>/audit/", console.audit_log, name="audit"),
    path("studies/<slug:slug>/invitations/", console.invitations, name="invitations"),
    path("studies/<slug:slug>/export/<str:table>.csv", console.export, name="export"),
    path("studies/<slug:slug>/export/bundle.zip", console.export_bundle, name="export_bundle"),
    path("studies/<slug:slug>/report/", console.report, name="report"),
    path("studies/<slug:slug>/cases/", console.cases, name="cases"),
    path("studies/<slug:slug>/cases/<slug:code>/review/", console.case_review, name="case_review"),
    path(
        "studies/<slug:slug>/cases/<slug:code>/image/<str:name>",
        console.case_image,
        name="case_image",
    ),
]
