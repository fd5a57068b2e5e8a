from django.contrib import admin

from .models import (
    AnnualReport,
    Application,
    Call,
    CompetitiveFunding,
    Deadline,
    DeadlineExtension,
    Grant,
    ReportEvent,
    Tranche,
)


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


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ("reference", "cluster", "grant_type", "start_year", "horizon_years", "status")
    list_filter = ("grant_type", "funder", "status", "start_year")
    search_fields = ("reference", "cluster__name")
    list_select_related = ("cluster",)
    inlines = [TrancheInline]


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
