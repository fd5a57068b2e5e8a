"""API representations of reports, deadlines and cases. Thin: rules live in grants.services."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clusters.figures import cluster_year_key_figures
from grants.cases.models import Case, CaseEvent
from grants.constants import CaseEventKind, CaseStatus, CaseType, DeadlineKind, ReportStatus
from grants.deadlines.models import Deadline
from grants.reports.models import AnnualReport
from grants.reports.services import REPORT_FINANCE_FIELDS, REPORT_NARRATIVE_FIELDS

MAX_AMOUNT = 10**15
MAX_TEXT = 20_000


class ReportListSerializer(serializers.ModelSerializer):
    cluster = serializers.CharField(source="grant.cluster.slug", read_only=True)
    status = serializers.ChoiceField(choices=ReportStatus.choices, read_only=True)
    due_at = serializers.DateTimeField(source="deadline.due_at", read_only=True)

    class Meta:
        model = AnnualReport
        fields = ["id", "cluster", "year", "status", "due_at"]
        read_only_fields = fields


class KeyFiguresSerializer(serializers.Serializer):
    """The programme's company figures, by the one definition (clusters.figures)."""

    companies = serializers.IntegerField(help_text="Distinct participating companies.")
    smes = serializers.IntegerField(help_text="Of which SMEs (micro, small, medium).")
    companies_outside_strength_position = serializers.IntegerField(
        help_text="Companies with a known industry (DB07) outside the strength position."
    )
    companies_unknown_industry = serializers.IntegerField(
        help_text="Companies without a DB07 code: neither inside nor outside."
    )
    share_outside_strength_position = serializers.CharField(
        allow_null=True,
        help_text="Outside ÷ companies with a known industry, a decimal string with 4 places "
        "(\"0.3333\"); null when no company has a known industry.",
    )


class ReportSerializer(ReportListSerializer):
    """A report with its financial and narrative sections; status and figures are read-only.
    ``key_figures`` are computed live from the registered activities of the report's year."""

    key_figures = serializers.SerializerMethodField()

    class Meta:
        model = AnnualReport
        fields = [
            "id", "cluster", "year", "year_number", "status", "due_at", "version",
            "submitted_at", "approved_at", *REPORT_FINANCE_FIELDS, *REPORT_NARRATIVE_FIELDS,
            "key_figures",
        ]
        read_only_fields = fields

    @extend_schema_field(KeyFiguresSerializer)
    def get_key_figures(self, report):
        return cluster_year_key_figures(report.grant.cluster_id, report.year)


class ReportPatchSerializer(serializers.Serializer):
    """The draft's financial (whole kroner) and narrative fields; send only what changes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in REPORT_FINANCE_FIELDS:
            self.fields[name] = serializers.IntegerField(
                min_value=0, max_value=MAX_AMOUNT, allow_null=True, required=False
            )
        for name in REPORT_NARRATIVE_FIELDS:
            self.fields[name] = serializers.CharField(
                max_length=MAX_TEXT, allow_blank=True, required=False, trim_whitespace=False
            )


class DeadlineSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=DeadlineKind.choices)
    due_at = serializers.DateTimeField(help_text="ISO 8601 with the time-zone offset.")
    cluster = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Deadline
        fields = ["id", "kind", "subject", "due_at", "original_due_at", "cluster"]
        read_only_fields = fields


class CaseEventSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=CaseEventKind.choices)
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = CaseEvent
        fields = ["kind", "from_status", "to_status", "text", "internal", "actor", "created_at"]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):
    type = serializers.ChoiceField(source="case_type", choices=CaseType.choices, read_only=True)
    status = serializers.ChoiceField(choices=CaseStatus.choices, read_only=True)
    cluster = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    deadline = serializers.SerializerMethodField()
    events = CaseEventSerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "journal_number", "type", "status", "cluster", "subject", "assignee", "deadline",
            "events",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DateTimeField(allow_null=True, help_text="Handling deadline."))
    def get_deadline(self, case):
        if case.deadline is None:
            return None
        return serializers.DateTimeField().to_representation(case.deadline.due_at)


class StatisticsSerializer(serializers.Serializer):
    """Headline figures (numbers) for the period; the statistics endpoint adds more keys."""

    from_year = serializers.IntegerField()
    to_year = serializers.IntegerField()
    cluster = serializers.CharField(allow_null=True)
    companies = serializers.IntegerField()
    activities = serializers.IntegerField()
    institution_participations = serializers.IntegerField()
    institution_activities = serializers.IntegerField()
    grant_spent_dkk = serializers.IntegerField()
    external_funding_dkk = serializers.IntegerField()
    share_companies_outside_strength_position = serializers.FloatField(
        allow_null=True, help_text="A fraction from 0 to 1."
    )
    sme_companies = serializers.IntegerField()
    smes = serializers.IntegerField(help_text="Distinct SMEs (the same number as sme_companies).")
    companies_outside_strength_position = serializers.IntegerField()
    companies_unknown_industry = serializers.IntegerField(
        help_text="Companies without a DB07 code: neither inside nor outside."
    )
    share_outside_strength_position = serializers.CharField(
        allow_null=True,
        help_text="Outside ÷ companies with a known industry, a decimal string with 4 places.",
    )


class StatisticsQuerySerializer(serializers.Serializer):
    from_year = serializers.IntegerField(min_value=2000, max_value=2100, default=2021)
    to_year = serializers.IntegerField(min_value=2000, max_value=2100, default=2023)
    cluster = serializers.SlugField(required=False)

    def validate(self, attrs):
        if attrs["to_year"] < attrs["from_year"]:
            raise serializers.ValidationError({"to_year": "to_year ligger før from_year."})
        if attrs["to_year"] - attrs["from_year"] > 50:
            raise serializers.ValidationError({"to_year": "Højst 50 år ad gangen."})
        return attrs


class TargetIndicatorSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text="Indicator code (grants.targets.catalogue).")
    name = serializers.CharField()
    unit = serializers.CharField(help_text="count, dkk or ratio (kroner per grant krone).")
    source = serializers.CharField(help_text="computed (from the data) or reported (by hand).")
    definition = serializers.CharField()
    baseline = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    target = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    realised = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    deviation = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    attainment = serializers.DecimalField(
        max_digits=8, decimal_places=4, allow_null=True,
        help_text="realised ÷ target, capped at 1.5; null when there is no target.")


class TargetYearSerializer(serializers.Serializer):
    year_number = serializers.IntegerField()
    year = serializers.IntegerField()
    attainment = serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True,
                                          help_text="Mean attainment over indicators with a target.")
    indicators = TargetIndicatorSerializer(many=True, source="rows")


class GrantTargetsSerializer(serializers.Serializer):
    reference = serializers.CharField()
    cluster = serializers.CharField(help_text="Cluster slug.")
    start_year = serializers.IntegerField()
    horizon_years = serializers.IntegerField()
    years = TargetYearSerializer(many=True)
