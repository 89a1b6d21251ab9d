"""Fuzzing the console's forms and parameters through the test client (issue 9): the study
builder (new study, settings, arms, diagnoses, members), quotas, the open link, invitations,
participant search and withdrawal, the allocation table's ?slots. Never a 500 (the test client
re-raises it); a refused request is a 400 that wrote nothing; a valid one is accepted."""

import re
from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from study.console.forms import study_settings_initial
from study.models import Arm, AuditEvent, DiagnosisOption, Study, StudyMembership
from tests.factories import UserFactory, enrolled_participant, gaube_study
from tests.study import fuzz_values as fv

# Garbage for a code field that is never a valid code by chance (Hypothesis also draws strings
# from the code base's own constants, e.g. "study_lock_design", which is a valid slug).
_NOT_A_CODE = fv.GARBAGE.filter(lambda value: not re.fullmatch(r"[-a-zA-Z0-9_]{1,60}", value))

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(owner):
    return gaube_study(owner=owner, open_study=False)


@pytest.fixture
def study(owner):
    return gaube_study(owner=owner)


@pytest.fixture
def study_with_participant(study):
    enrolled_participant(study)
    return study


def _snapshot(study):
    """Everything a console form could write: the study, its rows and the audit log."""
    return (
        Study.objects.values().get(pk=study.pk),
        list(Arm.objects.filter(study=study).values().order_by("pk")),
        list(DiagnosisOption.objects.filter(study=study).values().order_by("pk")),
        list(StudyMembership.objects.filter(study=study).values().order_by("pk")),
        study.participants.count(),
        AuditEvent.objects.count(),
    )


def _taken(rows, code):
    # PostgreSQL refuses NUL in a query: such a code is no row's anyway.
    return code is not None and "\x00" not in code and rows.filter(code=code).exists()


def _refused_or_written(response, before, study):
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        assert _snapshot(study) == before


# Each settings field is its current value or anything at all.
def _settings_fields(study):
    initial = {
        name: "" if value is None else str(value)
        for name, value in study_settings_initial(study).items()
        if not isinstance(value, bool)
    }
    initial["stratify_by"] = study.stratify_by
    return st.fixed_dictionaries(
        {name: st.one_of(st.just(value), fv.GARBAGE, st.none()) for name, value in initial.items()}
    )


@fv.FUZZ
@given(data=st.data())
def test_study_settings(owner_client, draft, data):
    fields = data.draw(_settings_fields(Study.objects.get(pk=draft.pk)))
    before = _snapshot(draft)
    body = {name: value for name, value in fields.items() if value is not None}
    response = owner_client.post(reverse("console:design", args=[draft.slug]), body)
    _refused_or_written(response, before, draft)
    if response.status_code == 302:
        draft.slug = response.url.split("/")[-3]  # a saved slug change moves the study


@fv.FUZZ
@given(
    title=fv.text(max_length=200),
    slug=fv.entries(st.from_regex(r"[a-z][a-z0-9-]{2,30}", fullmatch=True), fv.GARBAGE),
    description=fv.text(max_length=10_000),
)
def test_study_new(owner_client, title, slug, description):
    before = Study.objects.count(), AuditEvent.objects.count()
    fields = {"title": title, "slug": slug, "description": description}
    response = owner_client.post(reverse("console:study_new"), fv.posted(fields))
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert (Study.objects.count(), AuditEvent.objects.count()) == before
    elif fv.is_valid(fields, "slug"):
        assert Study.objects.filter(slug=fv.last(fields, "slug")).exists()
    if not fv.is_valid(fields, "title"):
        assert response.status_code == 400


@fv.FUZZ
@given(
    code=fv.entries(st.from_regex(r"x[a-z0-9_-]{0,30}", fullmatch=True), _NOT_A_CODE),
    source=fv.choice(["ai", "human"]),
    label=fv.text(max_length=100),
    persona=fv.text(max_length=10_000),
    weight=fv.whole_number(1, 100),
)
def test_arm_add(owner_client, draft, code, source, label, persona, weight):
    fields = {
        "code": code,
        "advice_source": source,
        "label": label,
        "persona": persona,
        "weight": weight,
    }
    before = _snapshot(draft)
    taken = _taken(draft.arms, fv.last(fields, "code"))
    response = owner_client.post(reverse("console:arm_add", args=[draft.slug]), fv.posted(fields))
    _refused_or_written(response, before, draft)
    names = ("code", "advice_source", "label", "weight")
    valid = all(fv.is_valid(fields, name) for name in names) and fv.is_valid(
        fields, "persona", required=False
    )
    assert (response.status_code == 302) == (valid and not taken)


@fv.FUZZ
@given(
    code=fv.entries(st.from_regex(r"x[a-z0-9_-]{0,30}", fullmatch=True), _NOT_A_CODE),
    label=fv.text(max_length=120),
    position=fv.whole_number(0, 1000),
)
def test_diagnosis_add(owner_client, draft, code, label, position):
    fields = {"code": code, "label": label, "position": position}
    before = _snapshot(draft)
    taken = _taken(draft.diagnoses, fv.last(fields, "code"))
    url = reverse("console:diagnosis_add", args=[draft.slug])
    response = owner_client.post(url, fv.posted(fields))
    _refused_or_written(response, before, draft)
    valid = all(fv.is_valid(fields, name) for name in fields)
    assert (response.status_code == 302) == (valid and not taken)


@fv.FUZZ
@given(
    username=fv.entries(st.sampled_from(["colleague"]), fv.GARBAGE),
    role=fv.choice(["owner", "collaborator", "viewer"]),
)
def test_membership_add(owner_client, study, username, role):
    UserFactory._meta.model.objects.get_or_create(username="colleague")
    StudyMembership.objects.filter(study=study, user__username="colleague").delete()
    fields = {"username": username, "role": role}
    before = _snapshot(study)
    url = reverse("console:membership_add", args=[study.slug])
    response = owner_client.post(url, fv.posted(fields))
    _refused_or_written(response, before, study)
    valid = fv.is_valid(fields, "username") and fv.is_valid(fields, "role")
    assert (response.status_code == 302) == valid


@fv.FUZZ
@given(
    radiology=fv.whole_number(0, None, drawn_up_to=10**9),
    non_radiology=fv.whole_number(0, None, drawn_up_to=10**9),
    unknown=fv.entries(fv.GARBAGE, st.nothing()),
)
def test_quotas(owner_client, study, radiology, non_radiology, unknown):
    fields = {
        "quota-radiology": radiology,
        "quota-non_radiology": non_radiology,
        "quota-cardiology": unknown,
    }
    before = _snapshot(study)
    response = owner_client.post(reverse("console:quotas", args=[study.slug]), fv.posted(fields))
    _refused_or_written(response, before, study)
    valid = all(
        fv.is_valid(fields, name, required=False)
        for name in ("quota-radiology", "quota-non_radiology")
    )
    assert (response.status_code == 302) == valid
    if valid:
        study.refresh_from_db()
        for stratum in ("radiology", "non_radiology"):
            value = (fv.last(fields, f"quota-{stratum}") or "").strip()
            assert study.stratum_quotas.get(stratum) == (int(value) if value else None)


@fv.FUZZ
@given(enable=fv.choice(["0", "1"]))
def test_open_link_switch(owner_client, study, enable):
    fields = {"enable": enable}
    before = _snapshot(study)
    response = owner_client.post(
        reverse("console:link_toggle", args=[study.slug]), fv.posted(fields)
    )
    _refused_or_written(response, before, study)
    assert (response.status_code == 302) == fv.is_valid(fields, "enable")


@fv.FUZZ
@given(count=fv.whole_number(1, 10_000, drawn_up_to=20))
def test_invitations(owner_client, study, count):
    fields = {"count": count}
    before = _snapshot(study)
    url = reverse("console:invitations", args=[study.slug])
    response = owner_client.post(url, fv.posted(fields))
    if fv.is_valid(fields, "count"):
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv"
        wanted = before[4] + int(fv.last(fields, "count").strip())
        assert study.participants.count() == wanted
    else:
        assert response.status_code == 400
        assert _snapshot(study) == before


@fv.FUZZ
@given(q=fv.text(max_length=100), page=fv.entries(fv.GARBAGE, st.nothing()))
def test_participant_search(owner_client, study_with_participant, q, page):
    study = study_with_participant
    fields = {"q": q, "page": page}
    url = reverse("console:participants", args=[study.slug])
    response = owner_client.get(url, fv.posted(fields))
    valid = fv.is_valid(fields, "q", required=False)
    assert response.status_code == (200 if valid else 400)


@fv.FUZZ
@given(public_id=fv.GARBAGE, reason=fv.text(max_length=2000))
def test_participant_withdraw(owner_client, study, public_id, reason):
    participant = enrolled_participant(study)
    before = _snapshot(study)
    target = participant.public_id if public_id == "" else public_id
    fields = {"reason": reason}
    url = f"/console/studies/{study.slug}/participants/{quote(target, safe='')}/withdraw/"
    response = owner_client.post(url, fv.posted(fields))
    if target != participant.public_id:
        assert response.status_code == 404
        assert _snapshot(study) == before
        return
    _refused_or_written(response, before, study)
    assert (response.status_code == 302) == fv.is_valid(fields, "reason")


@fv.FUZZ
@given(slots=fv.whole_number(1, 2000, drawn_up_to=50))
def test_allocation_slots(owner_client, study, slots):
    fields = {"slots": slots}
    url = reverse("console:allocation", args=[study.slug])
    response = owner_client.get(url, fv.posted(fields))
    if fv.is_valid(fields, "slots", required=False):
        assert response.status_code == 200
        value = (fv.last(fields, "slots") or "").strip()
        n_slots = int(value) if value else 24
        assert len(response.context["rows"]) == 2 * n_slots
    else:
        assert response.status_code == 400
        assert response.context["rows"] is None
