from django.contrib import admin

from clusters.models import (
    Activity,
    ClusterOrganisation,
    Company,
    CompanyParticipation,
    DeMinimisDeclaration,
    ExchangeRate,
    FacilitatedProject,
    InstitutionParticipation,
    KnowledgeInstitution,
    Membership,
    StateAidCeiling,
    StateAidRecord,
    StrengthPosition,
)


@admin.register(StrengthPosition)
class StrengthPositionAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "emerging")
    list_filter = ("emerging",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(ClusterOrganisation)
class ClusterOrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "cvr", "city", "region", "strength_position", "status")
    list_filter = ("status", "region", "strength_position")
    search_fields = ("name", "cvr", "city", "slug")
    list_select_related = ("strength_position",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "cvr", "employees", "size_class", "db07_code", "region")
    list_filter = ("size_class", "region")
    search_fields = ("name", "cvr", "db07_code")
    show_full_result_count = False


@admin.register(KnowledgeInstitution)
class KnowledgeInstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "cvr", "country")
    list_filter = ("kind", "country")
    search_fields = ("name", "code", "cvr")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("company", "cluster", "year", "fee_dkk")
    list_filter = ("year", "cluster")
    search_fields = ("company__name", "company__cvr")
    raw_id_fields = ("company",)
    list_select_related = ("company", "cluster")


class CompanyParticipationInline(admin.TabularInline):
    model = CompanyParticipation
    raw_id_fields = ("company",)
    extra = 0


class InstitutionParticipationInline(admin.TabularInline):
    model = InstitutionParticipation
    extra = 0


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("title", "cluster", "activity_type", "start_date", "international", "eu_funded")
    list_filter = ("activity_type", "year", "international", "eu_funded", "cluster")
    search_fields = ("title", "external_id", "cluster__name")
    list_select_related = ("cluster",)
    date_hierarchy = "start_date"
    inlines = [CompanyParticipationInline, InstitutionParticipationInline]
    show_full_result_count = False


@admin.register(FacilitatedProject)
class FacilitatedProjectAdmin(admin.ModelAdmin):
    list_display = ("title", "cluster", "funder", "year", "status", "amount_applied_dkk", "amount_granted_dkk")
    list_filter = ("status", "funder_kind", "year", "cluster")
    search_fields = ("title", "external_id", "funder", "cluster__name")
    list_select_related = ("cluster",)
    raw_id_fields = ("partner_companies",)


# -- state aid (configuration: ceilings and the stored rate are edited here) -------------------


@admin.register(StateAidCeiling)
class StateAidCeilingAdmin(admin.ModelAdmin):
    list_display = ("regulation", "amount_eur", "period_years", "valid_from", "valid_to")


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("valid_from", "dkk_per_eur", "source")


@admin.register(StateAidRecord)
class StateAidRecordAdmin(admin.ModelAdmin):
    list_display = ("granted_on", "cluster", "company", "legal_basis", "amount_dkk")
    list_filter = ("legal_basis", "cluster")
    list_select_related = ("cluster", "company")
    search_fields = ("company__cvr", "company__name")
    readonly_fields = ("created_by", "created_at")


@admin.register(DeMinimisDeclaration)
class DeMinimisDeclarationAdmin(admin.ModelAdmin):
    list_display = ("declared_on", "cluster", "company", "other_aid_dkk")
    list_select_related = ("cluster", "company")
    readonly_fields = ("created_by", "created_at")
