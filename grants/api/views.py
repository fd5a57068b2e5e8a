"""Reports (with ETag / If-Match), deadlines, cases and statistics. Thin: parse, call a service
or selector, answer."""

import re

import django_filters
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from clusters.models import ClusterOrganisation
from grants.api import selectors
from grants.api.serializers import (
    CaseSerializer,
    DeadlineSerializer,
    ReportListSerializer,
    ReportPatchSerializer,
    ReportSerializer,
    StatisticsQuerySerializer,
    StatisticsSerializer,
)
from grants.cases.flows import report_submit
from grants.cases.models import Case
from grants.constants import CaseStatus, CaseType, ReportStatus
from grants.reports.models import AnnualReport
from grants.reports.services import (
    ReportIncomplete,
    ReportNotEditable,
    StaleVersion,
    report_save_draft,
)
from grants.statistics.selectors import headline_figures
from klyngeadmin.accounts.api.actors import api_actor
from klyngeadmin.accounts.api.base import ApiViewMixin
from klyngeadmin.kernel.api.permissions import ClusterKeyOnly, ClusterKeyWrites, HasRule
from klyngeadmin.kernel.api.problems import (
    Conflict,
    FieldErrors,
    PreconditionFailed,
    PreconditionRequired,
)
from klyngeadmin.kernel.api.renderers import OrjsonRenderer

_ETAG_RE = re.compile(r'^(?:W/)?"v(\d+)"$')

IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=False,
    description="The report's ETag from GET. Missing: 428; stale: 412.",
)


def etag_for(report: AnnualReport) -> str:
    return f'"v{report.version}"'


def expected_version(request, report: AnnualReport) -> int:
    """The version the client's If-Match names (428 without one, 412 when stale)."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired()
    for tag in (t.strip() for t in header.split(",")):
        if tag == "*":
            return report.version
        match = _ETAG_RE.match(tag)
        if match and int(match.group(1)) == report.version:
            return report.version
    raise PreconditionFailed()


class ReportFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year")
    cluster = django_filters.CharFilter(field_name="grant__cluster__slug", help_text="Cluster slug.")
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices)

    class Meta:
        model = AnnualReport
        fields = ["year", "cluster", "status"]


class ReportListView(ApiViewMixin, generics.ListAPIView):
    """Annual reports: a cluster key sees its own, a caseworker key all."""

    renderer_classes = [OrjsonRenderer]
    serializer_class = ReportListSerializer
    filterset_class = ReportFilter

    def get_queryset(self):
        return selectors.report_api_list(user=self.request.user)


class ReportDetailView(ApiViewMixin, APIView):
    permission_classes = [ClusterKeyWrites]

    def _get(self, request, pk):
        return get_object_or_404(selectors.report_api_list(user=request.user), pk=pk)

    def _answer(self, report, status=200):
        return Response(ReportSerializer(report).data, status=status, headers={"ETag": etag_for(report)})

    @extend_schema(responses={200: ReportSerializer})
    def get(self, request, pk: int):
        return self._answer(self._get(request, pk))

    @extend_schema(request=ReportPatchSerializer, responses={200: ReportSerializer}, parameters=[IF_MATCH])
    def patch(self, request, pk: int):
        report = self._get(request, pk)
        serializer = ReportPatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = expected_version(request, report)
        try:
            report_save_draft(
                report=report, actor=api_actor(request.user), expected_version=version,
                data=dict(serializer.validated_data),
            )
        except StaleVersion as exc:
            raise PreconditionFailed() from exc
        except ReportNotEditable as exc:
            raise Conflict(str(exc)) from exc
        return self._answer(self._get(request, pk))


class ReportSubmitView(ApiViewMixin, APIView):
    """Submit the report to Erhvervsstyrelsen (opens a case). If-Match is optional here."""

    permission_classes = [ClusterKeyOnly]

    @extend_schema(request=None, responses={200: ReportSerializer}, parameters=[IF_MATCH])
    def post(self, request, pk: int):
        report = get_object_or_404(selectors.report_api_list(user=request.user), pk=pk)
        version = expected_version(request, report) if request.headers.get("If-Match") else None
        try:
            report_submit(report=report, actor=api_actor(request.user), expected_version=version)
        except StaleVersion as exc:
            raise PreconditionFailed() from exc
        except ReportNotEditable as exc:
            raise Conflict(str(exc)) from exc
        except ReportIncomplete as exc:
            raise FieldErrors(
                [{"field": name, "detail": str(msg)} for name, msgs in exc.message_dict.items() for msg in msgs],
                detail=_("Rapporten mangler oplysninger og kan ikke indsendes."),
            ) from exc
        except PermissionDenied as exc:
            raise exc
        report = get_object_or_404(selectors.report_api_list(user=request.user), pk=pk)
        return Response(ReportSerializer(report).data, headers={"ETag": etag_for(report)})


class DeadlineListView(ApiViewMixin, generics.ListAPIView):
    """The key's open deadlines, soonest first."""

    renderer_classes = [OrjsonRenderer]
    serializer_class = DeadlineSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.open_deadline_list(user=self.request.user)


class CaseFilter(django_filters.FilterSet):
    cluster = django_filters.CharFilter(field_name="cluster__slug", help_text="Cluster slug.")
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices)
    type = django_filters.ChoiceFilter(field_name="case_type", choices=CaseType.choices)

    class Meta:
        model = Case
        fields = ["cluster", "status", "type"]


class CaseListView(ApiViewMixin, generics.ListAPIView):
    """Erhvervsstyrelsen's cases, newest first (caseworker keys)."""

    renderer_classes = [OrjsonRenderer]
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    permission_classes = [HasRule("grants.view_case")]  # as /sager/

    def get_queryset(self):
        return selectors.case_api_list(user=self.request.user)


class CaseDetailView(ApiViewMixin, generics.RetrieveAPIView):
    serializer_class = CaseSerializer
    permission_classes = [HasRule("grants.view_case")]
    lookup_field = "journal_number"
    filter_backends = []

    def get_queryset(self):
        return selectors.case_api_list(user=self.request.user)


class StatisticsView(ApiViewMixin, APIView):
    """Headline figures of the programme for a period (caseworker keys)."""

    permission_classes = [HasRule("clusters.view_national_statistics")]  # as /statistik/sagsbehandler/

    @extend_schema(parameters=[StatisticsQuerySerializer], responses={200: StatisticsSerializer})
    def get(self, request):
        query = StatisticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        clusters = None
        slug = params.get("cluster")
        if slug:
            clusters = [get_object_or_404(ClusterOrganisation, slug=slug)]
        figures = headline_figures(
            from_year=params["from_year"], to_year=params["to_year"], clusters=clusters
        )
        return Response(
            {"from_year": params["from_year"], "to_year": params["to_year"], "cluster": slug or None, **figures}
        )
