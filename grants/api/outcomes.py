"""`POST /api/v1/outcomes/`: a cluster's CRM sends outcomes in companies in bulk, all or nothing
and idempotent, with the activity ingest's machinery (Idempotency-Key replay, the 400 naming
each row's field, the bulk throttle). Thin: the rows are checked by grants.outcomes.services."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from clusters.ingest import IngestValidationError
from grants.outcomes.constants import OutcomeKind
from grants.outcomes.services import MAX_BULK_OUTCOMES, outcomes_upsert
from klyngeadmin.accounts.api.actors import api_actor
from klyngeadmin.accounts.api.base import ApiViewMixin
from klyngeadmin.accounts.api.idempotency import MAX_KEY_LENGTH, request_fingerprint, run_idempotent
from klyngeadmin.kernel.api.permissions import ClusterKeyOnly
from klyngeadmin.kernel.api.problems import FieldErrors, PayloadTooLarge
from klyngeadmin.kernel.api.throttling import ApiKeyBulkThrottle, ApiKeyThrottle


class OutcomeWriteSerializer(serializers.Serializer):
    """One outcome (documentation of the input; grants.outcomes.services checks it)."""

    cvr = serializers.RegexField(r"^[1-9][0-9]{7}$", help_text="The company's CVR number.")
    kind = serializers.ChoiceField(choices=OutcomeKind.choices)
    activity = serializers.CharField(max_length=100, required=False,
                                     help_text="The activity's external_id (or give `project`).")
    project = serializers.CharField(max_length=100, required=False,
                                    help_text="The facilitated project's external_id (or give `activity`).")
    investment_dkk = serializers.IntegerField(min_value=1, required=False, allow_null=True,
                                              help_text="Whole kroner; only for kind `investment`, and required there.")


class BulkOutcomesSerializer(serializers.Serializer):
    outcomes = OutcomeWriteSerializer(many=True, max_length=MAX_BULK_OUTCOMES)


class OutcomeBulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class OutcomeBulkView(ApiViewMixin, APIView):
    """Create or update up to 5,000 outcomes in companies by (cvr, activity or project, kind),
    all or nothing: the same request twice changes nothing."""

    permission_classes = [ClusterKeyOnly]
    throttle_classes = [ApiKeyThrottle, ApiKeyBulkThrottle]

    @extend_schema(
        request=BulkOutcomesSerializer,
        responses={200: OutcomeBulkResultSerializer},
        parameters=[OpenApiParameter(
            "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
            description="A retry with the same key returns the first answer; the same key with another body answers 422.",
        )],
    )
    def post(self, request):
        data = request.data
        if not isinstance(data, dict) or not isinstance(data.get("outcomes"), list):
            raise ValidationError({"outcomes": [_("Skal være en liste af resultater.")]})
        items = data["outcomes"]
        if len(items) > MAX_BULK_OUTCOMES:
            raise PayloadTooLarge(_("Højst %(max)d resultater pr. forespørgsel (modtog %(n)d).")
                                  % {"max": MAX_BULK_OUTCOMES, "n": len(items)})
        cluster, actor = request.user.cluster, api_actor(request.user)

        def work():
            try:
                result = outcomes_upsert(cluster=cluster, actor=actor, items=items)
            except IngestValidationError as exc:
                raise FieldErrors(exc.errors) from exc
            return 200, result.as_dict()

        key = request.headers.get("Idempotency-Key")
        if not key:
            code, body = work()
            return Response(body, status=code)
        if len(key) > MAX_KEY_LENGTH:
            raise ValidationError({"Idempotency-Key": [_("Højst 255 tegn.")]})
        outcome = run_idempotent(api_key=request.auth, key=key,
                                 fingerprint=request_fingerprint(request.method, request.path, data), work=work)
        headers = {"Idempotent-Replayed": "true"} if outcome.replayed else None
        return Response(outcome.body, status=outcome.status_code, headers=headers)
