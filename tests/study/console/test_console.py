"""Researcher console: login, per-study roles, progress, invitations, exports, allocation, audit."""

import csv
import io

import pytest
from django.urls import reverse

from study.models import AuditEvent, StudyMembership
from tests.factories import UserFactory, answer_all, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory(username="owner")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def test_given_no_login_when_the_console_is_opened_then_the_login_page_is_shown(client):
    response = client.get(reverse("console:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("console:login"))


def test_given_the_login_form_when_the_password_is_right_then_the_studies_are_listed(client):
    user = UserFactory(username="alice")
    study = gaube_study(owner=user)
    response = client.post(
        reverse("console:login"),
        {"username": "alice", "password": "correct horse battery"},
        follow=True,
    )
    assert study.title in response.content.decode()


def test_given_a_stranger_when_they_open_a_study_then_404(client):
    study = gaube_study(owner=UserFactory(username="owner"))
    client.force_login(UserFactory(username="stranger"))
    assert client.get(reverse("console:study", args=[study.slug])).status_code == 404
    assert client.get(reverse("console:export", args=[study.slug, "trials"])).status_code == 404


def test_given_a_viewer_when_they_create_invitations_then_403(client):
    study = gaube_study(owner=UserFactory(username="owner"))
    viewer = UserFactory(username="viewer")
    StudyMembership.objects.create(study=study, user=viewer, role="viewer")
    client.force_login(viewer)
    response = client.post(reverse("console:invitations", args=[study.slug]), {"count": "5"})
    assert response.status_code == 403
    assert study.participants.count() == 0


def test_given_an_owner_when_they_create_invitations_then_a_csv_of_links_downloads(
    owner_client, owner
):
    study = gaube_study(owner=owner)
    response = owner_client.post(reverse("console:invitations", args=[study.slug]), {"count": "3"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 3
    tokens = set(study.participants.values_list("token", flat=True))
    assert {row["link"].rstrip("/").rsplit("/", 1)[-1] for row in rows} == tokens
    assert AuditEvent.objects.filter(study=study, action="invitations.create").exists()


def test_given_a_bad_count_when_inviting_then_the_error_is_shown_and_nothing_created(
    owner_client, owner
):
    study = gaube_study(owner=owner)
    response = owner_client.post(
        reverse("console:invitations", args=[study.slug]), {"count": "0"}, follow=True
    )
    assert "count must be between 1 and 10000, got 0" in response.content.decode()
    assert study.participants.count() == 0


def test_given_participants_when_the_study_page_opens_then_progress_by_cell_is_shown(
    owner_client, owner
):
    study = gaube_study(owner=owner)
    answer_all(enrolled_participant(study))
    response = owner_client.get(reverse("console:study", args=[study.slug]))
    progress = response.context["progress"]
    assert (progress["enrolled"], progress["in_progress"]) == (1, 1)
    assert [(c.stratum, c.enrolled) for c in progress["cells"]] == [("radiology", 1)]


def test_given_an_owner_when_exporting_trials_then_the_csv_streams_and_is_audited(
    owner_client, owner
):
    study = gaube_study(owner=owner)
    participant = enrolled_participant(study)
    answer_all(participant)
    response = owner_client.get(reverse("console:export", args=[study.slug, "trials"]))
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 8
    assert {row["participant"] for row in rows} == {participant.public_id}
    assert AuditEvent.objects.filter(study=study, action="export").count() == 1


def test_given_the_allocation_page_then_taken_slots_name_their_participant(owner_client, owner):
    study = gaube_study(owner=owner)
    participant = enrolled_participant(study)
    response = owner_client.get(reverse("console:allocation", args=[study.slug]) + "?slots=4")
    rows = response.context["rows"]
    assert len(rows) == 8  # 4 slots in each of the two strata
    taken = [row for row in rows if row["participant"]]
    assert taken == [
        {
            "stratum": "radiology",
            "slot": 0,
            "arm": participant.arm.code,
            "case_order": ";".join(
                participant.trials.order_by("position").values_list("case__code", flat=True)
            ),
            "inaccurate_cases": ";".join(
                participant.trials.filter(advice__variant="inaccurate")
                .order_by("position")
                .values_list("case__code", flat=True)
            ),
            "participant": participant.public_id,
            # no annotations or displayed confidences in this design, no training cases
            "annotated_cases": "",
            "confidence_cases": "",
            "training_cases": "",
        }
    ]


def test_given_simulated_data_when_the_report_is_opened_then_the_models_are_in_it(
    owner_client, owner
):
    from django.core.management import call_command

    study = gaube_study(owner=owner, pilot_mode=True)
    call_command("simulate", "--study", study.slug, "--participants", "40", "--seed", "3")

    response = owner_client.post(
        reverse("console:job_start", args=[study.slug]), {"kind": "report"}, follow=True
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith("<!DOCTYPE html>") or html.lower().startswith("<!doctype html>")
    assert "advice_source[T.human]" in html
    assert "(includes simulated participants)" in html
    assert "<svg" in html
    assert AuditEvent.objects.filter(study=study, action="report").exists()


def test_given_no_answers_when_the_report_is_opened_then_the_researcher_is_told(
    owner_client, owner
):
    study = gaube_study(owner=owner)
    response = owner_client.post(
        reverse("console:job_start", args=[study.slug]), {"kind": "report"}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(f"/console/studies/{study.slug}/jobs/J")
    assert (
        "<strong>Failed.</strong> No answered trials yet: the report needs data."
        in response.content.decode()
    )


def test_given_a_recruiting_study_when_closed_then_new_consents_are_refused(owner_client, owner):
    from study.services import invitations_create

    study = gaube_study(owner=owner)
    (participant,) = invitations_create(study=study, count=1)

    owner_client.post(reverse("console:study_close", args=[study.slug]))

    study.refresh_from_db()
    assert study.status == "closed"
    page = owner_client.get(reverse("participant:consent", args=[participant.token]))
    assert page.status_code == 403
    assert AuditEvent.objects.filter(study=study, action="study.close").exists()
