"""Reads for fees and state aid. Every list is a fixed number of queries whatever its length."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from clusters.constants import SME_SIZE_CLASSES, AidLegalBasis, FeeBasis
from clusters.models import (
    Activity,
    ClusterOrganisation,
    Company,
    CompanyParticipation,
    DeMinimisDeclaration,
    ExchangeRate,
    StateAidCeiling,
    StateAidRecord,
)
from clusters.stateaid import deminimis
from clusters.stateaid.deminimis import Aid, Ceiling, Rate, Standing
from klyngeadmin.kernel.predicates import is_authority, is_cluster_user


def rates() -> list[Rate]:
    return [Rate(r.valid_from, r.dkk_per_eur) for r in ExchangeRate.objects.order_by("valid_from")]


def ceilings() -> list[Ceiling]:
    return [Ceiling(c.valid_from, c.valid_to, c.amount_eur, c.period_years)
            for c in StateAidCeiling.objects.order_by("valid_from")]


def _latest_declarations(company_ids, on: date) -> dict[int, DeMinimisDeclaration]:
    latest: dict[int, DeMinimisDeclaration] = {}
    for d in DeMinimisDeclaration.objects.filter(company_id__in=company_ids, declared_on__lte=on).order_by(
        "declared_on", "id"
    ):
        latest[d.company_id] = d  # the last one wins
    return latest


def standings(*, companies: list[Company], on: date) -> dict[int, Standing]:
    """Each company's de minimis standing on `on`: its single undertaking (itself and the CVRs
    its latest declaration links it to) over the rolling period, with the other de minimis aid
    it declared. Four queries for any number of companies."""
    ids = [c.pk for c in companies]
    declarations = _latest_declarations(ids, on)
    members: dict[int, set[str]] = {c.pk: {c.cvr} for c in companies}
    for company_id, d in declarations.items():
        members[company_id] |= set(d.linked_cvrs)
    all_cvrs = set().union(*members.values()) if members else set()
    aids_by_cvr: dict[str, list[Aid]] = defaultdict(list)
    for cvr, day, amount in StateAidRecord.objects.filter(
        company__cvr__in=all_cvrs, legal_basis=AidLegalBasis.DE_MINIMIS, granted_on__lte=on,
    ).values_list("company__cvr", "granted_on", "amount_dkk"):
        aids_by_cvr[cvr].append(Aid(day, amount))
    stored_rates, stored_ceilings = rates(), ceilings()
    out = {}
    for company in companies:
        aids = [a for cvr in members[company.pk] for a in aids_by_cvr[cvr]]
        d = declarations.get(company.pk)
        if d is not None and d.other_aid_dkk:
            aids.append(Aid(d.declared_on, d.other_aid_dkk))
        out[company.pk] = deminimis.standing(aids, on=on, rates=stored_rates, ceilings=stored_ceilings)
    return out


def cluster_for(user) -> ClusterOrganisation | None:
    if is_cluster_user(user) and user.cluster_id:
        return user.cluster
    return None


@dataclass
class CompanyAidRow:
    company: Company
    de_minimis_dkk: int
    cluster_access_dkk: int
    records: int
    declared_on: date | None
    standing: Standing


def cluster_aid_by_company(*, cluster: ClusterOrganisation, on: date) -> list[CompanyAidRow]:
    """"Statsstøtte pr. virksomhed": every company that has received aid from this cluster, its
    aid from the cluster by legal basis and its de minimis standing across the programme."""
    totals = defaultdict(lambda: {"de_minimis": 0, "cluster_access": 0, "records": 0})
    for company_id, basis, amount in StateAidRecord.objects.filter(cluster=cluster).values_list(
        "company_id", "legal_basis", "amount_dkk"
    ):
        totals[company_id][basis] += amount
        totals[company_id]["records"] += 1
    companies = list(Company.objects.filter(pk__in=totals.keys()).order_by("name", "cvr"))
    declared = dict(
        DeMinimisDeclaration.objects.filter(cluster=cluster, company_id__in=totals.keys())
        .order_by("company_id", "-declared_on").distinct("company_id")
        .values_list("company_id", "declared_on")
    )
    standing_of = standings(companies=companies, on=on)
    return [
        CompanyAidRow(c, totals[c.pk]["de_minimis"], totals[c.pk]["cluster_access"], totals[c.pk]["records"],
                      declared.get(c.pk), standing_of[c.pk])
        for c in companies
    ]


def activity_for(*, user, pk: int) -> Activity | None:
    cluster = cluster_for(user)
    if cluster is None:
        return None
    return Activity.objects.filter(cluster=cluster, pk=pk).select_related("cluster").first()


def activity_aid(*, activity: Activity) -> list[StateAidRecord]:
    return list(activity.aid_records.select_related("company").order_by("company__name"))


def activity_companies(*, activity: Activity) -> list[Company]:
    return [p.company for p in CompanyParticipation.objects.filter(activity=activity)
            .select_related("company").order_by("company__name")]


# -- the state-aid register export (caseworkers) -----------------------------------------------

REGISTER_COLUMNS = (
    "klynge", "klynge_cvr", "cvr", "virksomhed", "aktivitet", "aktivitet_eksternt_id",
    "retsgrundlag", "tildelt_den", "beloeb_dkk", "beloeb_eur", "kurs_dkk_pr_eur",
)


def register_rows(*, user, from_date: date, to_date: date) -> list[list]:
    """One row per aid granted in the period (both days included), for registration in the
    state-aid register. Authority users only; one query plus the rates."""
    if not is_authority(user):
        return []
    stored_rates = rates()
    labels = dict(AidLegalBasis.choices)
    rows = []
    for r in (StateAidRecord.objects.filter(granted_on__gte=from_date, granted_on__lte=to_date)
              .select_related("cluster", "company", "activity").order_by("granted_on", "id")):
        rate = deminimis.rate_on(stored_rates, r.granted_on)
        rows.append([
            r.cluster.name, r.cluster.cvr, r.company.cvr, r.company.name, r.activity.title,
            r.activity.external_id, str(labels[r.legal_basis]), r.granted_on.isoformat(),
            r.amount_dkk, deminimis.dkk_to_eur(r.amount_dkk, rate), rate,
        ])
    return rows


# -- public statistics: fee level against SME share -------------------------------------------

FEE_BANDS = (
    ("free", Q(activity__fee_basis=FeeBasis.FREE)),
    ("under_500", Q(activity__fee_per_participant_dkk__gt=0, activity__fee_per_participant_dkk__lt=500)),
    ("500_1999", Q(activity__fee_per_participant_dkk__gte=500, activity__fee_per_participant_dkk__lt=2000)),
    ("2000_plus", Q(activity__fee_per_participant_dkk__gte=2000)),
)


def fee_level_by_sme_share(*, from_year: int, to_year: int) -> list[dict]:
    """Per fee band (free, under 500 kr., 500–1,999 kr., 2,000 kr. and more per participant):
    activities, company participations, distinct companies, and the SME share of the
    participations (0..1, four decimals; None without participations). One query.

    The figure the seed asks for to map barriers in the rules: does a fee keep SMEs out?"""
    activity_q = Q(activity__year__gte=from_year, activity__year__lte=to_year)
    aggregates = {}
    for key, band in FEE_BANDS:
        in_band = activity_q & band
        aggregates[f"{key}_participations"] = Count("id", filter=in_band)
        aggregates[f"{key}_sme"] = Count("id", filter=in_band & Q(company__size_class__in=SME_SIZE_CLASSES))
        aggregates[f"{key}_activities"] = Count("activity_id", filter=in_band, distinct=True)
        aggregates[f"{key}_companies"] = Count("company_id", filter=in_band, distinct=True)
    figures = CompanyParticipation.objects.filter(activity_q).aggregate(**aggregates)
    out = []
    for key, _band in FEE_BANDS:
        n = figures[f"{key}_participations"]
        out.append({
            "band": key, "activities": figures[f"{key}_activities"], "participations": n,
            "companies": figures[f"{key}_companies"],
            "sme_share": round(figures[f"{key}_sme"] / n, 4) if n else None,
        })
    return out
