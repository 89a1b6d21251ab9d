"""The archive tests' studies and tools.

small_study: the Gaube design without images but with two stored files, two participants and a
team of two. archived_study_build: a realistic study built through the services, the Gaube 2021
demo (rendered images, arms, diagnoses, reviewed cases) with a team of three, slot reissue,
quotas, an open enrolment link, a design amendment (version 2), simulated participants and real
ones at every status: invited (one by e-mail), revoked, declined, consented, screened out,
stratum full, slot reissued, in progress, abandoned, completed with a questionnaire, and
withdrawn three ways. Then: emptying the database, every row of a study, and reading, writing
and tampering with archives."""

import hashlib
import io
import json
import tarfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS
from django.db.models import QuerySet
from django.utils import timezone

from study import services
from study.demo.build import demo_study_create
from study.models import (
    Advice,
    Arm,
    AuditEvent,
    Case,
    DesignVersion,
    DiagnosisOption,
    ExampleImage,
    Participant,
    Response,
    StratumCounter,
    Study,
    StudyMembership,
    Trial,
)
from study.services import archives as services_archives
from study.services.email_sending import invitations_email
from tests.conftest import _sqlite_triggers_lift, _sqlite_triggers_restore
from tests.factories import (
    INTERNIST,
    RADIOLOGIST,
    UserFactory,
    answer_all,
    enrolled_participant,
    gaube_study,
)

DISPLAY, PRESET = "cases/display/c01.png", "cases/presets/c01-bone.png"


def small_study(*, slug: str = "small") -> Study:
    """Two arms, eight cases (one with stored files), two participants (one withdrawn), a team
    of two."""
    owner = UserFactory(username="owner")
    UserFactory(username="colleague")
    study = gaube_study(owner=owner, slug=slug)
    services.membership_add(study=study, actor=owner, username="colleague", role="viewer")
    if not default_storage.exists(DISPLAY):
        default_storage.save(DISPLAY, ContentFile(b"\x89PNG display"))
        default_storage.save(PRESET, ContentFile(b"\x89PNG bone"))
    Case.objects.filter(study=study, code="C01").update(
        display_image=DISPLAY, window_presets=[{"name": "bone", "label": "Bone", "path": PRESET}]
    )
    # An example-library image on the same stored file: its row and reference travel too.
    ExampleImage.objects.create(
        study=study,
        code="ex1",
        diagnosis="pneumonia",
        display_image=DISPLAY,
        image_width=4,
        image_height=4,
    )
    participant = enrolled_participant(study)
    answer_all(participant)
    services.questionnaire_record(
        participant=participant, answers={"ai_attitude": 4, "advice_usefulness": 5}
    )
    withdrawn = enrolled_participant(study, INTERNIST)
    services.participant_withdraw(participant=withdrawn, by="participant")
    return Study.objects.get(pk=study.pk)


QUESTIONNAIRE = {"ai_attitude": 2, "advice_usefulness": 6, "comments": "Klare Fälle — danke."}


def _invited(study: Study) -> Participant:
    (participant,) = services.invitations_create(study=study, count=1)
    return participant


def _enrolled(study: Study, screening: services.Screening) -> Participant:
    participant = services.participant_consent(participant=_invited(study), agreed=True)
    return services.participant_enrol(participant=participant, screening=screening)


def _answer(participant: Participant, *, count: int | None = None, seed: int = 0) -> None:
    trials = participant.trials.select_related("advice").order_by("position")
    for index, trial in enumerate(trials[:count] if count else trials):
        trial = services.trial_show(trial=trial)
        services.response_record(
            trial=trial,
            answer=services.Answer(
                advice_rating=1 + (seed + index) % 7,
                decision=("accept", "modify", "reject")[(seed + index) % 3],
                final_diagnosis=trial.advice.diagnosis,
                confidence=7 - (seed + index) % 7,
                client_active_ms=1500 + 10 * index,
                viewer_zoom=index,
                viewer_pan=seed,
                viewer_window=1,
                viewer_invert=index % 2,
                viewer_fullscreen=0,
            ),
        )


def _ago(participant: Participant, **fields_ago: timedelta) -> None:
    Participant.objects.filter(pk=participant.pk).update(
        **{name: timezone.now() - ago for name, ago in fields_ago.items()}
    )


def archived_study_build() -> Study:
    owner = UserFactory(username="owner")
    UserFactory(username="colleague")
    UserFactory(username="viewer")
    study = demo_study_create(owner=owner)
    services.membership_add(study=study, actor=owner, username="colleague", role="collaborator")
    services.membership_add(study=study, actor=owner, username="viewer", role="viewer")
    study = services.study_design_update(study=study, actor=owner, reissue_after_minutes=60)
    study = services.self_enrolment_enable(study=study, actor=owner)

    completed = _enrolled(study, RADIOLOGIST)  # the first enrolment locks design version 1
    _answer(completed, seed=1)
    services.questionnaire_record(participant=completed, answers=QUESTIONNAIRE)
    services.participant_complete(participant=completed, withdraw=False)
    services.design_amend(
        study=study,
        actor=owner,
        reason="Clearer consent wording asked for by the ethics board.",
        consent_text=study.consent_text + "\n\nYou may stop at any time.",
    )
    _invited(study)
    (revoked,) = services.links_create(study=study, count=1, label_prefix="SITE-A", actor=owner)
    services.link_revoke(study=study, public_id=revoked.public_id, actor=owner)
    # an e-mailed invitation: its address is in the backup, never in an export
    invitations_email(study=study, text="reader@hospital.example, SITE-B", actor=owner)
    services.participant_consent(participant=_invited(study), agreed=False)
    services.participant_consent(participant=_invited(study), agreed=True)
    other = services.Screening("other", "attending", 8, "never")
    _enrolled(study, other)  # screened out
    in_progress = _enrolled(study, INTERNIST)
    _answer(in_progress, count=3, seed=2)
    abandoned = _enrolled(study, INTERNIST)
    _answer(abandoned, count=1, seed=3)
    _ago(abandoned, last_seen_at=timedelta(days=3))
    never_answered = _enrolled(study, RADIOLOGIST)
    _ago(never_answered, enrolled_at=timedelta(hours=2))
    _enrolled(study, RADIOLOGIST)  # takes the slot of never_answered, which becomes reissued

    mid_trial = _enrolled(study, RADIOLOGIST)
    _answer(mid_trial, count=2, seed=4)
    services.participant_withdraw(participant=mid_trial, by="participant")
    by_researcher = _enrolled(study, INTERNIST)
    _answer(by_researcher, seed=5)
    services.participant_withdraw(
        participant=by_researcher, actor=owner, by="researcher", reason="Duplicate sign-up."
    )
    at_debrief = _enrolled(study, RADIOLOGIST)
    _answer(at_debrief, seed=6)
    services.questionnaire_record(
        participant=at_debrief, answers={"ai_attitude": 5, "advice_usefulness": 3}
    )
    services.participant_complete(participant=at_debrief, withdraw=True)

    services.participant_self_enrol(study=study)
    services.study_simulate(study=study, participants=2, rng=np.random.default_rng(2021))
    full = services.study_strata(study=study)
    services.stratum_quotas_set(
        study=study,
        quotas={stratum: study.stratum_counters.get(stratum=stratum).next_slot for stratum in full},
        actor=owner,
    )
    _enrolled(study, INTERNIST)  # stratum full
    return Study.objects.get(pk=study.pk)


def database_empty() -> None:
    """Empty the whole database (every table, accounts included) the way the test runner does
    between transactional tests: Django's flush, which is TRUNCATE on PostgreSQL (row triggers do
    not fire) and DELETE on SQLite, where the append-only triggers are lifted for the flush only
    and re-created unchanged (tests/conftest.py). The migrations table is kept."""
    lifted = _sqlite_triggers_lift([DEFAULT_DB_ALIAS])
    try:
        call_command("flush", interactive=False, verbosity=0)
    finally:
        _sqlite_triggers_restore(lifted)


def _rows(queryset: QuerySet, usernames: dict[int, str], *user_fields: str) -> list[dict]:
    rows = list(queryset.order_by("pk").values())
    for row in rows:
        for name in user_fields:
            row[name] = usernames.get(row[name])
    return rows


def study_rows(study: Study) -> dict[str, list[dict]]:
    """Every field of every row that belongs to the study, by model, in key order; accounts as
    their usernames (the database's own account keys are not the study's)."""
    names = dict(get_user_model().objects.values_list("pk", "username"))
    return {
        "study": _rows(Study.objects.filter(pk=study.pk), names),
        "arm": _rows(Arm.objects.filter(study=study), names),
        "diagnosis": _rows(DiagnosisOption.objects.filter(study=study), names),
        "membership": _rows(StudyMembership.objects.filter(study=study), names, "user_id"),
        "counter": _rows(StratumCounter.objects.filter(study=study), names),
        "version": _rows(DesignVersion.objects.filter(study=study), names, "actor_id"),
        "audit": _rows(AuditEvent.objects.filter(study=study), names, "actor_id"),
        "case": _rows(Case.objects.filter(study=study), names),
        "advice": _rows(Advice.objects.filter(case__study=study), names),
        "participant": _rows(Participant.objects.filter(study=study), names),
        "trial": _rows(Trial.objects.filter(participant__study=study), names),
        "response": _rows(Response.objects.filter(trial__participant__study=study), names),
    }


def stored_files(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }


def archive_bytes(study: Study) -> bytes:
    buffer = io.BytesIO()
    services_archives.study_archive(study=study, output=buffer)
    return buffer.getvalue()


def tar_members(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return {info.name: tar.extractfile(info).read() for info in tar.getmembers()}


def tar_write(members: list[tuple[str, bytes | tarfile.TarInfo]]) -> bytes:
    """A tar of (name, content) in order; a TarInfo is written as it is (a link, a folder)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, content in members:
            if isinstance(content, tarfile.TarInfo):
                tar.addfile(content)
                continue
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


Edit = Callable[[dict[str, bytes], dict[str, Any]], None]


def archive_edited(data: bytes, edit: Edit, *, rehash: bool = False) -> bytes:
    """The archive with its members and manifest changed by ``edit``; ``rehash`` makes the
    manifest's sizes and sha256 match the changed members (a tampering that covers its tracks)."""
    members = tar_members(data)
    manifest = json.loads(members.pop("manifest.json"))
    edit(members, manifest)
    if rehash:
        for entry in (*manifest["tables"], *manifest["media"]):
            if entry["member"] in members:
                entry["bytes"] = len(members[entry["member"]])
                entry["sha256"] = hashlib.sha256(members[entry["member"]]).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()
    return tar_write(list(members.items()))


def first_row_edited(member: str, change: Callable[[dict[str, Any]], None]) -> Edit:
    def edit(members: dict[str, bytes], manifest: dict[str, Any]) -> None:
        first, rest = members[member].split(b"\n", 1)
        record = json.loads(first)
        change(record)
        members[member] = json.dumps(record).encode() + b"\n" + rest

    return edit
