from django.db import transaction

from clusters.models import ClusterOrganisation
from evaluations.models import MidwayEvaluation
from grants.calls.models import Application
from grants.constants import PROGRAMME_MIDWAY_YEAR, DeadlineKind, Funder, GrantType
from grants.core.models import Grant, Tranche
from grants.core.services import _deadline, midway_schedule, report_due_at
from grants.deadlines.models import Deadline
from grants.reports.models import AnnualReport


@transaction.atomic
def grant_create(
    *,
    cluster: ClusterOrganisation,
    reference: str,
    start_year: int,
    horizon_years: int,
    annual_amount_dkk: int,
    funder: str = Funder.ERST,
    grant_type: str = GrantType.CLUSTER_PROGRAMME,
    midway_year: int | None = PROGRAMME_MIDWAY_YEAR,
    application: Application | None = None,
) -> Grant:
    """Create a grant and lay out its whole life as rows: one tranche and one annual-report
    obligation (with its deadline) per grant year and, where the grant has a midway year, the
    midway evaluation with its deadlines."""

    grant = Grant.objects.create(
        cluster=cluster,
        reference=reference,
        funder=funder,
        grant_type=grant_type,
        start_year=start_year,
        horizon_years=horizon_years,
        midway_year=midway_year,
        annual_amount_dkk=annual_amount_dkk,
        application=application,
    )
    years = range(1, horizon_years + 1)
    Tranche.objects.bulk_create(
        Tranche(grant=grant, year_number=n, year=grant.calendar_year(n), amount_dkk=annual_amount_dkk)
        for n in years
    )
    deadlines = Deadline.objects.bulk_create(
        _deadline(
            kind=DeadlineKind.ANNUAL_REPORT,
            subject=f"Årsrapport {grant.calendar_year(n)} – {cluster.name}",
            cluster=cluster,
            due_at=report_due_at(grant.calendar_year(n)),
        )
        for n in years
    )
    AnnualReport.objects.bulk_create(
        AnnualReport(grant=grant, year_number=n, year=grant.calendar_year(n), deadline=d)
        for n, d in zip(years, deadlines, strict=True)
    )
    if midway_year:
        plan = midway_schedule(start_year=start_year, midway_year=midway_year)
        self_assessment, scoring = Deadline.objects.bulk_create(
            [
                _deadline(
                    kind=DeadlineKind.SELF_ASSESSMENT,
                    subject=f"Selvevaluering {plan.year} – {cluster.name}",
                    cluster=cluster,
                    due_at=plan.self_assessment_due_at,
                ),
                _deadline(
                    kind=DeadlineKind.SCORING,
                    subject=f"Bedømmelse af midtvejsevaluering {plan.year} – {cluster.name}",
                    cluster=cluster,
                    due_at=plan.scoring_due_at,
                ),
            ]
        )
        MidwayEvaluation.objects.create(
            grant=grant,
            year=plan.year,
            self_assessment_deadline=self_assessment,
            scoring_deadline=scoring,
            decision_effective_year=plan.decision_effective_year,
        )
    return grant

