"""What the drill checks in the database afterwards: every answer the server acknowledged is
stored as sent, nothing is stored twice, and nothing is half-written; and every stored case file
holds the bytes its content-hash name promises."""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import psycopg2.extras

TRIAL_FIELDS = ("advice_rating", "decision", "final_diagnosis", "confidence", "viewer_zoom")


@dataclass
class Findings:
    acknowledged: int = 0  # answers the server acknowledged (302 back to the invitation)
    stored: int = 0  # of those, found in the database as sent
    retried_stored: int = 0  # answers whose acknowledgement was lost, found stored
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    half_written: list[str] = field(default_factory=list)
    bad_files: list[str] = field(default_factory=list)
    responses_in_db: int = 0
    completed: int = 0

    @property
    def failed(self) -> bool:
        return bool(self.lost or self.duplicated or self.half_written or self.bad_files)


def _rows(cursor, sql: str, args=()) -> list[dict]:
    cursor.execute(sql, args)
    return list(cursor.fetchall())


def _matches(stored: dict, sent: dict) -> bool:
    return all(str(stored[name]) == str(sent[name]) for name in TRIAL_FIELDS)


def _check_walk(cursor, walk, findings: Findings) -> None:
    participant = _rows(cursor, "select * from study_participant where token = %s", [walk.token])
    if not participant:
        findings.lost.append(f"participant #{walk.serial}: no row for its token")
        return
    participant = participant[0]
    responses = {
        row["position"]: row
        for row in _rows(
            cursor,
            "select t.position, r.* from study_trial t join study_response r on r.trial_id = t.id "
            "where t.participant_id = %s",
            [participant["id"]],
        )
    }
    who = f"participant #{walk.serial} ({participant['public_id']})"
    for step, answer in walk.sent.items():
        acknowledged = step in walk.acknowledged
        findings.acknowledged += acknowledged
        if step.startswith("case:") and not step.endswith(":unaided"):
            position = int(step.split(":")[1])
            stored = responses.get(position)
            if stored is not None and _matches(stored, answer):
                findings.stored += acknowledged
                findings.retried_stored += not acknowledged
            elif stored is not None:
                findings.lost.append(f"{who} case {position}: stored {dict(stored)} != sent")
            elif acknowledged:
                findings.lost.append(f"{who} case {position}: acknowledged, not stored")
        elif acknowledged:
            ok = {
                "consent": participant["consented_at"] is not None,
                "about-you": participant["specialty"] == answer.get("specialty"),
                "questionnaire": participant["questionnaire"] == answer_json(answer),
                "debrief": participant["completed_at"] is not None,
            }.get(step.split(":")[0], True)
            if ok:
                findings.stored += 1
            else:
                findings.lost.append(f"{who} {step}: acknowledged, not stored as sent")
    for position, stored in responses.items():
        if stored["viewer_zoom"] != position:  # another position's answer stored here
            findings.duplicated.append(
                f"{who} case {position} holds the answer to case {stored['viewer_zoom']}"
            )


def answer_json(answer: dict) -> dict:
    """The questionnaire as the server stores it: scale answers as numbers."""
    return {
        name: int(value) if value.isdigit() and name != "comments" else value
        for name, value in answer.items()
    }


HALF_WRITTEN = {
    "responses missing a field": (
        "select r.id from study_response r join study_trial t on t.id = r.trial_id "
        "where r.decision not in ('accept', 'modify', 'reject') or r.final_diagnosis = '' "
        "or r.answered_at is null or r.advice_rating is null or r.confidence is null "
        "or t.advice_shown_at is null or t.shown_at is null"
    ),
    "enrolled participants without their trials": (
        "select p.id from study_participant p join study_study s on s.id = p.study_id "
        "where p.status in ('in_progress', 'completed') and (p.arm_id is null "
        "or p.slot is null or p.enrolled_at is null or (select count(*) from study_trial t "
        "where t.participant_id = p.id) <> s.cases_per_participant)"
    ),
    "questionnaires before every case was answered": (
        "select p.id from study_participant p where p.questionnaire_at is not null and "
        "exists (select 1 from study_trial t left join study_response r on r.trial_id = t.id "
        "where t.participant_id = p.id and r.id is null)"
    ),
    "completed without questionnaire or code": (
        "select p.id from study_participant p where p.status = 'completed' and "
        "(p.questionnaire_at is null or p.completion_code = '' or p.completed_at is null)"
    ),
    "questionnaire time without answers": (
        "select p.id from study_participant p where p.questionnaire_at is not null "
        "and p.questionnaire = '{}'::jsonb"
    ),
}


def _check_files(cursor, media_root: Path, findings: Findings) -> None:
    """Every stored case file exists and its bytes hash to its name (cases/x/<sha256[:24]>.ext)."""
    for case in _rows(
        cursor,
        "select c.code, s.slug, c.dicom_file, c.display_image, c.preview_image, "
        "c.thumbnail_image, c.window_presets from study_case c join study_study s "
        "on s.id = c.study_id",
    ):
        names = [case[key] for key in ("dicom_file", "display_image", "preview_image")]
        names += [case["thumbnail_image"]]
        names += [preset.get("path") or preset.get("file") for preset in case["window_presets"]]
        for name in filter(None, names):
            path = media_root / name
            where = f"case {case['slug']}/{case['code']}: {name}"
            if not path.is_file():
                findings.bad_files.append(f"{where} is missing")
            elif hashlib.sha256(path.read_bytes()).hexdigest()[:24] != Path(name).stem:
                findings.bad_files.append(
                    f"{where} holds {path.stat().st_size} bytes that do not match its hash"
                )


def check(dsn: str, walks: list, media_root: Path | None) -> Findings:
    findings = Findings()
    with contextlib.closing(psycopg2.connect(dsn)) as connection:
        cursor = connection.cursor(cursor_factory=psycopg2.extras.RealDictCursor)
        for walk in walks:
            _check_walk(cursor, walk, findings)
        for row in _rows(
            cursor,
            "select trial_id, count(*) as n from study_response group by trial_id "
            "having count(*) > 1",
        ):
            findings.duplicated.append(f"trial {row['trial_id']} has {row['n']} responses")
        for what, sql in HALF_WRITTEN.items():
            ids = [row["id"] for row in _rows(cursor, sql)]
            if ids:
                findings.half_written.append(f"{len(ids)} {what} (ids {ids[:10]})")
        findings.responses_in_db = _rows(cursor, "select count(*) as n from study_response")[0]["n"]
        findings.completed = _rows(
            cursor, "select count(*) as n from study_participant where status = 'completed'"
        )[0]["n"]
        if media_root is not None:
            _check_files(cursor, media_root, findings)
    return findings
