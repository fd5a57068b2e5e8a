"""GET/PUT /api/v1/reports/{id}/costs/: the annual report's accounts (actual costs and funding
per budget line). PUT is all or nothing through grants.reports.costs.report_costs_save; a bad
line answers 400 naming the field and the line ("lines[2].actual_dkk"). ETag / If-Match as the
report itself (the report's version)."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from grants.api import selectors
from grants.api.views import IF_MATCH, etag_for, expected_version
from grants.budgets.lines import all_keys
from grants.reports.costs import report_costs_context, report_costs_save
from grants.reports.services import ReportNotEditable, StaleVersion
from klyngeadmin.accounts.api.actors import api_actor
from klyngeadmin.accounts.api.base import ApiViewMixin
from klyngeadmin.kernel.api.permissions import ClusterKeyWrites
from klyngeadmin.kernel.api.problems import Conflict, FieldErrors, PreconditionFailed, flatten

MAX_AMOUNT = 10_000_000_000


class CostLineSerializer(serializers.Serializer):
    line = serializers.CharField(help_text="cost:<category>:<aid cost type> or funding:<source>.")
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=["cost", "funding"])
    budget_dkk = serializers.IntegerField()
    actual_dkk = serializers.IntegerField(allow_null=True)
    deviation_dkk = serializers.IntegerField(allow_null=True)
    needs_explanation = serializers.BooleanField()
    explanation = serializers.CharField(allow_blank=True)


class AidIntensitySerializer(serializers.Serializer):
    up_to_year = serializers.IntegerField(help_text="Grant years 1…up_to_year are counted.")
    public_dkk = serializers.IntegerField()
    eligible_dkk = serializers.IntegerField()
    pct = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True,
                                   coerce_to_string=True)
    ceiling_pct = serializers.IntegerField()
    over = serializers.BooleanField()


class ReportCostsSerializer(serializers.Serializer):
    report = serializers.IntegerField()
    year = serializers.IntegerField()
    lines = CostLineSerializer(many=True)
    auditor_statement_required = serializers.BooleanField()
    aid_intensity = AidIntensitySerializer()


class CostLineInputSerializer(serializers.Serializer):
    line = serializers.ChoiceField(choices=all_keys())
    actual_dkk = serializers.IntegerField(min_value=0, max_value=MAX_AMOUNT)
    explanation = serializers.CharField(max_length=5000, allow_blank=True, required=False,
                                        default="")


class ReportCostsInputSerializer(serializers.Serializer):
    lines = CostLineInputSerializer(many=True, max_length=100)


def costs_payload(report) -> dict:
    ctx = report_costs_context(report=report)
    table, aid = ctx["costs_table"], ctx["aid"]
    return {
        "report": report.pk, "year": report.year,
        "lines": [{"line": r["key"], "label": str(r["label"]), "kind": r["line"].kind,
                   "budget_dkk": r["budget_dkk"], "actual_dkk": r["actual_dkk"],
                   "deviation_dkk": r["deviation_dkk"], "needs_explanation": r["needs_explanation"],
                   "explanation": r["explanation"]} for r in table["costs"] + table["funding"]],
        "auditor_statement_required": ctx["auditor_required"],
        "aid_intensity": {"up_to_year": aid.up_to_year, "public_dkk": aid.public_dkk,
                          "eligible_dkk": aid.eligible_dkk, "pct": aid.pct,
                          "ceiling_pct": aid.ceiling_pct, "over": aid.over},
    }


class ReportCostsView(ApiViewMixin, APIView):
    """The report's accounts: a cluster key reads and writes its own, a caseworker key reads all."""

    permission_classes = [ClusterKeyWrites]

    def _get(self, request, pk):
        return get_object_or_404(selectors.report_api_list(user=request.user), pk=pk)

    def _answer(self, report):
        data = ReportCostsSerializer(costs_payload(report)).data
        return Response(data, headers={"ETag": etag_for(report)})

    @extend_schema(responses={200: ReportCostsSerializer})
    def get(self, request, pk: int):
        return self._answer(self._get(request, pk))

    @extend_schema(request=ReportCostsInputSerializer, responses={200: ReportCostsSerializer},
                   parameters=[IF_MATCH])
    def put(self, request, pk: int):
        report = self._get(request, pk)
        serializer = ReportCostsInputSerializer(data=request.data)
        if not serializer.is_valid():  # named as the service names them: lines[2].actual_dkk
            raise FieldErrors(
                [{**e, "field": e["field"] and re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", e["field"])}
                 for e in flatten(serializer.errors)],
                detail=_("Regnskabet er ikke gemt: ret fejlene."),
            )
        version = expected_version(request, report)
        try:
            report_costs_save(report=report, lines=[dict(x) for x in serializer.validated_data["lines"]],
                              actor=api_actor(request.user), expected_version=version)
        except StaleVersion as exc:
            raise PreconditionFailed() from exc
        except ReportNotEditable as exc:
            raise Conflict(str(exc)) from exc
        except PermissionDenied:
            raise
        except ValidationError as exc:
            raise FieldErrors(
                [{"field": name, "detail": str(msg)} for name, msgs in exc.message_dict.items()
                 for msg in msgs],
                detail=_("Regnskabet er ikke gemt: ret fejlene."),
            ) from exc
        return self._answer(self._get(request, pk))
