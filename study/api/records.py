"""Serializers of the API's lists and writes beyond a study's design (study/api/serializers.py):
participants (never their link token), jobs, audit events, and the bodies of the writes."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from study.core import design_templates, slugs
from study.models import AuditEvent, Job, Participant
from study.services.invitations import MAX_INVITATIONS

TITLE_MAX = 200


class ParticipantRowSerializer(serializers.ModelSerializer):
    """label and stratum are empty until set (a link without a label, not yet screened); arm
    is null until allocated."""

    label = serializers.CharField(read_only=True)
    stratum = serializers.CharField(read_only=True)
    arm = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Participant
        fields = [
            "public_id",
            "label",
            "status",
            "stratum",
            "arm",
            "synthetic",
            "invited_at",
            "completed_at",
            "withdrawn_at",
            "revoked_at",
        ]
        read_only_fields = fields


class JobSerializer(serializers.ModelSerializer):
    """A job's state; result_url is set once it is done with a file to download."""

    requested_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    url = serializers.SerializerMethodField()
    result_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "public_id",
            "kind",
            "status",
            "message",
            "progress_done",
            "progress_total",
            "result",
            "result_name",
            "result_type",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "url",
            "result_url",
        ]
        read_only_fields = fields

    def _url(self, job: Job, name: str) -> str:
        return reverse(name, args=[job.study.slug, job.public_id], request=self.context["request"])

    def get_url(self, job: Job) -> str:
        return self._url(job, "api:job")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_result_url(self, job: Job) -> str | None:
        if job.status != Job.Status.DONE or not job.result_file:
            return None
        return self._url(job, "api:job_result")


class AuditEventSerializer(serializers.ModelSerializer):
    time = serializers.DateTimeField(source="created_at")
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    participant = serializers.CharField(source="participant_public_id")
    detail = serializers.DictField()

    class Meta:
        model = AuditEvent
        fields = ["time", "actor", "action", "participant", "detail"]
        read_only_fields = fields


class StudyCreateSerializer(serializers.Serializer):
    """A new draft study from a design template (study.core.design_templates)."""

    template = serializers.ChoiceField(
        choices=sorted(design_templates.TEMPLATES),
        error_messages={
            "invalid_choice": f'"{{input}}" is no template: one of '
            f"{', '.join(sorted(design_templates.TEMPLATES))}."
        },
    )
    title = serializers.CharField(max_length=TITLE_MAX)
    slug = serializers.CharField(max_length=slugs.MAX_LENGTH)

    def validate_slug(self, slug: str) -> str:
        problem = slugs.slug_problem(slug)
        if problem is not None:
            raise serializers.ValidationError(problem)
        return slug


class InvitationsCreateSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=1, max_value=MAX_INVITATIONS)
    # Its rules are the links service's (study.services.links.label_prefix_check).
    label_prefix = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="labels the links PREFIX-001, PREFIX-002, ... after the study's earlier ones",
    )


class InvitationSerializer(serializers.Serializer):
    """A new invitation: the participant's public id, label and link (the link is the secret
    a participant opens; the API shows it only here, in the answer to its creation)."""

    public_id = serializers.CharField()
    label = serializers.CharField()
    link = serializers.URLField()


class InvitationsCreatedSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    invitations = InvitationSerializer(many=True)


class JobStartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[Job.Kind.REPORT, Job.Kind.EXPORT],
        error_messages={"invalid_choice": '"{input}" cannot be started here: report or export.'},
    )
    include_synthetic = serializers.BooleanField(
        required=False,
        default=False,
        help_text="include simulated participants (always so in a demo or a pilot)",
    )


class CaseArchiveSerializer(serializers.Serializer):
    archive = serializers.FileField(
        help_text="a zip of DICOM images with manifest.csv or manifest.json at its top level"
    )


class ImportFileSerializer(serializers.Serializer):
    file = serializers.CharField()
    case = serializers.CharField()
    status = serializers.CharField()
    message = serializers.CharField()


class ImportReportSerializer(serializers.Serializer):
    """A stored import: every file of the archive with its outcome."""

    imported = serializers.IntegerField()
    needs_review = serializers.ListField(child=serializers.CharField())
    files = ImportFileSerializer(many=True)
    job = serializers.CharField(help_text="the import job's id")
