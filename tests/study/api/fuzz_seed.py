"""The studies the schema fuzzing runs against: one the member owns (open, with participants at
every step that matters: part-way, completed, declined, withdrawn, and a finished export job),
one they only view, and one still in draft; the member's API token as the request header (the
session works as well: tests/study/api/test_api*.py sign in)."""

from dataclasses import dataclass

from study import services
from study.models import Job, Participant, StudyMembership
from study.services.tokens import api_token_create
from tests.factories import (
    INTERNIST,
    UserFactory,
    answer_all,
    enrolled_participant,
    gaube_study,
)

# Participants get fixed public ids, so that the path values are known before the data exists.
PARTICIPANTS = (
    "PFZPARTWAY",
    "PFZCOMPLETE",
    "PFZDECLINED",
    "PFZWITHDRAWN",
    "PFZINVITED",
    "PFZOTHER",
)
JOBS = ("JFZEXPORT",)
PATH_VALUES = {
    "slug": ["fuzz-owned", "fuzz-viewed", "fuzz-draft"],
    "public_id": [*PARTICIPANTS, *JOBS],
    "table": list(services.EXPORT_TABLES),
}


@dataclass(frozen=True)
class FuzzWorld:
    headers: dict[str, str]
    cookies: dict[str, str]


def fuzz_world_seed() -> FuzzWorld:
    member = UserFactory(username="fuzz-member")
    owned = gaube_study(owner=member, slug="fuzz-owned", pilot_mode=True)
    part_way = enrolled_participant(owned)
    completed = enrolled_participant(owned, INTERNIST)
    answer_all(completed)
    (declined,) = services.invitations_create(study=owned, count=1)
    services.participant_consent(participant=declined, agreed=False)
    withdrawn = enrolled_participant(owned)
    services.participant_withdraw(
        participant=withdrawn, actor=member, by="researcher", reason="Asked by phone."
    )
    (invited,) = services.invitations_create(study=owned, count=1)

    viewed = gaube_study(owner=UserFactory(username="fuzz-other"), slug="fuzz-viewed")
    StudyMembership.objects.create(study=viewed, user=member, role=StudyMembership.Role.VIEWER)
    other = enrolled_participant(viewed)
    gaube_study(owner=member, slug="fuzz-draft", open_study=False)

    for participant, public_id in zip(
        (part_way, completed, declined, withdrawn, invited, other), PARTICIPANTS, strict=True
    ):
        Participant.objects.filter(pk=participant.pk).update(public_id=public_id)

    job = services.job_start(study=owned, kind="export", actor=member)
    Job.objects.filter(pk=job.pk).update(public_id=JOBS[0])

    _, secret = api_token_create(user=member)
    return FuzzWorld(headers={"Authorization": f"Token {secret}"}, cookies={})
