"""Fuzzing the links page's forms and filters through the test client: never a 500 (the test
client re-raises one); a refusal is a 4xx that wrote nothing."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from study import services
from study.models import AuditEvent, InvitationEmail, Participant, Study
from tests.factories import gaube_study
from tests.study import fuzz_values as fv

pytestmark = pytest.mark.django_db

GARBAGE = fv.GARBAGE
TEMPLATE_TEXT = st.one_of(
    GARBAGE,
    st.sampled_from(["{link} {unsubscribe_link}", "{title}", "{", "}", "{0}", "{link.x}", "{{}}"]),
)


@pytest.fixture
def study(owner):
    study = gaube_study(owner=owner)
    services.links_create(study=study, count=2)
    return study


def _state(study):
    return (
        Study.objects.values().get(pk=study.pk),
        Participant.objects.filter(study=study).count(),
        InvitationEmail.objects.count(),
        AuditEvent.objects.count(),
    )


@fv.FUZZ
@given(status=GARBAGE, page=GARBAGE)
def test_the_filters_never_fail(owner_client, study, status, page):
    response = owner_client.get(
        reverse("console:links", args=[study.slug]), {"status": status, "page": page}
    )
    assert response.status_code in (200, 400)


@fv.FUZZ
@given(
    count=GARBAGE,
    prefix=GARBAGE,
    addresses=GARBAGE,
    label=GARBAGE,
    public_id=GARBAGE.filter(lambda v: v and "/" not in v),
)
def test_the_change_forms_never_fail(
    owner_client, study, count, prefix, addresses, label, public_id
):
    slug = study.slug
    before = _state(study)
    posts = [
        (reverse("console:links_create", args=[slug]), {"count": count, "label_prefix": prefix}),
        (reverse("console:links_email", args=[slug]), {"addresses": addresses}),
        (reverse("console:link_relabel", args=[slug, public_id]), {"label": label}),
        (reverse("console:link_revoke", args=[slug, public_id]), {}),
    ]
    for url, data in posts:
        response = owner_client.post(url, data)
        assert response.status_code in (200, 302, 400, 404, 409), (url, response.status_code)
        if response.status_code >= 400:
            assert _state(study) == before, url
        before = _state(study)


@fv.FUZZ
@given(
    subject=TEMPLATE_TEXT,
    body=TEMPLATE_TEXT,
    sender=GARBAGE,
    days=GARBAGE,
    action=st.sampled_from(["preview", "save", "", "x"]),
)
def test_the_email_texts_form_never_fails(owner_client, study, subject, body, sender, days, action):
    before = _state(study)
    response = owner_client.post(
        reverse("console:email_templates", args=[study.slug]),
        {
            "email_from": sender,
            "invitation_subject": subject,
            "invitation_body": body,
            "reminder_subject": subject,
            "reminder_body": body,
            "reminder_interval_days": days,
            "reminder_max": "1",
            "action": action,
        },
    )
    assert response.status_code in (200, 302, 400)
    if response.status_code != 302:
        assert _state(study) == before
