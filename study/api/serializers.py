from rest_framework import serializers

from study.models import Arm, Case, Study


class ArmSerializer(serializers.ModelSerializer):
    class Meta:
        model = Arm
        fields = ["code", "advice_source", "label", "persona", "weight"]


class CaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = ["code", "reference_diagnosis", "is_training", "position", "review_status"]


class StudySerializer(serializers.ModelSerializer):
    arms = ArmSerializer(many=True, read_only=True)

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
            "seed",
            "stratum_map",
            "design_locked_at",
            "design_hash",
            "arms",
        ]


class CellProgressSerializer(serializers.Serializer):
    stratum = serializers.CharField()
    arm = serializers.CharField()
    enrolled = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    completed = serializers.IntegerField()
    withdrawn = serializers.IntegerField()


class ProgressSerializer(serializers.Serializer):
    invited = serializers.IntegerField()
    declined = serializers.IntegerField()
    ineligible = serializers.IntegerField()
    enrolled = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    completed = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    dropout = serializers.IntegerField()
    median_minutes = serializers.FloatField(allow_null=True)
    answered_trials = serializers.IntegerField()
    cells = CellProgressSerializer(many=True)
