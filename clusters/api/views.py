"""Cluster-data endpoints: clusters, institutions, activities (list, single PUT/DELETE, bulk)
and facilitated projects. Thin: parse, call the write services in clusters.services (the same
doors as the browser form and the import) with the person the key acts as, answer."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from clusters import projects, services
from clusters.api import selectors
from clusters.api.serializers import (
    ActivityPutSerializer,
    ActivitySerializer,
    BulkActivitiesSerializer,
    BulkResultSerializer,
    ClusterSerializer,
    CompanySerializer,
    FacilitatedProjectSerializer,
    InstitutionSerializer,
    activity_rows,
)
from clusters.companies.selectors import company_get
from clusters.constants import ActivityType
from clusters.ingest import MAX_BULK_ACTIVITIES, IngestValidationError
from clusters.models import Activity, FacilitatedProject
from klyngeadmin.accounts.api.actors import api_actor
from klyngeadmin.accounts.api.base import ApiViewMixin
from klyngeadmin.accounts.api.idempotency import MAX_KEY_LENGTH, request_fingerprint, run_idempotent
from klyngeadmin.kernel.api.pagination import PageOrCursorPagination
from klyngeadmin.kernel.api.permissions import ClusterKeyOnly, ClusterKeyWrites
from klyngeadmin.kernel.api.problems import Conflict, FieldErrors, PayloadTooLarge
from klyngeadmin.kernel.api.renderers import OrjsonRenderer
from klyngeadmin.kernel.api.throttling import ApiKeyBulkThrottle, ApiKeyThrottle

BULK_MAX_BODY_BYTES = 32 * 1024 * 1024


class ClusterListView(ApiViewMixin, generics.ListAPIView):
    """Cluster organisations (a cluster key sees its own)."""

    renderer_classes = [OrjsonRenderer]
    serializer_class = ClusterSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.cluster_list(user=self.request.user)


class InstitutionListView(ApiViewMixin, generics.ListAPIView):
    """Knowledge institutions and the codes activities refer to them by."""

    renderer_classes = [OrjsonRenderer]
    serializer_class = InstitutionSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.institution_list()


class ActivityFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year")
    activity_type = django_filters.ChoiceFilter(choices=ActivityType.choices)
    cluster = django_filters.CharFilter(field_name="cluster__slug", help_text="Cluster slug.")

    class Meta:
        model = Activity
        fields = ["year", "activity_type", "cluster"]


class ActivityListView(ApiViewMixin, generics.ListAPIView):
    """The key's activities, newest first (authority keys: every cluster's). Page numbers, or
    keyset pages with `cursor` for walking the whole list."""

    serializer_class = ActivitySerializer  # the documented shape; activity_rows writes it
    filterset_class = ActivityFilter
    renderer_classes = [OrjsonRenderer]
    pagination_class = PageOrCursorPagination
    cursor_ordering = ("-start_date", "id")

    def get_queryset(self):
        return selectors.activity_values_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(activity_rows(page))


def _ingest_errors(exc: IngestValidationError, *, single: bool) -> FieldErrors:
    errors = exc.errors
    if single:
        errors = [{k: v for k, v in e.items() if k != "index"} for e in errors]
    return FieldErrors(errors)


def _service_errors(exc: DjangoValidationError) -> FieldErrors:
    """A service's Django ValidationError as a 400 naming each field."""
    if hasattr(exc, "error_dict"):
        return FieldErrors([
            {"field": name, "detail": str(message)}
            for name, errors in exc.error_dict.items() for error in errors for message in error
        ])
    return FieldErrors([{"field": None, "detail": str(message)} for message in exc.messages])


class ActivityDetailView(ApiViewMixin, APIView):
    """One of the cluster's activities by its external_id (cluster keys)."""

    permission_classes = [ClusterKeyOnly]

    def _get(self, request, external_id):
        qs = selectors.activity_list(user=request.user)
        return get_object_or_404(qs, external_id=external_id)

    @extend_schema(responses={200: ActivitySerializer})
    def get(self, request, external_id):
        return Response(ActivitySerializer(self._get(request, external_id)).data)

    @extend_schema(
        request=ActivityPutSerializer,
        responses={200: ActivitySerializer, 201: ActivitySerializer},
        description="Create or replace the activity (idempotent).",
    )
    def put(self, request, external_id):
        if len(external_id) > 100:
            raise FieldErrors([{"field": "external_id", "detail": _("Højst 100 tegn.")}])
        try:
            activity, created = services.activity_put(
                cluster=request.user.cluster, actor=api_actor(request.user),
                external_id=external_id, data=request.data,
            )
        except IngestValidationError as exc:
            raise _ingest_errors(exc, single=True) from exc
        activity = self._get(request, activity.external_id)
        return Response(
            ActivitySerializer(activity).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(responses={204: None})
    def delete(self, request, external_id):
        services.activity_delete(activity=self._get(request, external_id),
                                 actor=api_actor(request.user), expected_version=None)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ActivityBulkView(ApiViewMixin, APIView):
    """Create or update up to 5,000 activities by external_id in one all-or-nothing request."""

    permission_classes = [ClusterKeyOnly]
    throttle_classes = [ApiKeyThrottle, ApiKeyBulkThrottle]
    max_body_bytes = BULK_MAX_BODY_BYTES

    @extend_schema(
        request=BulkActivitiesSerializer,
        responses={200: BulkResultSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
                description="A retry with the same key returns the first answer; "
                "the same key with another body answers 422.",
            )
        ],
    )
    def post(self, request):
        data = request.data
        if not isinstance(data, dict) or not isinstance(data.get("activities"), list):
            raise ValidationError({"activities": [_("Skal være en liste af aktiviteter.")]})
        items = data["activities"]
        if len(items) > MAX_BULK_ACTIVITIES:
            raise PayloadTooLarge(
                _("Højst %(max)d aktiviteter pr. forespørgsel (modtog %(n)d).")
                % {"max": MAX_BULK_ACTIVITIES, "n": len(items)}
            )
        cluster, actor = request.user.cluster, api_actor(request.user)

        def work():
            try:
                result = services.activity_ingest(cluster=cluster, actor=actor, items=items)
            except IngestValidationError as exc:
                raise _ingest_errors(exc, single=False) from exc
            except IntegrityError as exc:  # a browser edit raced us on the same external_id
                raise Conflict(_("Aktiviteterne blev ændret samtidig; send forespørgslen igen.")) from exc
            return 200, result.as_dict()

        key = request.headers.get("Idempotency-Key")
        if not key:
            code, body = work()
            return Response(body, status=code)
        if len(key) > MAX_KEY_LENGTH:
            raise ValidationError({"Idempotency-Key": [_("Højst 255 tegn.")]})
        outcome = run_idempotent(
            api_key=request.auth, key=key,
            fingerprint=request_fingerprint(request.method, request.path, data), work=work,
        )
        headers = {"Idempotent-Replayed": "true"} if outcome.replayed else None
        return Response(outcome.body, status=outcome.status_code, headers=headers)


class FacilitatedProjectFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year")
    cluster = django_filters.CharFilter(field_name="cluster__slug", help_text="Cluster slug.")

    class Meta:
        model = FacilitatedProject
        fields = ["year", "cluster"]


class FacilitatedProjectListView(ApiViewMixin, generics.ListAPIView):
    renderer_classes = [OrjsonRenderer]
    serializer_class = FacilitatedProjectSerializer
    filterset_class = FacilitatedProjectFilter

    def get_queryset(self):
        return selectors.facilitated_project_list(user=self.request.user)


class FacilitatedProjectDetailView(ApiViewMixin, APIView):
    """One facilitated project by external_id: GET for every key that may see it, PUT
    (create or replace, idempotent) for the cluster's own key."""

    permission_classes = [ClusterKeyWrites]

    @extend_schema(
        responses={200: FacilitatedProjectSerializer},
        parameters=[OpenApiParameter(
            "cluster", str, OpenApiParameter.QUERY, required=False,
            description="Cluster slug (authority keys; a cluster key reads its own).",
        )],
    )
    def get(self, request, external_id):
        qs = selectors.facilitated_project_list(user=request.user)
        if not hasattr(request.user, "cluster_id") or request.user.cluster_id is None:
            cluster = request.query_params.get("cluster")
            qs = qs.filter(cluster__slug=cluster) if cluster else qs.none()
        return Response(FacilitatedProjectSerializer(get_object_or_404(qs, external_id=external_id)).data)

    @extend_schema(
        request=FacilitatedProjectSerializer,
        responses={200: FacilitatedProjectSerializer, 201: FacilitatedProjectSerializer},
    )
    def put(self, request, external_id):
        if len(external_id) > 100:
            raise FieldErrors([{"field": "external_id", "detail": _("Højst 100 tegn.")}])
        serializer = FacilitatedProjectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            project, created = projects.facilitated_project_put(
                cluster=request.user.cluster, actor=api_actor(request.user),
                external_id=external_id, data=serializer.validated_data,
            )
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc
        project = selectors.facilitated_project_list(user=request.user).get(pk=project.pk)
        return Response(
            FacilitatedProjectSerializer(project).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )



class CompanyDetailView(ApiViewMixin, APIView):
    """A company record with its source (the CVR register or the cluster). Authority keys see
    every company; a cluster key the companies in its own activities or facilitated
    projects; any other CVR answers 404."""

    @extend_schema(responses={200: CompanySerializer})
    def get(self, request, cvr: str):
        company = company_get(user=request.user, cvr=cvr)
        if company is None:
            raise Http404
        return Response(CompanySerializer(company).data)
