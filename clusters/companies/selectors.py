"""Who may see which company record (one rule for the API, the company page and the lookup
endpoint): Erhvervsstyrelsen's people (caseworker, head of office, administrator) see every
company; a cluster's people see the companies that took part in their cluster's activities or
are partners in its facilitated projects; nobody else sees any. Another cluster's company
answers 404, as if it did not exist."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from clusters.constants import SizeBasis
from clusters.cvr.records import band_label
from clusters.models import Activity, Company, CompanyParticipation, FacilitatedProject
from klyngeadmin.kernel.roles import AUTHORITY_ROLES, CLUSTER_ROLES
from klyngeadmin.kernel.scoping import scope_to_user


def company_list(*, user) -> QuerySet[Company]:
    qs = Company.objects.all()
    if user is None or not user.is_authenticated:
        return qs.none()
    role = getattr(user, "role", None)
    if role in AUTHORITY_ROLES:
        return qs
    if role in CLUSTER_ROLES and user.cluster_id:
        took_part = CompanyParticipation.objects.filter(
            company=OuterRef("pk"), activity__cluster_id=user.cluster_id
        )
        partner = FacilitatedProject.partner_companies.through.objects.filter(
            company=OuterRef("pk"), facilitatedproject__cluster_id=user.cluster_id
        )
        return qs.filter(Exists(took_part) | Exists(partner))
    return qs.none()


def company_get(*, user, cvr: str) -> Company | None:
    return company_list(user=user).filter(cvr=cvr).first()


def company_activities(*, user, company: Company) -> QuerySet[Activity]:
    """The activities the company took part in, of the clusters the user may see."""
    return (
        scope_to_user(Activity.objects.all(), user)
        .filter(company_participations__company=company)
        .select_related("cluster")
        .order_by("-start_date", "id")
    )


def company_employees(company: Company) -> dict:
    """The employee figure the SME class rests on, and where it comes from."""
    return {
        "employees": None if company.size_basis == SizeBasis.REGISTER_BAND else (
            company.register_employees if company.size_basis == SizeBasis.REGISTER
            else company.employees
        ),
        "employees_band": band_label(company.employees_band) or None,
        "cluster_employees": company.employees,
        "sme_basis": company.size_basis,
    }
