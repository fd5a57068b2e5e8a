"""The demo programme's money and casework: grants with their reports (finance and narrative),
facilitated projects, the rubrics and the cases in their demo states. A mixin of DemoBuilder
(klyngeadmin.demo.builder), which builds the organisations, companies and activities first."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from clusters.constants import (
    FacilitatedProjectStatus,
    FunderKind,
)
from clusters.models import (
    CompanyParticipation,
    FacilitatedProject,
)
from evaluations.midway.schedule import grant_create
from evaluations.panels.defaults import ensure_default_rubrics
from grants.cases import proposals
from grants.cases import services as svc
from grants.cases.award import award_letter_issue
from grants.cases.flows import extension_request, report_submit
from grants.cases.models import Case
from grants.constants import (
    HISTORICAL_HORIZON_YEARS,
    PROGRAMME_HORIZON_YEARS,
    PROGRAMME_MIDWAY_YEAR,
    Funder,
    GrantStatus,
    GrantType,
    ReportStatus,
    TrancheStatus,
)
from grants.core.models import Grant, Tranche
from grants.reports.models import AnnualReport, CompetitiveFunding
from grants.reports.services import report_transition
from klyngeadmin.accounts.models import User
from klyngeadmin.demo.plan import (
    CLUSTERS,
    EXTERNAL_SPLIT,
    TOPICS,
    at,
    mio_to_kr,
    split_exact,
)
from klyngeadmin.kernel.roles import Role


class ProgrammeBuilder:
    """Grants, reports, projects, rubrics and cases; uses DemoBuilder's say(), rng and
    password."""

    def fill_finance(self, report: AnnualReport, grant_spent: int, external: int) -> None:
        membership, sponsorship, foundation, eu, national = split_exact(
            external, [w for _, w in EXTERNAL_SPLIT])
        report.grant_spent_dkk = grant_spent
        report.cofinancing_membership_dkk = membership
        report.cofinancing_sponsorship_dkk = sponsorship
        report.cofinancing_foundation_dkk = foundation
        report.cofinancing_project_dkk = 0
        eu_a, eu_b = split_exact(eu, [2, 1])
        nat_a, nat_b = split_exact(national, [3, 2])
        self.funding_rows += [
            CompetitiveFunding(report=report, funder="Horizon Europe", funder_kind=FunderKind.EU, amount_dkk=eu_a),
            CompetitiveFunding(report=report, funder="Interreg", funder_kind=FunderKind.EU, amount_dkk=eu_b),
            CompetitiveFunding(report=report, funder="Innovationsfonden",
                               funder_kind=FunderKind.NATIONAL_PUBLIC, amount_dkk=nat_a),
            CompetitiveFunding(report=report, funder="EUDP", funder_kind=FunderKind.NATIONAL_PUBLIC,
                               amount_dkk=nat_b),
        ]

    def fill_narrative(self, report: AnnualReport, complete: bool = True) -> None:
        name = report.grant.cluster.name
        report.value_created = (f"{name} har i {report.year} hjulpet små og mellemstore virksomheder "
                                "med at teste nye løsninger og finde samarbejdspartnere.")
        report.knowledge_collaboration = ("Samarbejdet med universiteter, erhvervsakademier og "
                                          "professionshøjskoler er udbygget med fælles forløb.")
        if complete:
            report.internationalisation = "Deltagelse i to EU-netværk og en fælles Horizon-ansøgning."
            report.platform_role = "Klyngen har været platform for to nye nationale initiativer."
            report.local_collaboration = "Tæt samarbejde med erhvervshusene og kommunerne i regionen."

    def approve(self, report, director, caseworker, submitted: datetime, approved: datetime):
        report_transition(report=report, to=ReportStatus.SUBMITTED, actor=director, at=submitted)
        report_transition(report=report, to=ReportStatus.IN_REVIEW, actor=caseworker,
                          at=submitted + timedelta(days=3))
        report_transition(report=report, to=ReportStatus.APPROVED, actor=caseworker, at=approved)

    def accept_award(self, grant: Grant, director, when: datetime) -> None:
        """The director accepted the award letter before the first tranche (the letters of
        these grants predate klyngeadmin, so only the acceptance is recorded)."""
        Grant.objects.filter(pk=grant.pk).update(award_accepted_at=when, award_accepted_by=director)

    def grants(self, clusters) -> None:
        self.funding_rows: list[CompetitiveFunding] = []
        directors = {u.cluster_id: u for u in User.objects.filter(role=Role.DIRECTOR)}
        caseworker = User.objects.get(username="caseworker1")
        rng = self.rng
        for n, plan in enumerate(CLUSTERS, start=1):
            cluster = clusters[plan.slug]
            director = directors[cluster.pk]
            spent = split_exact(mio_to_kr(plan.grant_spent_mio), [32, 33, 35])
            external = split_exact(mio_to_kr(plan.external_mio), [30, 33, 37])
            if plan.ceased_in:  # everything happened in the years before it ceased
                spent = [sum(spent), 0, 0]
                external = [sum(external), 0, 0]
            grant = grant_create(
                cluster=cluster, reference=f"IK-2021-{n:03d}", start_year=2021,
                horizon_years=HISTORICAL_HORIZON_YEARS, midway_year=None,
                annual_amount_dkk=(mio_to_kr(plan.grant_spent_mio) // 30_000) * 10_000,
                funder=Funder.DEB_DEM, grant_type=GrantType.INNOVATIONSKRAFT,
            )
            reports = list(grant.reports.select_related("grant__cluster").order_by("year"))
            for report in reports:
                if plan.ceased_in and report.year >= plan.ceased_in:
                    report_transition(report=report, to=ReportStatus.CANCELLED,
                                      at=at(plan.ceased_in, 4, 20))
                    continue
                i = report.year - 2021
                if i < 3:
                    self.fill_finance(report, spent[i], external[i])
                else:  # 2024: outside the statistics period, but reported all the same
                    self.fill_finance(report, spent[2] // 2, external[2] // 2)
                self.fill_narrative(report)
                report.save()
                self.approve(report, director, caseworker,
                             at(report.year + 1, 3, rng.randint(10, 30)),
                             at(report.year + 1, 5, rng.randint(1, 28)))
            self.accept_award(grant, director, at(2021, 1, 15))
            Tranche.objects.filter(grant=grant).update(status=TrancheStatus.RELEASED,
                                                       released_on=date(2021, 3, 1))
            if plan.ceased_in:
                Tranche.objects.filter(grant=grant, year__gte=plan.ceased_in).update(
                    status=TrancheStatus.CANCELLED, released_on=None)
                Grant.objects.filter(pk=grant.pk).update(status=GrantStatus.WITHDRAWN)
            else:
                Grant.objects.filter(pk=grant.pk).update(status=GrantStatus.COMPLETED)

        # The new programme: 10-year grants from 2025.
        for n, plan in enumerate([p for p in CLUSTERS if p.new_programme], start=1):
            cluster = clusters[plan.slug]
            director = directors[cluster.pk]
            grant = grant_create(
                cluster=cluster, reference=f"KP-2025-{n:03d}", start_year=2025,
                horizon_years=PROGRAMME_HORIZON_YEARS, midway_year=PROGRAMME_MIDWAY_YEAR,
                annual_amount_dkk=(mio_to_kr(plan.grant_spent_mio) // 25_000) * 10_000,
            )
            self.accept_award(grant, director, at(2025, 1, 20))
            Tranche.objects.filter(grant=grant, year__in=[2025, 2026]).update(
                status=TrancheStatus.RELEASED, released_on=date(2025, 3, 1))
            Tranche.objects.filter(grant=grant, year=2026).update(released_on=date(2026, 6, 1))
            r2025 = grant.reports.select_related("grant__cluster").get(year=2025)
            amount = grant.annual_amount_dkk
            self.fill_finance(r2025, amount * 9 // 10, mio_to_kr(plan.external_mio) // 3)
            self.fill_narrative(r2025)
            r2025.save()
            self.approve(r2025, director, caseworker, at(2026, 3, rng.randint(10, 30)),
                         at(2026, 5, rng.randint(1, 28)))
            r2026 = grant.reports.select_related("grant__cluster").get(year=2026)
            complete = n % 2 == 1  # every other cluster is ready to submit
            if complete:
                self.fill_finance(r2026, amount * 8 // 10, mio_to_kr(plan.external_mio) // 3)
            else:
                r2026.grant_spent_dkk = amount // 2
                r2026.cofinancing_membership_dkk = mio_to_kr(plan.external_mio) // 40
            self.fill_narrative(r2026, complete=complete)
            r2026.save()
        CompetitiveFunding.objects.bulk_create(self.funding_rows)

    def facilitated_projects(self, clusters, institutions) -> None:
        rng = self.rng
        rows, partner_links, inst_links = [], [], []
        funders = [("Innovationsfonden", FunderKind.NATIONAL_PUBLIC), ("EUDP", FunderKind.NATIONAL_PUBLIC),
                   ("Horizon Europe", FunderKind.EU), ("Interreg Øresund-Kattegat-Skagerrak", FunderKind.EU),
                   ("Industriens Fond", FunderKind.FOUNDATION), ("Novo Nordisk Fonden", FunderKind.FOUNDATION)]
        for plan in CLUSTERS:
            if not plan.new_programme:
                continue
            for i in range(rng.randint(4, 9)):
                funder, kind = rng.choice(funders)
                applied = rng.randint(20, 400) * 50_000
                status = rng.choice(list(FacilitatedProjectStatus))
                granted = applied * rng.randint(60, 100) // 100 if status == FacilitatedProjectStatus.GRANTED else 0
                rows.append(FacilitatedProject(
                    cluster=clusters[plan.slug], external_id=f"fp-{plan.slug}-{i + 1:03d}",
                    title=f"{rng.choice(TOPICS).capitalize()} i praksis", funder=funder, funder_kind=kind,
                    year=rng.choice([2025, 2026]), amount_applied_dkk=applied, amount_granted_dkk=granted,
                    cluster_share_dkk=granted // 10, status=status,
                ))
        FacilitatedProject.objects.bulk_create(rows)
        through_c = FacilitatedProject.partner_companies.through
        through_i = FacilitatedProject.partner_institutions.through
        for fp in rows:
            member_ids = list(CompanyParticipation.objects.filter(activity__cluster_id=fp.cluster_id)
                              .values_list("company_id", flat=True)[:200])
            for cid in set(rng.sample(member_ids, 3)):
                partner_links.append(through_c(facilitatedproject_id=fp.pk, company_id=cid))
            inst_links.append(through_i(facilitatedproject_id=fp.pk, knowledgeinstitution_id=rng.choice(institutions).pk))
        through_c.objects.bulk_create(partner_links)
        through_i.objects.bulk_create(inst_links)
        self.counts["facilitated_projects"] = len(rows)

    def evaluation_rubrics(self) -> None:
        """The default rubrics (the 2029 midway evaluations themselves stay scheduled)."""

        ensure_default_rubrics()

    # -- case handling ---------------------------------------------------------------------------
    def cases(self, clusters) -> None:
        """Cases in every state, so a caseworker signing in sees a working queue: 2026 reports
        submitted by some clusters (unassigned, assigned, in review, waiting for the cluster,
        a tranche release waiting for the head of office) and deadline-extension requests
        (unassigned, decided with a letter, closed)."""

        caseworker1 = User.objects.get(username="caseworker1")
        caseworker2 = User.objects.get(username="caseworker2")
        directors = {u.cluster_id: u for u in User.objects.filter(role=Role.DIRECTOR)}

        def report_2026(slug):
            return AnnualReport.objects.select_related("grant__cluster", "deadline").get(
                grant__cluster=clusters[slug], grant__grant_type=GrantType.CLUSTER_PROGRAMME,
                year=2026)

        def submitted_case(slug):
            report = report_2026(slug)
            report_submit(report=report, actor=directors[clusters[slug].pk])
            return Case.objects.select_related("report").get(report=report)

        def start(case, who):
            svc.case_take(case=case, actor=who)
            svc.case_transition(case=case, to="in_progress", actor=who)
            return case

        submitted_case("life-science")  # new, unassigned
        svc.case_take(case=submitted_case("digital"), actor=caseworker1)  # assigned
        case = start(submitted_case("byggeri"), caseworker1)  # in progress, report in review
        svc.case_note(case=case, actor=caseworker1,
                      text="Medfinansieringen er steget markant - tjek fondsmidlerne.")
        case = start(submitted_case("rumfart"), caseworker1)  # waiting for the cluster
        svc.case_request_changes(
            case=case, actor=caseworker1,
            text="Uddyb venligst afsnittet om internationalisering, og vedlæg revisorerklæringen.")
        # a tranche release proposed by caseworker1, waiting for the head of office
        case = start(submitted_case("lyd"), caseworker1)
        svc.case_approve_report(case=case, actor=caseworker1)
        Tranche.objects.filter(grant_id=case.report.grant_id, year=2026).update(
            status=TrancheStatus.PLANNED, released_on=None)
        tranche = proposals.case_tranche(case)
        proposals.tranche_propose_release(case=case, actor=caseworker1, amount_dkk=tranche.amount_dkk,
                                    pay_on=date(2027, 1, 15))

        def extension_case(slug, days, reason):
            report = report_2026(slug)
            ext = extension_request(deadline=report.deadline, actor=directors[clusters[slug].pk],
                                    requested_due_at=report.deadline.due_at + timedelta(days=days),
                                    reason=reason)
            return Case.objects.select_related("extension__deadline").get(extension=ext)

        extension_case("produktion", 30, "Vores økonomichef er på barsel; revisor kan først i april.")
        case = start(extension_case("energi", 21, "Ny direktør tiltræder 1. marts."), caseworker1)
        svc.extension_decide(case=case, actor=caseworker1, approve=True,
                             new_due_at=case.extension.deadline.due_at + timedelta(days=21))
        case = start(extension_case("miljoe", 60, "Vi vil gerne have mere tid."), caseworker2)
        svc.extension_decide(case=case, actor=caseworker2, approve=False,
                             reason="Der er ikke anført en konkret grund til forlængelsen.")
        svc.case_transition(case=case, to="closed", actor=caseworker2)

        # A cluster admitted to the programme from 2027: its award letter waits for the
        # director's acceptance (no tranche can be proposed before).
        newcomer = clusters["lys"]
        pending = grant_create(
            cluster=newcomer, reference="KP-2027-001", start_year=2027,
            horizon_years=PROGRAMME_HORIZON_YEARS, midway_year=PROGRAMME_MIDWAY_YEAR,
            annual_amount_dkk=4_000_000,
        )
        award_letter_issue(grant=pending, actor=caseworker1)
        self.counts["cases"] = Case.objects.count()
