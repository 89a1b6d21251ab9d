from django.contrib import admin
from django.shortcuts import redirect
from django.urls import include, path

urlpatterns = [
    path("", lambda request: redirect("console:home")),
    path("admin/", admin.site.urls),
    path("console/", include("study.console.urls")),
    path("api/", include("study.api.urls")),
    path("", include("study.participant.urls")),
]

handler400 = "study.http.bad_request"
handler403 = "study.http.permission_denied"
handler404 = "study.http.page_not_found"
handler500 = "study.http.server_error"
