"""study.selectors.studies.cases_awaiting_review: the review grid's cases, this study's only, in
library order."""

import pytest

from study import selectors
from study.models import Case
from tests.factories import gaube_study

pytestmark = pytest.mark.django_db


def test_only_this_studys_cases_awaiting_review_in_library_order():
    study = gaube_study(open_study=False, slug="mine")
    other = gaube_study(open_study=False, slug="theirs")
    study.cases.filter(code__in=["C05", "C02"]).update(review_status=Case.Review.NEEDS_REVIEW)
    other.cases.update(review_status=Case.Review.NEEDS_REVIEW)
    awaiting = selectors.cases_awaiting_review(study=study)
    assert [(case.study_id, case.code) for case in awaiting] == [
        (study.pk, "C02"),
        (study.pk, "C05"),
    ]
