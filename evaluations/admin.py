from django.contrib import admin

from .models import MidwayEvaluation


@admin.register(MidwayEvaluation)
class MidwayEvaluationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "year", "status", "decision_effective_year")
    list_filter = ("status", "year")
    search_fields = ("grant__cluster__name", "grant__reference")
    list_select_related = ("grant__cluster",)
