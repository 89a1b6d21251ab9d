"""Django admin: a fallback view of the data; design fields become read-only once locked."""

from django.contrib import admin, messages

from study import services
from study.models import (
    Advice,
    Arm,
    AuditEvent,
    Case,
    DiagnosisOption,
    Participant,
    Response,
    Study,
    StudyMembership,
    Trial,
)
from study.services.builder import DESIGN_FIELDS


def _audit_form(request, study, form, action: str) -> None:
    if form.changed_data:
        services.audit_record(
            action=action, study=study, actor=request.user, detail={"fields": form.changed_data}
        )


def _audit_formset(request, study, formset) -> None:
    """Design edits made in the admin's inline rows (arms, diagnoses, advice) are audited too."""
    model = formset.model._meta.model_name
    for form in formset.forms:
        if form.has_changed() and form.instance.pk:
            services.audit_record(
                action=f"{model}.edit",
                study=study,
                actor=request.user,
                detail={"object": str(form.instance), "fields": form.changed_data},
            )
    for deleted in formset.deleted_objects:
        services.audit_record(
            action=f"{model}.delete",
            study=study,
            actor=request.user,
            detail={"object": str(deleted)},
        )


class FrozenWhenLockedInline(admin.TabularInline):
    """Rows that define the design: read-only once a participant has enrolled."""

    extra = 0

    def _locked(self, obj) -> bool:
        study = obj if isinstance(obj, Study) else getattr(obj, "study", None)
        return study is not None and study.design_locked_at is not None

    def has_add_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_delete_permission(request, obj)


class ArmInline(FrozenWhenLockedInline):
    model = Arm


class DiagnosisInline(FrozenWhenLockedInline):
    model = DiagnosisOption


class MembershipInline(admin.TabularInline):
    model = StudyMembership
    extra = 0


@admin.register(Study)
class StudyAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "status", "design_locked_at")
    inlines = [ArmInline, DiagnosisInline, MembershipInline]
    prepopulated_fields = {"slug": ("title",)}

    def get_prepopulated_fields(self, request, obj=None):
        if obj is not None and obj.design_locked_at is not None:
            return {}  # the slug is part of the locked design: nothing to prepopulate
        return super().get_prepopulated_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        locked = ("design_locked_at", "design_hash")
        if obj is not None and obj.design_locked_at is not None:
            return (*locked, *DESIGN_FIELDS)
        return locked

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _audit_form(request, obj, form, "study.edit" if change else "study.create")

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        _audit_formset(request, form.instance, formset)


class AdviceInline(FrozenWhenLockedInline):
    model = Advice


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("code", "study", "reference_diagnosis", "is_training", "review_status")
    list_filter = ("study", "is_training", "review_status")
    inlines = [AdviceInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.study.design_locked_at is not None:
            return [field.name for field in Case._meta.fields]
        return ()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _audit_form(request, obj.study, form, "case.edit" if change else "case.create")

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        _audit_formset(request, form.instance.study, formset)


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ("public_id", "study", "status", "stratum", "arm", "slot")
    list_filter = ("study", "status", "stratum")
    search_fields = ("public_id", "completion_code")
    exclude = ("token",)
    actions = ["withdraw"]

    def get_readonly_fields(self, request, obj=None):
        # Participant data changes only through the services (consent, answers, withdrawal).
        return [field.name for field in Participant._meta.fields if field.name != "token"]

    def has_add_permission(self, request):
        return False  # invitations are created in the console, with their audit event

    @admin.action(description="Withdraw the selected participants (kept out of every export)")
    def withdraw(self, request, queryset):
        for participant in queryset:
            services.participant_withdraw(participant=participant, actor=request.user)
        self.message_user(
            request, f"{queryset.count()} participant(s) withdrawn.", messages.SUCCESS
        )


@admin.register(Trial)
class TrialAdmin(admin.ModelAdmin):
    list_display = ("participant", "position", "case", "advice", "shown_at")
    readonly_fields = [f.name for f in Trial._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ("trial", "advice_rating", "decision", "final_diagnosis", "confidence")
    readonly_fields = [f.name for f in Response._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "study", "actor", "participant_public_id")
    list_filter = ("action", "study")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
