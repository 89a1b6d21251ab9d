"""New studies from a design template (study.core.design_templates) and clones of a study.

Rule: a template study is made through the builder's services, as the console's forms would
make it. A clone copies the design (every design setting but slug and seed, the texts, arms,
diagnoses, cases with both advice variants and their images, the example library) and nothing
of the people or the history: no participants, invitations, quotas, open link, audit or design
versions. Image files are content-addressed and never deleted while a row names them, so the
clone's rows name the same files. Both are drafts owned by the caller.
"""

import copy
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import models, transaction

from study import permissions
from study.core import design_templates
from study.models import Advice, Case, ExampleImage, Study

from .audit import audit_record
from .builder import arm_save, diagnosis_save, study_create
from .design_rules import DESIGN_FIELDS

UnknownTemplate = design_templates.UnknownTemplate
# What a clone does not take over: the slug is the caller's, the seed is drawn afresh.
_NOT_CLONED = ("slug", "seed")


@transaction.atomic
def study_from_template(
    *, template: str, title: str, slug: str, owner: AbstractBaseUser, **overrides: Any
) -> Study:
    """A draft study with the template's settings, texts, arms and diagnosis options.
    ``overrides`` (e.g. seed, is_demo) pass to study_create; UnknownTemplate for a name that
    is not a template, listing the known ones."""
    design = design_templates.template_get(template)
    fields = {
        "description": design.information,
        "consent_text": design.consent_text,
        "debrief_text": design.debrief_text,
        # The settings hold lists and maps (instruments, strata): the study gets its own copy.
        **copy.deepcopy(dict(design.settings)),
        **overrides,
    }
    study = study_create(title=title, slug=slug, owner=owner, **fields)
    for arm in design.arms:
        arm_save(study=study, actor=owner, **arm.as_kwargs())
    for position, (code, label) in enumerate(design.diagnoses):
        diagnosis_save(study=study, actor=owner, code=code, label=label, position=position)
    # study.create's detail is the builder's (slug, seed); the template gets its own event.
    audit_record(
        action="study.from_template",
        study=study,
        actor=owner,
        detail={"template": design.name, "title": design.title},
    )
    return study


def _row_values(row: models.Model, *, without: tuple[str, ...]) -> dict[str, Any]:
    """A row's stored values, field by field (files by their stored names), for a copy."""
    return {
        field.attname: copy.deepcopy(getattr(row, field.attname))
        for field in row._meta.concrete_fields
        if not field.primary_key and field.name not in without
    }


@transaction.atomic
def study_clone(*, study: Study, title: str, slug: str, owner: AbstractBaseUser) -> Study:
    """A draft copy of ``study``'s design under a new title and slug, owned by ``owner``, who
    must be allowed to change the source (an owner or collaborator)."""
    if not permissions.study_allows(study=study, user=owner, action=permissions.WRITE):
        raise PermissionDenied(
            f"Only an owner or collaborator of study '{study.slug}' can clone it."
        )
    source = Study.objects.get(pk=study.pk)
    settings = {
        name: copy.deepcopy(getattr(source, name))
        for name in DESIGN_FIELDS
        if name not in _NOT_CLONED
    }
    clone = study_create(
        title=title,
        slug=slug,
        owner=owner,
        description=source.description,
        consent_text=source.consent_text,
        debrief_text=source.debrief_text,
        **settings,
    )
    for arm in source.arms.order_by("code"):
        arm_save(
            study=clone,
            actor=owner,
            code=arm.code,
            advice_source=arm.advice_source,
            label=arm.label,
            persona=arm.persona,
            weight=arm.weight,
            explanation=arm.explanation,
        )
    for option in source.diagnoses.order_by("position", "code"):
        diagnosis_save(
            study=clone, actor=owner, code=option.code, label=option.label, position=option.position
        )
    cases = _cases_copy(source=source, clone=clone)
    # The study's language and its translations (of the texts, arms and diagnoses copied
    # above); the cases' own translations are copied with them.
    clone.language, clone.translations = source.language, copy.deepcopy(source.translations)
    clone.save(update_fields=["language", "translations"])
    examples = ExampleImage.objects.bulk_create(
        ExampleImage(study=clone, **_row_values(example, without=("study",)))
        for example in source.examples.order_by("diagnosis", "position", "code")
    )
    detail = {"source": source.slug, "target": clone.slug}
    counts = {"cases": cases, "examples": len(examples)}
    audit_record(action="study.clone", study=clone, actor=owner, detail={**detail, **counts})
    audit_record(action="study.clone", study=source, actor=owner, detail=detail)
    return clone


def _cases_copy(*, source: Study, clone: Study) -> int:
    """Copy every case (training flag, feedback, review state, image names) and both of its
    advice variants (annotation, displayed confidence); the number of cases copied."""
    count = 0
    for case in source.cases.prefetch_related("advice").order_by("position", "code"):
        copied = Case.objects.create(study=clone, **_row_values(case, without=("study",)))
        Advice.objects.bulk_create(
            Advice(case=copied, **_row_values(advice, without=("case",)))
            for advice in case.advice.all()
        )
        count += 1
    return count
