"""Strata by specialty, training level or years of experience (Dratsch 2023 stratified by
experience), decided at screening and used for the allocation."""

import pytest
from django.urls import reverse

from study import services
from study.console.forms import study_settings_initial
from study.core import vocabulary
from tests.factories import UserFactory, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db

BANDS = {"0": "novice", "5": "novice", "10": "expert", "20": "expert"}


@pytest.mark.parametrize(
    ("stratify_by", "stratum_map", "years", "level", "expected"),
    [
        ("specialty", {"radiology": "rad"}, 3, "resident", "rad"),
        ("training_level", {"attending": "senior", "resident": "junior"}, 3, "resident", "junior"),
        ("training_level", {"attending": "senior"}, 3, "fellow", None),
        ("years_experience", BANDS, 0, "resident", "novice"),
        ("years_experience", BANDS, 9, "resident", "novice"),
        ("years_experience", BANDS, 10, "resident", "expert"),
        ("years_experience", BANDS, 45, "resident", "expert"),
        ("years_experience", {"10": "expert"}, 9, "resident", None),
    ],
)
def test_given_a_basis_then_the_stratum_follows_the_screening_answer(
    stratify_by, stratum_map, years, level, expected
):
    assert (
        vocabulary.stratum_for(
            stratify_by=stratify_by,
            stratum_map=stratum_map,
            specialty="radiology",
            training_level=level,
            years_experience=years,
        )
        == expected
    )


def test_given_experience_strata_then_enrolment_allocates_within_each_band():
    study = gaube_study(open_study=False, stratify_by="years_experience", stratum_map=BANDS)
    study = services.study_open(study=study)
    junior = services.Screening("radiology", "resident", 2, "never")
    senior = services.Screening("internal_medicine", "attending", 25, "regularly")

    first = enrolled_participant(study, junior)
    second = enrolled_participant(study, senior)
    third = enrolled_participant(study, junior)

    assert [(p.stratum, p.slot) for p in (first, second, third)] == [
        ("novice", 0),
        ("expert", 0),
        ("novice", 1),
    ]


def test_given_the_builder_when_the_basis_changes_then_its_rows_are_mapped_before_saving(client):
    from django.contrib.auth.models import Permission

    owner = UserFactory(username="owner")
    owner.user_permissions.add(Permission.objects.get(codename="add_study"))
    study = gaube_study(owner=owner, open_study=False)
    client.force_login(owner)
    url = reverse("console:design", args=[study.slug])
    data = {
        name: "" if value is None else str(value)
        for name, value in study_settings_initial(study).items()
        if value is not False
    }

    first = client.post(url, {**data, "stratify_by": "years_experience"})

    assert first.status_code == 400
    body = first.content.decode()
    assert "Strata are now decided by years of experience: map its rows below" in body
    assert "10 to 19 years" in body
    study.refresh_from_db()
    assert study.stratify_by == "specialty"

    rows = {f"stratum_{start}": stratum for start, stratum in BANDS.items()}
    second = client.post(url, {**data, "stratify_by": "years_experience", **rows})

    assert second.status_code == 302
    study.refresh_from_db()
    assert (study.stratify_by, study.stratum_map) == ("years_experience", BANDS)
    study = services.study_open(study=study)
    assert enrolled_participant(study).stratum == "expert"  # the default screening: 12 years


def test_given_a_map_key_that_is_not_of_the_basis_then_the_design_is_refused():
    from study.core import allocation
    from study.services.builder import study_design_update

    study = gaube_study(open_study=False)
    with pytest.raises(allocation.DesignError) as raised:
        study_design_update(
            study=study, actor=None, stratify_by="training_level", stratum_map={"radiology": "x"}
        )
    assert str(raised.value).startswith("stratum_map: 'radiology' is not a training level")
