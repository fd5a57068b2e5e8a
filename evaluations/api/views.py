"""GET /api/v1/evaluations/ for caseworker keys. Thin: a scoped selector and a serializer."""

import django_filters
from rest_framework import generics

from evaluations.api.serializers import EvaluationSerializer
from evaluations.constants import EvaluationStatus
from evaluations.midway.selectors import evaluation_list
from evaluations.models import MidwayEvaluation
from klyngeadmin.accounts.api.base import ApiViewMixin
from klyngeadmin.kernel.api.permissions import HasRule


class EvaluationFilter(django_filters.FilterSet):
    cluster = django_filters.CharFilter(field_name="grant__cluster__slug", help_text="Cluster slug.")
    year = django_filters.NumberFilter(field_name="year", help_text="Evaluation year, e.g. 2029.")
    status = django_filters.ChoiceFilter(choices=EvaluationStatus.choices)

    class Meta:
        model = MidwayEvaluation
        fields = ["cluster", "year", "status"]


class EvaluationListView(ApiViewMixin, generics.ListAPIView):
    """Midway evaluations (caseworker keys): cluster, grant, year, status, rubric version and,
    once decided, the raw and starting-point-adjusted totals and the decision."""

    serializer_class = EvaluationSerializer
    filterset_class = EvaluationFilter
    permission_classes = [HasRule("evaluations.view_cohort")]  # the authority's evaluations

    def get_queryset(self):
        return evaluation_list(user=self.request.user).order_by("year", "grant__cluster__name", "id")
