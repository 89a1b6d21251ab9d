"""What every study command shares: finding the study its --study names."""

from django.core.management.base import CommandError
from django.http import Http404
from django.shortcuts import get_object_or_404

from study.models import Study


def study_by_slug(slug: str) -> Study:
    try:
        return get_object_or_404(Study, slug=slug)
    except Http404:
        raise CommandError(f"No study with slug '{slug}'.") from None
