"""Study builder writes: create a study, edit its design, arms, diagnoses and team.

Rule: the design is frozen once a participant has enrolled (``design_locked_at`` is set). After
that the texts participants read (title, description, consent and debrief) change only by an
amendment with a reason (services.amendments.design_amend, a new design version); nothing else
changes (services.design_rules). Texts are stored normalised, so saving an unchanged form
changes nothing. Every write is audited with the fields it changed.
"""

import dataclasses
import secrets
from typing import Any, Literal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Q

from study.core import allocation, instruments, slugs, vocabulary
from study.core.design_document import text_normalise
from study.core.text import text_normalised
from study.models import Advice, Arm, Case, DiagnosisOption, Study, StudyMembership

from . import design_checks
from .audit import Actor, audit_record
from .design_rules import (
    DESIGN_FIELDS,
    TEXT_FIELDS,
    locked_refuse,
    settings_changes,
    texts_normalised,
)
from .design_rules import EDITABLE_FIELDS as EDITABLE_FIELDS  # the builder's settings
from .memberships import MemberRole as MemberRole
from .memberships import MembershipError as MembershipError  # the builder's team writes
from .memberships import membership_add as membership_add
from .studies import study_design_spec

# The codes of Arm.Source and Arm.Explanation (tests/test_typing.py keeps them equal).
AdviceSource = Literal["ai", "human", "none"]
Explanation = Literal["none", "local", "global"]

DEFAULT_CONSENT_TEXT = """\
You are invited to take part in a research study on how physicians use diagnostic advice. \
You will see a number of short cases, each with a patient vignette, an image and a piece of \
advice, and answer a few questions about each. [Study team: say how long it takes, who runs \
the study and whom to contact.]

Your answers are stored under a pseudonymous code. You can stop at any time, and you can \
withdraw your answers at the end of the study. Taking part is voluntary."""

DEFAULT_DEBRIEF_TEXT = """\
Thank you. Before you finish, we need to tell you more about the study. [Study team: disclose \
the manipulation here, e.g. that the stated source of the advice was assigned at random, that \
all advice was written by people for this study, and that some of it was deliberately wrong.]

We could not tell you this at the start without changing the results. If you prefer that your \
answers are not used, you can withdraw them below."""


# The column limit of each study text (None: a TextField, unlimited).
_TEXT_MAX_LENGTHS = {name: Study._meta.get_field(name).max_length for name in TEXT_FIELDS}


# Any: the settings differ in type; only the texts among them are checked.
def study_texts_fit(*, fields: dict[str, Any]) -> None:
    """Refuse (study.core.text.TextTooLong, naming the field and its limit) a study text whose
    stored spelling, normalised, is longer than its column; other settings are not checked."""
    for name in sorted(set(fields) & set(TEXT_FIELDS)):
        if isinstance(fields[name], str):
            text_normalised(fields[name], field=name, max_length=_TEXT_MAX_LENGTHS[name])


def _check_slug_free(slug: str, *, study: Study | None = None) -> None:
    """The slug rule (study.core.slugs) plus the one part that needs the database: uniqueness."""
    problem = slugs.slug_problem(slug)
    if problem is not None:
        raise slugs.SlugError(problem)
    taken = Study.objects.filter(slug=slug)
    if study is not None:
        taken = taken.exclude(pk=study.pk)
    if taken.exists():
        raise slugs.SlugError(slugs.slug_taken_message(slug))


def _design_check(study: Study) -> None:
    """Validate the study's design as the allocation engine will see it.

    In a draft, arms and cases are usually added after the settings, so while either is still
    missing a placeholder stands in: the check then covers what exists (quotas, seed, block
    multiplier), and study_open validates the complete design before anyone can enrol. Once the
    study recruits, a participant may enrol at any moment: the complete design must stay valid.
    """
    if study.pk is None:  # a study being created has neither arms nor cases yet
        spec = allocation.DesignSpec(
            seed=study.seed,
            arms=(),
            cases=(),
            cases_per_participant=study.cases_per_participant,
            inaccurate_per_participant=study.inaccurate_per_participant,
            annotated_per_participant=study.annotated_per_participant,
            order=study.order_policy,
            block_multiplier=study.block_multiplier,
        )
    else:
        spec = study_design_spec(study=study)
    draft = study.status == Study.Status.DRAFT
    if draft and not spec.arms:
        spec = dataclasses.replace(spec, arms=(allocation.ArmSpec(code="placeholder"),))
    if draft and not spec.cases:
        placeholder_pool = tuple(f"case{i}" for i in range(max(study.cases_per_participant, 1)))
        spec = dataclasses.replace(spec, cases=placeholder_pool)
    allocation.design_validate(spec)
    for scale in ("rating_scale_max", "confidence_scale_max"):
        points = getattr(study, scale)
        if not 2 <= points <= 11:
            raise allocation.DesignError(f"{scale} ({points}) must be between 2 and 11 points")
    design_checks.instruments_check(study=study)
    options = instruments.screening_parse(study.screening)
    keys = {code for code, _label in options.rows(study.stratify_by)}
    for key, stratum in study.stratum_map.items():
        if key not in keys:
            raise allocation.DesignError(
                f"stratum_map: {key!r} is not a {study.get_stratify_by_display().lower()} "
                f"of this study's screening (expected one of {', '.join(sorted(keys))})"
            )
        if not isinstance(stratum, str) or not stratum.strip():
            raise allocation.DesignError(f"stratum_map: {key!r} maps to an empty stratum")
    if study.pk is not None:
        design_checks.explanations_check(study=study)


def _design_check_unless_draft(study: Study) -> None:
    # A draft may be incomplete while it is built; study_open checks it as a whole. Raising
    # here rolls the caller's write back (it runs inside the caller's transaction).
    if study.status != Study.Status.DRAFT:
        _design_check(study)


@transaction.atomic
def study_create(
    *,
    title: str,
    slug: str,
    owner: AbstractBaseUser,
    description: str = "",
    consent_text: str = DEFAULT_CONSENT_TEXT,
    debrief_text: str = DEFAULT_DEBRIEF_TEXT,
    cases_per_participant: int = 8,
    inaccurate_per_participant: int = 0,
    seed: int | None = None,
    stratum_map: dict[str, str] | None = None,
    is_demo: bool = False,
    **settings: Any,
) -> Study:
    """A draft study owned by ``owner``, with placeholder texts the team then edits.

    ``settings`` are further design settings (design_rules.DESIGN_FIELDS, e.g. response_mode or
    questionnaire_items, as a template sets them); anything else is refused with a TypeError."""
    _check_slug_free(slug)
    unknown = sorted(set(settings) - set(DESIGN_FIELDS) - {"slug"})
    if unknown:
        raise TypeError(f"study_create: not a design setting: {', '.join(unknown)}")
    texts = {
        "title": title,
        "description": description,
        "consent_text": consent_text,
        "debrief_text": debrief_text,
    }
    study_texts_fit(fields=texts)
    study = Study(
        slug=slug,
        **texts_normalised(fields=texts),
        cases_per_participant=cases_per_participant,
        inaccurate_per_participant=inaccurate_per_participant,
        # A fresh unpredictable seed per study; it is printed with the allocation table.
        seed=secrets.randbelow(2**31) if seed is None else seed,
        stratum_map=dict(vocabulary.DEFAULT_STRATUM_MAP if stratum_map is None else stratum_map),
        is_demo=is_demo,
        **settings,
    )
    _design_check(study)
    study.save()
    StudyMembership.objects.create(study=study, user=owner, role=StudyMembership.Role.OWNER)
    audit_record(
        action="study.create",
        study=study,
        actor=owner,
        detail={"slug": slug, "seed": study.seed, **({"demo": True} if is_demo else {})},
    )
    return study


# Any: the settings differ in type (texts, counts, a seed, a flag, the stratum map).
@transaction.atomic
def study_design_update(*, study: Study, actor: Actor, **fields: Any) -> Study:
    """Change study settings while no participant has enrolled. After the first enrolment any
    change is refused: design fields stay frozen, texts change by an amendment (design_amend).
    Settings posted back unchanged change nothing and write no audit event."""
    # The row lock makes the lock check and the write one step against a concurrent enrolment.
    study = Study.objects.select_for_update().get(pk=study.pk)
    study_texts_fit(fields=fields)
    fields, changed = settings_changes(study=study, fields=fields, caller="study_design_update")
    design_changes = [name for name in changed if name in DESIGN_FIELDS]
    if design_changes:
        locked_refuse(study=study, what=", ".join(design_changes))
    text_changes = [name for name in changed if name in TEXT_FIELDS]
    if text_changes:
        rule = "can change only by an amendment that gives a reason"
        locked_refuse(study=study, what=", ".join(text_changes), rule=rule)
    if not changed:
        return study
    if "slug" in changed:
        _check_slug_free(fields["slug"], study=study)
    for name in changed:
        setattr(study, name, fields[name])
    if design_changes:
        _design_check(study)
    study.save(update_fields=changed)
    audit_record(action="study.edit", study=study, actor=actor, detail={"fields": changed})
    return study


# Arm and diagnosis texts are stored normalised too, and compared so (as the study's texts).
_ROW_TEXTS = ("label", "persona")


def _row_text(model: type[Arm | DiagnosisOption], name: str, text: str) -> str:
    return text_normalised(text, field=name, max_length=model._meta.get_field(name).max_length)


# Any: a row's fields differ in type (codes, texts, weights, positions).
def _row_changes(row: Arm | DiagnosisOption, values: dict[str, Any]) -> list[str]:
    """The names in ``values`` that differ from the row's; a text stored before rows were
    normalised does not count as changed when it comes back in another spelling."""
    stored = {name: getattr(row, name) for name in values}
    stored.update({name: text_normalise(stored[name]) for name in _ROW_TEXTS if name in stored})
    return [name for name in values if stored[name] != values[name]]


@transaction.atomic
def arm_save(
    *,
    study: Study,
    actor: Actor,
    code: str,
    advice_source: AdviceSource,
    label: str,
    persona: str = "",
    weight: int = 1,
    explanation: Explanation = "none",
    arm: Arm | None = None,
) -> Arm:
    """Add an arm, or change ``arm`` when given; refused once the design is locked. A no-advice
    control arm (advice_source "none") shows no advice, so it has no explanation."""
    study = Study.objects.select_for_update().get(pk=study.pk)
    locked_refuse(study=study, what="arms")
    if advice_source not in Arm.Source.values:
        raise allocation.DesignError(
            f"arm {code!r}: advice source must be one of {', '.join(Arm.Source.values)}, "
            f"got {advice_source!r}"
        )
    if weight < 1:
        raise allocation.DesignError(f"arm {code!r}: weight ({weight}) must be at least 1")
    if explanation not in Arm.Explanation.values:
        raise allocation.DesignError(
            f"arm {code!r}: explanation must be one of {', '.join(Arm.Explanation.values)}, "
            f"got {explanation!r}"
        )
    if advice_source == Arm.Source.NONE and explanation != Arm.Explanation.NONE:
        raise allocation.DesignError(
            f"arm {code!r}: a no-advice control shows no advice, so its explanation is none"
        )
    others = study.arms.exclude(pk=arm.pk) if arm is not None else study.arms.all()
    if others.filter(code=code).exists():
        raise allocation.DesignError(f"arm code '{code}' is already used in this study")
    values = {
        "code": code,
        "advice_source": advice_source,
        "label": _row_text(Arm, "label", label),
        "persona": _row_text(Arm, "persona", persona),
        "weight": weight,
        "explanation": explanation,
    }
    if arm is None:
        arm = Arm.objects.create(study=study, **values)
        _design_check_unless_draft(study)
        audit_record(
            action="arm.create", study=study, actor=actor, detail={"arm": code, "fields": values}
        )
        return arm
    changed = _row_changes(arm, values)
    if changed:
        previous_code = arm.code
        for name in changed:
            setattr(arm, name, values[name])
        arm.save(update_fields=changed)
        _design_check_unless_draft(study)
        audit_record(
            action="arm.edit",
            study=study,
            actor=actor,
            detail={"arm": previous_code, "fields": changed},
        )
    return arm


@transaction.atomic
def arm_delete(*, arm: Arm, actor: Actor) -> None:
    study = Study.objects.select_for_update().get(pk=arm.study_id)
    locked_refuse(study=study, what="arms")
    code = arm.code
    arm.delete()
    _design_check_unless_draft(study)
    audit_record(action="arm.delete", study=study, actor=actor, detail={"arm": code})


def _cases_using(study: Study, code: str) -> list[str]:
    """Codes of the study's cases whose reference or advice diagnosis is ``code``."""
    advice_cases = Advice.objects.filter(case__study=study, diagnosis=code).values("case_id")
    cases = Case.objects.filter(study=study).filter(
        Q(reference_diagnosis=code) | Q(pk__in=advice_cases)
    )
    return sorted(cases.values_list("code", flat=True))


def _refuse_if_used(study: Study, code: str, what: str) -> None:
    using = _cases_using(study, code)
    if using:
        raise allocation.DesignError(
            f"Diagnosis '{code}' cannot be {what}: it is the reference or advice diagnosis of "
            f"case{'s' if len(using) > 1 else ''} {', '.join(using)}. Change those cases first."
        )


@transaction.atomic
def diagnosis_save(
    *,
    study: Study,
    actor: Actor,
    code: str,
    label: str,
    position: int = 0,
    diagnosis: DiagnosisOption | None = None,
) -> DiagnosisOption:
    """Add a diagnosis option, or change ``diagnosis`` when given; refused once locked."""
    study = Study.objects.select_for_update().get(pk=study.pk)
    locked_refuse(study=study, what="diagnosis options")
    others = study.diagnoses.exclude(pk=diagnosis.pk) if diagnosis else study.diagnoses.all()
    if others.filter(code=code).exists():
        raise allocation.DesignError(f"diagnosis code '{code}' is already used in this study")
    values = {
        "code": code,
        "label": _row_text(DiagnosisOption, "label", label),
        "position": position,
    }
    if diagnosis is None:
        diagnosis = DiagnosisOption.objects.create(study=study, **values)
        audit_record(
            action="diagnosis.create",
            study=study,
            actor=actor,
            detail={"diagnosis": code, "fields": values},
        )
        return diagnosis
    if diagnosis.code != code:
        # Cases and advice refer to diagnoses by code: a rename would orphan them.
        _refuse_if_used(study, diagnosis.code, "renamed")
    changed = _row_changes(diagnosis, values)
    if changed:
        previous_code = diagnosis.code
        for name in changed:
            setattr(diagnosis, name, values[name])
        diagnosis.save(update_fields=changed)
        audit_record(
            action="diagnosis.edit",
            study=study,
            actor=actor,
            detail={"diagnosis": previous_code, "fields": changed},
        )
    return diagnosis


@transaction.atomic
def diagnosis_delete(*, diagnosis: DiagnosisOption, actor: Actor) -> None:
    study = Study.objects.select_for_update().get(pk=diagnosis.study_id)
    locked_refuse(study=study, what="diagnosis options")
    _refuse_if_used(study, diagnosis.code, "deleted")
    code = diagnosis.code
    diagnosis.delete()
    audit_record(action="diagnosis.delete", study=study, actor=actor, detail={"diagnosis": code})
