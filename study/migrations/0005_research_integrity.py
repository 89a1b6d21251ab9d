"""Issue 8: design versions, synthetic and withdrawal facts, client timings by kind.

client_view_ms is renamed (its data kept) to client_active_ms, the export contract's name.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("study", "0004_reissue_abandoned_slots"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(
            model_name="response", old_name="client_view_ms", new_name="client_active_ms"
        ),
        migrations.AddField(
            model_name="participant",
            name="design_version",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="participant",
            name="external_id",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name="participant",
            name="language",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name="participant",
            name="last_seen_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="participant",
            name="synthetic",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="participant",
            name="withdrawal_reason",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="participant",
            name="withdrawn_by",
            field=models.CharField(blank=True, max_length=12),
        ),
        migrations.AddField(
            model_name="participant",
            name="withdrawn_step",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddField(
            model_name="response",
            name="timing_flag",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddField(
            model_name="response",
            name="viewer_fullscreen",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="response",
            name="viewer_invert",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="response",
            name="viewer_pan",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="response",
            name="viewer_window",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="response",
            name="viewer_zoom",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="study",
            name="abandon_after_minutes",
            field=models.PositiveIntegerField(default=1440),
        ),
        migrations.AddField(
            model_name="study",
            name="pilot_mode",
            field=models.BooleanField(default=False),
        ),
        migrations.CreateModel(
            name="DesignVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.PositiveSmallIntegerField()),
                ("document", models.JSONField()),
                ("sha256", models.CharField(max_length=64)),
                ("effective_at", models.DateTimeField()),
                ("reason", models.TextField(blank=True)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "study",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="design_versions",
                        to="study.study",
                    ),
                ),
            ],
            options={
                "ordering": ["study", "version"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("study", "version"), name="design_version_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("version__gte", 1)), name="design_version_positive"
                    ),
                ],
            },
        ),
    ]
