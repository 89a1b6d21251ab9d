from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from study.core import instruments, questions
from study.core.text import TextTooLong, text_normalised
from study.models import Arm, Case, Study
from study.selectors.studies import study_design_version, study_design_versions
from study.services.design_rules import DESIGN_FIELDS, TEXT_FIELDS
from study.services.design_versions import design_hash_shown
from study.services.examples import example_count
from study.services.withdrawals import WITHDRAWAL_REASON_MAX, WITHDRAWAL_REASON_REQUIRED


class ArmSerializer(serializers.ModelSerializer):
    """advice_source "none" is a no-advice control (its explanation is "none")."""

    class Meta:
        model = Arm
        fields = ["code", "advice_source", "label", "persona", "weight", "explanation"]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = [
            "code",
            "reference_diagnosis",
            "is_training",
            "feedback",
            "position",
            "review_status",
        ]
        read_only_fields = fields


class ScreeningOptionSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class ScreeningSerializer(serializers.Serializer):
    """The study's screening options (experience band codes are lower bounds in years)."""

    specialties = ScreeningOptionSerializer(many=True)
    training_levels = ScreeningOptionSerializer(many=True)
    experience_bands = ScreeningOptionSerializer(many=True)
    prior_ai_use = ScreeningOptionSerializer(many=True)


class QuestionnaireItemSerializer(serializers.Serializer):
    """One post-study questionnaire item; its answers are the participants table's q_<code>."""

    code = serializers.CharField()
    wording = serializers.CharField()
    type = serializers.ChoiceField(choices=["likert", "number", "choice", "multiple", "text"])
    required = serializers.BooleanField()
    scale = serializers.ListField(child=serializers.IntegerField(), required=False)
    anchors = serializers.ListField(child=serializers.CharField(), required=False)
    choices = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
    max_length = serializers.IntegerField(required=False)


def _screening(study: Study) -> dict:
    options = instruments.screening_parse(study.screening)
    return {
        name: [{"code": code, "label": label} for code, label in getattr(options, name)]
        for name in instruments.SCREENING_LISTS
    }


class DesignVersionSerializer(serializers.Serializer):
    """One version of the design: 1 is the design at the first enrolment, later ones amendments."""

    version = serializers.IntegerField()
    sha256 = serializers.CharField()
    effective_at = serializers.DateTimeField()
    reason = serializers.CharField()


class StudySerializer(serializers.ModelSerializer):
    """design_hash is live while no participant has enrolled (it changes as the design changes)
    and the current version's after the lock; design_version is null until then."""

    arms = ArmSerializer(many=True, read_only=True)
    screening = serializers.SerializerMethodField()
    questionnaire_items = serializers.SerializerMethodField()
    example_count = serializers.SerializerMethodField()
    design_hash = serializers.SerializerMethodField()
    design_version = serializers.SerializerMethodField()
    design_versions = serializers.SerializerMethodField()
    # Empty when not set, so strings rather than URIs in the schema.
    completion_url = serializers.CharField(
        read_only=True, help_text="Where a panel participant is sent on completion ({code})."
    )
    screenout_url = serializers.CharField(
        read_only=True, help_text="Where a panel participant is sent when screened out."
    )

    class Meta:
        model = Study
        fields = [
            "slug",
            "title",
            "status",
            "cases_per_participant",
            "inaccurate_per_participant",
            "annotated_per_participant",
            "order_policy",
            "read_then_reveal",
            "rating_scale_max",
            "confidence_scale_max",
            *questions.QUESTION_SETTINGS,
            "seed",
            "stratify_by",
            "stratum_map",
            "screening",
            "questionnaire_items",
            "language",
            "translations",
            "panel_id_param",
            "panel_session_params",
            "completion_url",
            "screenout_url",
            "example_count",
            "design_locked_at",
            "design_hash",
            "design_version",
            "design_versions",
            "arms",
        ]

        read_only_fields = fields

    @extend_schema_field(ScreeningSerializer)
    def get_screening(self, study: Study) -> dict:
        return _screening(study)

    @extend_schema_field(QuestionnaireItemSerializer(many=True))
    def get_questionnaire_items(self, study: Study) -> list:
        return [
            instruments.item_to_json(item)
            for item in instruments.questionnaire_parse(study.questionnaire_items)
        ]

    def get_example_count(self, study: Study) -> int:
        """How many images the study's example library holds (global explanations)."""
        return example_count(study=study)

    def get_design_hash(self, study: Study) -> str:
        return design_hash_shown(study=study)

    def get_design_version(self, study: Study) -> int | None:
        return study_design_version(study=study)

    @extend_schema_field(DesignVersionSerializer(many=True))
    def get_design_versions(self, study: Study) -> list:
        return DesignVersionSerializer(study_design_versions(study=study), many=True).data


AMENDMENT_REASON_REQUIRED = (
    "Give the reason for this amendment: it is recorded with the new design version."
)


TITLE_MAX = Study._meta.get_field("title").max_length


class AmendmentSerializer(serializers.Serializer):
    """A change, after the first enrolment, to the texts participants read, with its reason."""

    reason = serializers.CharField(
        error_messages={"required": AMENDMENT_REASON_REQUIRED, "blank": AMENDMENT_REASON_REQUIRED}
    )
    title = serializers.CharField(max_length=TITLE_MAX, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    consent_text = serializers.CharField(required=False)
    debrief_text = serializers.CharField(required=False)

    def validate_title(self, title: str) -> str:
        # The rule is the service's (design_amend refuses it too, through study.core.text):
        # the stored, normalised spelling must fit the column. Checked here as well only for
        # DRF's own wording of a max_length error, which every other field of the API uses.
        try:
            text_normalised(title, field="title", max_length=TITLE_MAX)
        except TextTooLong:
            raise serializers.ValidationError(
                f"Ensure this field has no more than {TITLE_MAX} characters "
                "(counted after Unicode NFC normalisation)."
            ) from None
        return title

    def validate(self, attrs: dict) -> dict:
        problems = {}
        for name in sorted(set(self.initial_data) - set(self.fields)):
            problems[name] = [
                f"{name} is a design setting: it is frozen since the first enrolment."
                if name in DESIGN_FIELDS
                else f"{name} is not a text an amendment can change "
                f"(one of {', '.join(TEXT_FIELDS)})."
            ]
        if problems:
            raise serializers.ValidationError(problems)
        if not set(attrs) & set(TEXT_FIELDS):
            raise serializers.ValidationError(
                f"An amendment changes at least one of {', '.join(TEXT_FIELDS)}."
            )
        return attrs


class CellProgressSerializer(serializers.Serializer):
    stratum = serializers.CharField()
    arm = serializers.CharField()
    enrolled = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    completed = serializers.IntegerField()
    withdrawn = serializers.IntegerField()


class DropoutSerializer(serializers.Serializer):
    """Where each invited participant is now; every one is counted at exactly one step."""

    not_consented = serializers.IntegerField()
    consented_not_screened = serializers.IntegerField()
    screened_no_trial_answered = serializers.IntegerField()
    part_way = serializers.IntegerField()
    completed = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    declined = serializers.IntegerField()
    screened_out = serializers.IntegerField()
    stratum_full = serializers.IntegerField()
    reissued = serializers.IntegerField()


class AbandonedSerializer(serializers.Serializer):
    """Still taking part but without activity for longer than abandon_after_minutes."""

    total = serializers.IntegerField()
    not_consented = serializers.IntegerField()
    consented_not_screened = serializers.IntegerField()
    screened_no_trial_answered = serializers.IntegerField()
    part_way = serializers.IntegerField()


class ProgressSerializer(serializers.Serializer):
    invited = serializers.IntegerField()
    declined = serializers.IntegerField()
    ineligible = serializers.IntegerField()
    enrolled = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    completed = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    dropout = DropoutSerializer()
    abandoned = AbandonedSerializer()
    abandon_after_minutes = serializers.IntegerField()
    median_minutes = serializers.FloatField(allow_null=True)
    answered_trials = serializers.IntegerField()
    cells = CellProgressSerializer(many=True)


class WithdrawalSerializer(serializers.Serializer):
    """A researcher's withdrawal of a participant: the reason is required and kept."""

    reason = serializers.CharField(
        max_length=WITHDRAWAL_REASON_MAX,
        error_messages={
            "required": WITHDRAWAL_REASON_REQUIRED,
            "blank": WITHDRAWAL_REASON_REQUIRED,
        },
    )


class ParticipantWithdrawnSerializer(serializers.Serializer):
    """What is kept of a withdrawal: the fact, the time, the step, who asked and why."""

    participant = serializers.CharField(source="public_id")
    status = serializers.CharField()
    withdrawn_at = serializers.DateTimeField()
    withdrawn_step = serializers.CharField()
    withdrawn_by = serializers.CharField()
    withdrawal_reason = serializers.CharField()
