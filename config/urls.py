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
