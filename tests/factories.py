"""factory_boy factories for the study domain; `gaube_study()` builds the reference design."""

import factory
from django.contrib.auth import get_user_model

from study import demo, services
from study.core import vocabulary
from study.models import Arm, DiagnosisOption, Study, StudyMembership


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"researcher{n}")
    password = factory.django.Password("correct horse battery")


class StudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Study

    title = factory.Sequence(lambda n: f"Study {n}")
    slug = factory.Sequence(lambda n: f"study-{n}")
    consent_text = "Please consent."
    debrief_text = "All advice was written by people; some was deliberately wrong."
    cases_per_participant = 8
    inaccurate_per_participant = 2
    seed = 12345
    stratum_map = factory.LazyFunction(lambda: dict(vocabulary.DEFAULT_STRATUM_MAP))


def gaube_study(*, owner=None, open_study: bool = True, **overrides) -> Study:
    """The Gaube 2021 design with the demo's cases and advice, without images."""
    study = StudyFactory(**overrides)
    # Annotations are drawn only in local-explanation arms: a design that allocates them gets
    # local arms, as Gaube 2023's template does.
    explanation = "local" if study.annotated_per_participant else "none"
    for arm in demo.ARMS:
        Arm.objects.create(study=study, explanation=explanation, **arm)
    for index, (code, label) in enumerate(demo.DIAGNOSES):
        DiagnosisOption.objects.create(study=study, code=code, label=label, position=index)
    for position, item in enumerate(demo.CASES, start=1):
        services.case_create(
            study=study,
            case_input=services.CaseInput(
                code=item.code,
                vignette=item.vignette,
                reference_diagnosis=item.reference_diagnosis,
                accurate=services.AdviceInput(item.accurate_findings, item.reference_diagnosis),
                inaccurate=services.AdviceInput(
                    item.inaccurate_findings, item.inaccurate_diagnosis
                ),
                position=position,
            ),
        )
    if owner is not None:
        StudyMembership.objects.create(study=study, user=owner, role=StudyMembership.Role.OWNER)
    if open_study:
        study = services.study_open(study=study)
    return study


RADIOLOGIST = services.Screening(
    specialty="radiology", training_level="attending", years_experience=12, prior_ai_use="never"
)
INTERNIST = services.Screening(
    specialty="internal_medicine",
    training_level="resident",
    years_experience=3,
    prior_ai_use="occasionally",
)


def enrolled_participant(study: Study, screening: services.Screening = RADIOLOGIST):
    (participant,) = services.invitations_create(study=study, count=1)
    participant = services.participant_consent(participant=participant, agreed=True)
    return services.participant_enrol(participant=participant, screening=screening)


def answer_all(participant, *, decision: str = "accept") -> None:
    for trial in participant.trials.select_related("advice").order_by("position"):
        trial = services.trial_show(trial=trial)
        services.response_record(
            trial=trial,
            answer=services.Answer(
                advice_rating=5,
                decision=decision,
                final_diagnosis=trial.advice.diagnosis,
                confidence=6,
            ),
        )
