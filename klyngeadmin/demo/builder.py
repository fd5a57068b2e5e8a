"""A synthetic cluster programme that reproduces klyngestatistik 2021-2023 exactly.

Every name is fictional and every CVR number synthetic (a valid modulus-11 number made from a
serial that no real company is known to use). The allocation per cluster follows
`shared/reference/domain-facts.md` §7; the totals are asserted at the end of `build()`.

Reproduced (2021-2023): 11,050 distinct companies in 3,083 activities; 5,784
knowledge-institution participations in 2,284 activities; 365,000,000 kr. grant spent;
850,000,000 kr. external funding; 5,525 of 11,050 companies (50.0 %) outside their cluster's
strength position. Then the new programme: 10-year grants from 2025, the 2025 report approved,
the 2026 report in draft (complete for some clusters, half-filled for others), facilitated
projects and a midway evaluation scheduled for 2029.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from clusters.constants import (
    ActivityType,
    ClusterStatus,
    CompanySource,
    CompanyStatus,
    InstitutionKind,
    SizeBasis,
)
from clusters.cvr import make_cvr
from clusters.cvr.geography import MUNICIPALITY_NAMES
from clusters.models import (
    Activity,
    ClusterOrganisation,
    Company,
    CompanyParticipation,
    InstitutionParticipation,
    KnowledgeInstitution,
    StrengthPosition,
)
from clusters.sme import sme_size_class
from klyngeadmin.accounts.models import User
from klyngeadmin.demo.impact import ImpactBuilder
from klyngeadmin.demo.plan import (
    ACTIVITIES_PER_YEAR,
    ACTIVITY_TYPE_WEIGHTS,
    CLUSTERS,
    COMPANY_PREFIXES,
    COMPANY_STEMS,
    COMPANY_SUFFIXES,
    HISTORICAL_YEARS,
    INSTITUTION_KIND_WEIGHTS,
    INSTITUTIONS,
    MUNICIPALITIES,
    NEUTRAL_DIVISIONS,
    SEED,
    STRENGTH_POSITIONS,
    TITLE_WORDS,
    TOPICS,
    TOTALS,
    split_exact,
)
from klyngeadmin.demo.programme import ProgrammeBuilder
from klyngeadmin.kernel.roles import Role


def demo_industry_text(db07_code: str) -> str:
    """The (synthetic) industry text the demo register gives a DB07 code."""
    return f"Branche {db07_code} (syntetiske demodata)"


class DemoBuilder(ImpactBuilder, ProgrammeBuilder):
    def __init__(self, *, password: str, stdout=None):
        self.rng = random.Random(SEED)
        self.password_hash = make_password(password)
        self.out = stdout
        self.counts: dict[str, int] = {}

    def say(self, msg: str) -> None:
        if self.out:
            self.out.write(msg)

    # -- reference data ------------------------------------------------------------------
    def strength_positions(self) -> dict[str, StrengthPosition]:
        rows = StrengthPosition.objects.bulk_create(
            StrengthPosition(slug=s, name=n, emerging=e, db07_divisions=d)
            for s, n, e, d in STRENGTH_POSITIONS
        )
        return {sp.slug: sp for sp in rows}

    def cvr_serials(self, n: int, start: int) -> list[str]:
        out, serial = [], start
        while len(out) < n:
            cvr = make_cvr(serial)
            if cvr is not None:
                out.append(cvr)
            serial += 7  # spread the serials out
        return out

    def clusters(self, positions) -> dict[str, ClusterOrganisation]:
        cvrs = self.cvr_serials(len(CLUSTERS), 9_100_001)
        rows = []
        for plan, cvr in zip(CLUSTERS, cvrs, strict=True):
            rows.append(ClusterOrganisation(
                slug=plan.slug, name=plan.name, cvr=cvr, city=plan.city, region=plan.region,
                strength_position=positions[plan.position],
                designated_from=date(2021, 1, 1),
                designated_to=(date(plan.ceased_in, 4, 20) if plan.ceased_in
                               else None if plan.new_programme else date(2024, 12, 31)),
                status=ClusterStatus.ACTIVE if plan.new_programme else ClusterStatus.CEASED,
            ))
        return {c.slug: c for c in ClusterOrganisation.objects.bulk_create(rows)}

    def institutions(self) -> list[KnowledgeInstitution]:
        cvrs = self.cvr_serials(len(INSTITUTIONS), 8_200_003)
        rows = []
        for i, ((kind, name), cvr) in enumerate(zip(INSTITUTIONS, cvrs, strict=True)):
            foreign = kind == InstitutionKind.FOREIGN
            rows.append(KnowledgeInstitution(
                code=f"{kind.value[:4]}-{i + 1:02d}", name=name, kind=kind,
                cvr="" if foreign else cvr, country="DE" if foreign else "DK",
            ))
        return KnowledgeInstitution.objects.bulk_create(rows)

    def users(self, clusters) -> None:
        def user(username, role, cluster=None, **extra):
            return User(username=username, role=role, cluster=cluster, password=self.password_hash,
                        email=f"{username}@klyngeadmin.example", **extra)

        rows = [
            user("admin", Role.ADMIN, first_name="Ada", last_name="Administrator",
                 is_staff=True, is_superuser=True),
            user("caseworker1", Role.CASEWORKER, first_name="Karen", last_name="Sagsbehandler"),
            user("caseworker2", Role.CASEWORKER, first_name="Kasper", last_name="Sagsbehandler"),
            user("headofoffice", Role.HEAD_OF_OFFICE, first_name="Henrik", last_name="Kontorchef"),
        ]
        for c in clusters.values():
            rows.append(user(f"director-{c.slug}", Role.DIRECTOR, c,
                             first_name="Direktør", last_name=c.name))
        User.objects.bulk_create(rows)

    # -- companies ---------------------------------------------------------------------------
    def companies(self, clusters, positions) -> dict[str, list[Company]]:
        """The pool of 11,050 companies, each with a primary cluster, and the members of each
        cluster (distinct companies per cluster as planned, 13,800 in all)."""
        rng = self.rng
        n_total = TOTALS["companies"]
        plans = CLUSTERS
        # Primary clusters in proportion to the planned distinct counts (sums to 11,050).
        primaries = split_exact(n_total, [p.companies for p in plans])
        outside_flags = [True] * TOTALS["companies_outside"] + [False] * (n_total - TOTALS["companies_outside"])
        rng.shuffle(outside_flags)
        cvrs = self.cvr_serials(n_total, 3_000_001)
        regions = list(MUNICIPALITIES)
        fetched_at = timezone.now()
        rows, primary_of = [], []
        k = 0
        for plan, n in zip(plans, primaries, strict=True):
            divisions = positions[plan.position].db07_divisions
            for _ in range(n):
                r = rng.random()
                employees = (rng.randint(1, 9) if r < 0.55 else rng.randint(10, 49) if r < 0.82
                             else rng.randint(50, 249) if r < 0.92 else rng.randint(250, 2500))
                turnover = employees * rng.randint(900_000, 1_400_000)
                division = rng.choice(NEUTRAL_DIVISIONS if outside_flags[k] else divisions)
                region = plan.region if rng.random() < 0.6 else rng.choice(regions)
                name = f"{rng.choice(COMPANY_PREFIXES)}{rng.choice(COMPANY_STEMS)} {rng.choice(COMPANY_SUFFIXES)}"
                code = f"{division}{rng.randint(10, 99)}00"
                municipality = rng.choice(MUNICIPALITIES[region])
                # As the register says it (the synthetic register demo/cvr_register.json.gz is
                # built from these rows by scripts/build_demo_cvr_register.py).
                rows.append(Company(
                    cvr=cvrs[k], name=name, employees=employees, turnover_dkk=turnover,
                    size_class=sme_size_class(employees, turnover),
                    db07_code=code, industry=demo_industry_text(code),
                    municipality_code=municipality, region=region,
                    municipality=MUNICIPALITY_NAMES[municipality],
                    register_employees=employees, size_basis=SizeBasis.REGISTER,
                    status=CompanyStatus.ACTIVE, source=CompanySource.CVR, fetched_at=fetched_at,
                    reklamebeskyttet=False,
                ))
                primary_of.append(plan.slug)
                k += 1
        rows = Company.objects.bulk_create(rows, batch_size=2000)
        members: dict[str, list[Company]] = {p.slug: [] for p in plans}
        for company, slug in zip(rows, primary_of, strict=True):
            members[slug].append(company)
        # Each cluster also has companies whose primary cluster is another one.
        for plan, n_primary in zip(plans, primaries, strict=True):
            extra = plan.companies - n_primary
            others = [i for i, s in enumerate(primary_of) if s != plan.slug]
            members[plan.slug].extend(rows[i] for i in rng.sample(others, extra))
        return members

    # -- activities ----------------------------------------------------------------------------
    def activity_years(self) -> dict[str, list[int]]:
        rng = self.rng
        pool = [y for y, n in ACTIVITIES_PER_YEAR.items() for _ in range(n)]
        by_cluster: dict[str, list[int]] = {}
        for plan in CLUSTERS:  # a cluster that ceased takes its years first
            if plan.ceased_in:
                years = [y for y in pool if y < plan.ceased_in][: plan.activities]
                for y in years:
                    pool.remove(y)
                by_cluster[plan.slug] = years
        rng.shuffle(pool)
        for plan in CLUSTERS:
            if plan.slug not in by_cluster:
                by_cluster[plan.slug] = sorted(pool[: plan.activities])
                del pool[: plan.activities]
        assert not pool
        return by_cluster

    def make_activity(self, cluster, year: int, index: int) -> Activity:
        rng = self.rng
        kind = rng.choices(list(ACTIVITY_TYPE_WEIGHTS), weights=list(ACTIVITY_TYPE_WEIGHTS.values()))[0]
        start = date(year, 1, 1) + timedelta(days=rng.randint(0, 330))
        international = kind == ActivityType.INTERNATIONALISATION or rng.random() < 0.08
        return Activity(
            cluster=cluster, external_id=f"{cluster.slug}-{year}-{index:04d}",
            title=f"{TITLE_WORDS[kind]} {rng.choice(TOPICS)}", activity_type=kind,
            start_date=start, end_date=start + timedelta(days=rng.choice([0, 0, 1, 30, 90, 180])),
            international=international, eu_funded=international and rng.random() < 0.5,
        )

    def participations(self, activities, members, institutions, n_inst_acts, n_inst_parts):
        """Every member company in at least one of the cluster's activities, every activity with
        at least one company; institutions in exactly n_inst_acts activities, n_inst_parts times."""
        rng = self.rng
        comp_rows = []
        shuffled = members[:]
        rng.shuffle(shuffled)
        per_activity: list[set[int]] = [set() for _ in activities]
        for i, company in enumerate(shuffled):
            per_activity[i % len(activities)].add(company.pk)
        for idx in range(len(activities)):  # a third more participations, repeating companies
            for _ in range(rng.randint(0, 3)):
                per_activity[idx].add(rng.choice(members).pk)
        for act, ids in zip(activities, per_activity, strict=True):
            comp_rows.extend(CompanyParticipation(activity_id=act.pk, company_id=c) for c in ids)

        kinds = list(INSTITUTION_KIND_WEIGHTS)
        by_kind = {k: [i for i in institutions if i.kind == k] for k in kinds}
        chosen = rng.sample(range(len(activities)), n_inst_acts)
        counts = [1] * n_inst_acts
        for _ in range(n_inst_parts - n_inst_acts):
            while True:
                j = rng.randrange(n_inst_acts)
                if counts[j] < 6:
                    counts[j] += 1
                    break
        inst_rows = []
        for j, count in zip(chosen, counts, strict=True):
            picked: set[int] = set()
            while len(picked) < count:
                kind = rng.choices(kinds, weights=list(INSTITUTION_KIND_WEIGHTS.values()))[0]
                picked.add(rng.choice(by_kind[kind]).pk)
            inst_rows.extend(InstitutionParticipation(activity_id=activities[j].pk, institution_id=p)
                             for p in picked)
        return comp_rows, inst_rows

    def activities(self, clusters, members, institutions) -> None:
        years = self.activity_years()
        acts_by_cluster = {}
        rows = []
        for plan in CLUSTERS:
            cluster = clusters[plan.slug]
            acts = [self.make_activity(cluster, y, i + 1) for i, y in enumerate(years[plan.slug])]
            acts_by_cluster[plan.slug] = acts
            rows.extend(acts)
        # The new programme's years: fewer activities, same members.
        for plan in CLUSTERS:
            if not plan.new_programme and plan.ceased_in:
                continue
            for year in (2024, 2025, 2026):
                if year > 2024 and not plan.new_programme:
                    continue
                n = max(8, plan.activities // (6 if year == 2026 else 4))
                extra = [self.make_activity(clusters[plan.slug], year, 5000 + i) for i in range(n)]
                acts_by_cluster[plan.slug] += extra
                rows.extend(extra)
        Activity.objects.bulk_create(rows, batch_size=2000)
        comp_rows, inst_rows = [], []
        for plan in CLUSTERS:
            acts = acts_by_cluster[plan.slug]
            hist = [a for a in acts if a.start_date.year in HISTORICAL_YEARS]
            c, i = self.participations(hist, members[plan.slug], institutions,
                                       plan.institution_activities, plan.institution_participations)
            comp_rows += c
            inst_rows += i
            later = [a for a in acts if a.start_date.year not in HISTORICAL_YEARS]
            if later:
                sample = self.rng.sample(members[plan.slug], min(len(members[plan.slug]), len(later) * 3))
                n_ia = max(1, len(later) * 2 // 3)
                c, i = self.participations(later, sample, institutions, n_ia, n_ia * 2)
                comp_rows += c
                inst_rows += i
        CompanyParticipation.objects.bulk_create(comp_rows, batch_size=5000)
        InstitutionParticipation.objects.bulk_create(inst_rows, batch_size=5000)
        self.counts["activities"] = len(rows)
        self.counts["company_participations"] = len(comp_rows)
        self.counts["institution_participations"] = len(inst_rows)

    @transaction.atomic
    def build(self) -> dict[str, int]:
        positions = self.strength_positions()
        clusters = self.clusters(positions)
        institutions = self.institutions()
        self.users(clusters)
        members = self.companies(clusters, positions)
        self.activities(clusters, members, institutions)
        self.state_aid_and_outcomes(clusters)
        self.grants(clusters)
        self.facilitated_projects(clusters, institutions)
        self.evaluation_rubrics()
        self.cases(clusters)
        self.counts.update(clusters=len(clusters), companies=Company.objects.count(),
                           users=User.objects.count())
        return self.counts


def demo_present() -> bool:
    return ClusterOrganisation.objects.filter(slug__in=[p.slug for p in CLUSTERS]).exists()
