"""API representations of the cluster app's data. Thin: input rules live in clusters.ingest (the
activity parser) and clusters.services (facilitated_project_check and the write services)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clusters.api import selectors
from clusters.companies.selectors import company_employees
from clusters.constants import (
    MAX_EMPLOYEES,
    ActivityType,
    AidLegalBasis,
    FacilitatedProjectStatus,
    FeeBasis,
    FunderKind,
)
from clusters.cvr import validate_cvr
from clusters.ingest import MAX_BULK_ACTIVITIES
from clusters.models import ClusterOrganisation, Company, FacilitatedProject, KnowledgeInstitution


class ClusterSerializer(serializers.ModelSerializer):
    strength_position = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = ClusterOrganisation
        fields = ["slug", "name", "strength_position", "status"]


class InstitutionSerializer(serializers.ModelSerializer):
    class Meta:
        model = KnowledgeInstitution
        fields = ["code", "name", "kind", "cvr"]


class ActivityCompanySerializer(serializers.Serializer):
    cvr = serializers.RegexField(r"^[1-9][0-9]{7}$", validators=[validate_cvr])
    name = serializers.CharField(max_length=200)
    employees = serializers.IntegerField(min_value=0, max_value=MAX_EMPLOYEES)


class ActivityInstitutionSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)


class ActivityWriteSerializer(serializers.Serializer):
    """One activity as a CRM sends it (documentation of the input; clusters.ingest validates)."""

    external_id = serializers.CharField(max_length=100)
    title = serializers.CharField(max_length=300)
    activity_type = serializers.ChoiceField(choices=ActivityType.choices)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    international = serializers.BooleanField(required=False, default=False)
    eu_funded = serializers.BooleanField(required=False, default=False)
    companies = ActivityCompanySerializer(many=True, required=False)
    institutions = ActivityInstitutionSerializer(many=True, required=False)


class ActivityPutSerializer(ActivityWriteSerializer):
    external_id = serializers.CharField(
        max_length=100, required=False, help_text="Optional; must equal the external_id in the path."
    )


class ActivityAidSerializer(serializers.Serializer):
    cvr = serializers.CharField()
    legal_basis = serializers.ChoiceField(choices=AidLegalBasis.choices)
    amount_dkk = serializers.IntegerField(help_text="The value of the free or subsidised service, whole kroner.")
    granted_on = serializers.DateField()


class ActivitySerializer(ActivityWriteSerializer):
    """An activity as the API returns it. `cluster`, `year` and `version` are read-only, and so
    are the participant fee and the aid records (set on the activity's state-aid page)."""

    fee_per_participant_dkk = serializers.IntegerField(read_only=True, help_text="Whole kroner per participant.")
    fee_basis = serializers.ChoiceField(choices=FeeBasis.choices, read_only=True)
    individual_service = serializers.BooleanField(read_only=True,
                                                  help_text="An individual service to one company.")
    aid = ActivityAidSerializer(many=True, read_only=True,
                                help_text="State aid the participating companies received from the activity.")

    cluster = serializers.CharField(read_only=True, help_text="The cluster's slug.")
    year = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    international = serializers.BooleanField()
    eu_funded = serializers.BooleanField()
    companies = ActivityCompanySerializer(many=True)
    institutions = ActivityInstitutionSerializer(many=True)

    def to_representation(self, a):
        # Hand-written for speed on long lists; the fields above document the shape.
        return {
            "external_id": a.external_id,
            "cluster": a.cluster.slug,
            "title": a.title,
            "activity_type": a.activity_type,
            "start_date": a.start_date.isoformat(),
            "end_date": a.end_date.isoformat(),
            "year": a.start_date.year,
            "international": a.international,
            "eu_funded": a.eu_funded,
            "companies": [
                {"cvr": p.company.cvr, "name": p.company.name, "employees": p.company.employees}
                for p in a.company_participations.all()
            ],
            "institutions": [{"code": p.institution.code} for p in a.institution_participations.all()],
            "fee_per_participant_dkk": a.fee_per_participant_dkk,
            "fee_basis": a.fee_basis,
            "individual_service": a.individual_service,
            "aid": [
                {"cvr": r.company.cvr, "legal_basis": r.legal_basis, "amount_dkk": r.amount_dkk,
                 "granted_on": r.granted_on.isoformat()}
                for r in a.aid_records.all()
            ],
            "version": a.version,
            "updated_at": serializers.DateTimeField().to_representation(a.updated_at),
        }


_DATETIME = serializers.DateTimeField()


def activity_rows(rows: list[dict]) -> list[dict]:
    """A page of the activity list from plain rows (clusters.api.selectors.activity_values_list):
    exactly what ActivitySerializer writes for the same activities, key for key, without model
    instances (tests/api/test_list_rows.py holds the two together)."""
    companies, institutions, aid_rows = selectors.activity_participations([r["id"] for r in rows])
    by_company: dict[int, list] = {r["id"]: [] for r in rows}
    by_institution: dict[int, list] = {r["id"]: [] for r in rows}
    by_aid: dict[int, list] = {r["id"]: [] for r in rows}
    for activity_id, cvr, name, employees in companies:
        by_company[activity_id].append({"cvr": cvr, "name": name, "employees": employees})
    for activity_id, code in institutions:
        by_institution[activity_id].append({"code": code})
    for activity_id, cvr, basis, amount, granted_on in aid_rows:
        by_aid[activity_id].append({"cvr": cvr, "legal_basis": basis, "amount_dkk": amount,
                            "granted_on": granted_on.isoformat()})
    to_datetime = _DATETIME.to_representation
    return [
        {
            "external_id": r["external_id"],
            "cluster": r["cluster__slug"],
            "title": r["title"],
            "activity_type": r["activity_type"],
            "start_date": r["start_date"].isoformat(),
            "end_date": r["end_date"].isoformat(),
            "year": r["start_date"].year,
            "international": r["international"],
            "eu_funded": r["eu_funded"],
            "companies": by_company[r["id"]],
            "institutions": by_institution[r["id"]],
            "fee_per_participant_dkk": r["fee_per_participant_dkk"],
            "fee_basis": r["fee_basis"],
            "individual_service": r["individual_service"],
            "aid": by_aid[r["id"]],
            "version": r["version"],
            "updated_at": to_datetime(r["updated_at"]),
        }
        for r in rows
    ]


class BulkActivitiesSerializer(serializers.Serializer):
    activities = ActivityWriteSerializer(many=True, max_length=MAX_BULK_ACTIVITIES)


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class FacilitatedProjectSerializer(serializers.ModelSerializer):
    """A facilitated (externally financed) project. `status` is the funder's answer
    (applied/granted/rejected), which the cluster reports."""

    cluster = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    external_id = serializers.CharField(read_only=True)
    funder_kind = serializers.ChoiceField(choices=FunderKind.choices)
    status = serializers.ChoiceField(choices=FacilitatedProjectStatus.choices, required=False)
    amount_applied_dkk = serializers.IntegerField(min_value=0, max_value=10**15)
    amount_granted_dkk = serializers.IntegerField(min_value=0, max_value=10**15, required=False)
    cluster_share_dkk = serializers.IntegerField(min_value=0, max_value=10**15, required=False)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    partner_companies = serializers.SerializerMethodField()
    partner_institutions = serializers.SerializerMethodField()

    class Meta:
        model = FacilitatedProject
        fields = [
            "external_id", "cluster", "title", "funder", "funder_kind", "year",
            "amount_applied_dkk", "amount_granted_dkk", "cluster_share_dkk", "status",
            "partner_companies", "partner_institutions", "version",
        ]
        read_only_fields = ["version"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_partner_companies(self, obj):
        return sorted(c.cvr for c in obj.partner_companies.all())

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_partner_institutions(self, obj):
        return sorted(i.code for i in obj.partner_institutions.all())


class CompanySerializer(serializers.ModelSerializer):
    """A company record and where its facts come from (``source``: cvr, cluster or unknown)."""

    employees = serializers.SerializerMethodField(
        help_text="The employee number the SME class rests on (the register's, else the "
        "cluster's); null when the register gives only a band."
    )
    employees_band = serializers.SerializerMethodField(
        help_text='The register\'s band when it gives no number, e.g. "20–49".'
    )
    cluster_employees = serializers.IntegerField(source="employees", read_only=True,
                                                 help_text="The number the cluster gave.")
    sme_class = serializers.CharField(source="size_class", read_only=True)
    sme_basis = serializers.CharField(source="size_basis", read_only=True,
                                      help_text="register, register_band or cluster.")

    class Meta:
        model = Company
        fields = [
            "cvr", "name", "db07_code", "industry", "municipality", "municipality_code", "region",
            "employees", "employees_band", "cluster_employees", "sme_class", "sme_basis", "status",
            "source", "fetched_at", "reklamebeskyttet",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_employees(self, company):
        return company_employees(company)["employees"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_employees_band(self, company):
        return company_employees(company)["employees_band"]
