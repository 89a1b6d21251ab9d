"""study.services.cases.case_reviews_confirm: the bulk "no burned-in text" confirmation, all or
none, audited per case, refusing codes of other studies and cases not awaiting review."""

import pytest

from study import services
from study.models import AuditEvent, Case
from tests.factories import UserFactory, gaube_study

pytestmark = pytest.mark.django_db

NEEDS, OK = Case.Review.NEEDS_REVIEW, Case.Review.OK


def _study_awaiting(codes, *, slug="review-study"):
    study = gaube_study(open_study=False, slug=slug)
    study.cases.filter(code__in=codes).update(review_status=NEEDS)
    return study


def _statuses(study) -> dict[str, str]:
    return dict(study.cases.values_list("code", "review_status"))


def test_the_selected_cases_are_confirmed_together_and_audited_each():
    study = _study_awaiting(["C01", "C02", "C03"])
    actor = UserFactory(username="reviewer")
    confirmed = services.case_reviews_confirm(
        study=study, codes=["C03", "C01", "C01"], actor=actor, note="grid"
    )
    assert [case.code for case in confirmed] == ["C03", "C01"]
    statuses = _statuses(study)
    assert (statuses["C01"], statuses["C02"], statuses["C03"]) == (OK, NEEDS, OK)
    events = AuditEvent.objects.filter(study=study, action="case.review_confirmed").order_by("id")
    assert [(event.actor, event.detail) for event in events] == [
        (actor, {"case": "C03", "note": "grid"}),
        (actor, {"case": "C01", "note": "grid"}),
    ]


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        ([], "Select at least one case to confirm."),
        (["  "], "Select at least one case to confirm."),
        (["C01", "X99", "theirs-1"], "Not cases of this study: X99, theirs-1."),
        (["C01", "C04"], "Not awaiting review: C04."),
    ],
)
def test_a_selection_that_cannot_be_confirmed_is_refused_whole(codes, message):
    study = _study_awaiting(["C01", "C02"])
    other = _study_awaiting([], slug="theirs")
    other.cases.filter(code="C01").update(code="theirs-1", review_status=NEEDS)
    with pytest.raises(services.CaseReviewError) as refused:
        services.case_reviews_confirm(study=study, codes=codes)
    assert str(refused.value) == message
    assert _statuses(study)["C01"] == NEEDS  # nothing confirmed, not even the good codes
    assert not AuditEvent.objects.filter(action="case.review_confirmed").exists()
