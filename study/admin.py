"""Django admin: a read-only back office. Design and data are changed in the console, through the
services (which check the design, audit every step and keep locked designs frozen); the admin
views, lists and searches them, and withdraws participants through the service."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from study import services
from study.models import (
    Advice,
    Arm,
    AuditEvent,
    Case,
    DiagnosisOption,
    Participant,
    Response,
    StratumCounter,
    Study,
    StudyMembership,
    Trial,
)
from study.services.withdrawals import WithdrawalRefused


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable, never added, changed or deleted here: edits go through the console."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ArmInline(ReadOnlyInline):
    model = Arm


class DiagnosisInline(ReadOnlyInline):
    model = DiagnosisOption


class MembershipInline(ReadOnlyInline):
    model = StudyMembership


class AdviceInline(ReadOnlyInline):
    model = Advice


@admin.register(Study)
class StudyAdmin(ReadOnlyAdmin):
    list_display = ("title", "slug", "status", "design_locked_at")
    search_fields = ("title", "slug")
    inlines = [ArmInline, DiagnosisInline, MembershipInline]


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("code", "study", "reference_diagnosis", "is_training", "review_status")
    list_filter = ("study", "is_training", "review_status")
    inlines = [AdviceInline]


# The admin's bulk action has no form for a reason; the console and the API ask for one.
ADMIN_WITHDRAWAL_REASON = "Withdrawn with the Django admin's bulk action (no reason entered)."


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "study", "status", "stratum", "arm", "slot")
    list_filter = ("study", "status", "stratum")
    search_fields = ("public_id", "completion_code")
    exclude = ("token",)  # the invitation token is a credential: never shown
    actions = ["withdraw"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Participant._meta.fields if field.name != "token"]

    @admin.action(description="Withdraw the selected participants (kept out of every export)")
    def withdraw(self, request, queryset):
        withdrawn = 0
        for participant in queryset:
            try:
                services.participant_withdraw(
                    participant=participant,
                    actor=request.user,
                    by="researcher",
                    reason=ADMIN_WITHDRAWAL_REASON,
                )
            except WithdrawalRefused as refusal:  # declined, screened out: nothing to withdraw
                self.message_user(request, str(refusal), messages.WARNING)
            else:
                withdrawn += 1
        self.message_user(request, f"{withdrawn} participant(s) withdrawn.", messages.SUCCESS)


@admin.register(Trial)
class TrialAdmin(ReadOnlyAdmin):
    list_display = ("participant", "position", "case", "advice", "shown_at")


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ("trial", "advice_rating", "decision", "final_diagnosis", "confidence")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "study", "actor", "participant_public_id")
    list_filter = ("action", "study")


@admin.register(StratumCounter)
class StratumCounterAdmin(ReadOnlyAdmin):
    list_display = ("study", "stratum", "next_slot")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    """Accounts are deactivated (untick "active"), never deleted: the append-only audit log names
    them, so the database refuses to drop the link."""

    def has_delete_permission(self, request, obj=None):
        return False
