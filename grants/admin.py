from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from grants.calls.models import Application, Call
from grants.cases.models import LetterDelivery, RecordsFiling
from grants.constants import NotificationStatus
from grants.core.models import Grant, Tranche
from grants.deadlines.models import Deadline, DeadlineExtension
from grants.notifications.models import Notification, NotificationPreference
from grants.notifications.services import notification_retry
from grants.reports.models import AnnualReport, CompetitiveFunding, ReportEvent


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "opens_at", "closes_at")
    list_filter = ("kind", "status")
    search_fields = ("title",)


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("applicant_name", "call", "proposed_area", "status", "submitted_at")
    list_filter = ("status", "call")
    search_fields = ("applicant_name", "applicant_cvr", "proposed_area")


class TrancheInline(admin.TabularInline):
    model = Tranche
    extra = 0
    # A tranche's state changes only through its table (grants.cases.tranches): proposal, approval,
    # withdrawal. The admin shows it.
    readonly_fields = ("status", "released_on")


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ("reference", "cluster", "grant_type", "start_year", "horizon_years", "status")
    list_filter = ("grant_type", "funder", "status", "start_year")
    search_fields = ("reference", "cluster__name")
    list_select_related = ("cluster",)
    # status: changed by grants.tranches.grant_status_set, with its event; the award's
    # acceptance only by the director (grants.cases.award.award_accept)
    readonly_fields = ("status", "award_accepted_at", "award_accepted_by")
    inlines = [TrancheInline]


@admin.register(LetterDelivery)
class LetterDeliveryAdmin(admin.ModelAdmin):
    """Digital Post deliveries, to look at (the relay changes them)."""

    list_display = ("letter", "recipient_cvr", "status", "attempts", "sent_at", "last_error")
    list_filter = ("status",)
    search_fields = ("recipient_cvr", "message_uuid", "letter__case__journal_number")
    list_select_related = ("letter",)
    readonly_fields = [f.name for f in LetterDelivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RecordsFiling)
class RecordsFilingAdmin(admin.ModelAdmin):
    """What has been filed to the records system and what waits (the relay changes them)."""

    list_display = ("case", "kind", "source_key", "status", "attempts", "reference", "last_error")
    list_filter = ("status", "kind")
    search_fields = ("source_key", "reference", "case__journal_number")
    list_select_related = ("case",)
    readonly_fields = [f.name for f in RecordsFiling._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CompetitiveFundingInline(admin.TabularInline):
    model = CompetitiveFunding
    extra = 0


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    can_delete = False
    readonly_fields = ("actor", "from_status", "to_status", "comment", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AnnualReport)
class AnnualReportAdmin(admin.ModelAdmin):
    list_display = ("__str__", "year", "status", "submitted_at", "approved_at")
    list_filter = ("status", "year", "grant__cluster")
    search_fields = ("grant__cluster__name", "grant__reference")
    list_select_related = ("grant__cluster",)
    readonly_fields = ("status", "version", "submitted_at", "approved_at", "deadline")
    inlines = [CompetitiveFundingInline, ReportEventInline]


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    list_display = ("subject", "kind", "due_at", "original_due_at", "completed_at", "cancelled_at")
    list_filter = ("kind",)
    search_fields = ("subject", "cluster__name")
    date_hierarchy = "due_at"


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(admin.ModelAdmin):
    list_display = ("deadline", "status", "requested_due_at", "new_due_at", "created_at")
    list_filter = ("status",)
    search_fields = ("deadline__subject", "reason")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The administrators' list of notifications by status: failed ones first in the filter,
    with their last error, and an action to send them again."""

    list_display = (
        "created_at", "status", "delivery", "kind", "recipient", "subject", "attempts",
        "last_error_short", "sent_at", "read_at",
    )
    list_filter = ("status", "delivery", "created_at", "kind")
    search_fields = ("subject", "kind", "recipient__username", "recipient__email", "last_error")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    readonly_fields = (
        "recipient", "kind", "deadline", "subject", "body", "url", "status", "delivery", "attempts",
        "last_error", "next_attempt_at", "created_at", "sent_at", "read_at",
    )
    actions = ["retry_failed"]

    @admin.display(description=_("seneste fejl"))
    def last_error_short(self, obj):
        return (obj.last_error or "")[:120]

    @admin.action(description=_("Send de valgte fejlede notifikationer igen"))
    def retry_failed(self, request, queryset):

        failed = list(queryset.filter(status=NotificationStatus.FAILED))
        for n in failed:
            notification_retry(notification=n)
        self.message_user(
            request, _("%(count)s notifikationer sendes igen.") % {"count": len(failed)},
            messages.SUCCESS,
        )

    def has_add_permission(self, request):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "category", "delivery", "updated_at")
    list_filter = ("category", "delivery")
    search_fields = ("user__username",)
    list_select_related = ("user",)
