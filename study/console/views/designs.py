"""New study from a design template, and clone a study (issue 10, point 6)."""

from django.http import Http404


def study_from_template(request):
    raise Http404("Templates are not available yet.")


def study_clone(request, slug):
    raise Http404("Cloning is not available yet.")
