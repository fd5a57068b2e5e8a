from django.contrib import admin

from evaluations.models import MidwayEvaluation, Rubric


@admin.register(MidwayEvaluation)
class MidwayEvaluationAdmin(admin.ModelAdmin):
    """Read-only: every change goes through the workflow services and the pages under
    /midtvejsevaluering/ (the admin must not move a status past the transition table)."""

    list_display = ("__str__", "year", "status", "decision_effective_year")
    list_filter = ("status", "year")
    search_fields = ("grant__cluster__name", "grant__reference")
    list_select_related = ("grant__cluster",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):
    """Read-only here; rubrics are edited (and new versions made) at /midtvejsevaluering/rammer/."""

    list_display = ("name", "purpose", "version", "active", "locked")
    list_filter = ("purpose", "active", "locked")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
