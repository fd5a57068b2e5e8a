from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from evaluations.constants import EvaluationStatus, Outcome
from evaluations.models import MidwayEvaluation


class EvaluationSerializer(serializers.ModelSerializer):
    """A midway evaluation. The totals and the decision are null until it is decided."""

    cluster = serializers.CharField(source="grant.cluster.slug", read_only=True)
    grant = serializers.CharField(source="grant.reference", read_only=True)
    status = serializers.ChoiceField(choices=EvaluationStatus.choices, read_only=True)
    rubric_version = serializers.SerializerMethodField()
    raw_total = serializers.SerializerMethodField()
    adjusted_total = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()

    class Meta:
        model = MidwayEvaluation
        fields = ["id", "cluster", "grant", "year", "status", "rubric_version", "raw_total",
                  "adjusted_total", "decision"]
        read_only_fields = fields

    def _decision(self, evaluation):
        if evaluation.status != EvaluationStatus.DECIDED:
            return None
        return getattr(evaluation, "decision", None)

    @extend_schema_field(serializers.IntegerField(allow_null=True, help_text="Null until the evaluation is opened."))
    def get_rubric_version(self, evaluation):
        return evaluation.rubric.version if evaluation.rubric_id else None

    @extend_schema_field(serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True,
                                                  help_text="0-5, two decimals; null until decided."))
    def get_raw_total(self, evaluation):
        d = self._decision(evaluation)
        return None if d is None or d.raw_total is None else f"{d.raw_total:.2f}"

    @extend_schema_field(serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True,
                                                  help_text="0-5, two decimals; null until decided."))
    def get_adjusted_total(self, evaluation):
        d = self._decision(evaluation)
        return None if d is None or d.adjusted_total is None else f"{d.adjusted_total:.2f}"

    @extend_schema_field(serializers.ChoiceField(choices=Outcome.choices, allow_null=True,
                                                 help_text="Null until decided."))
    def get_decision(self, evaluation):
        d = self._decision(evaluation)
        return None if d is None else d.outcome
