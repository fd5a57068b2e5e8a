"""The demo programme's participant fees, state aid and outcomes in companies (issue 15): fees
on a share of the 2024-2026 activities, aid records and de minimis declarations (one company
near the ceiling: `NEAR_CEILING_CVR_NOTE`), outcomes registered by the clusters and answered
follow-up surveys. A mixin of DemoBuilder. It draws from its own random stream and touches no
figure klyngestatistik counts (activities, participations, report money), so those still come
out exactly."""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime, time, timedelta

from clusters.constants import AidLegalBasis, FeeBasis
from clusters.models import (
    Activity,
    CompanyParticipation,
    DeMinimisDeclaration,
    ExchangeRate,
    StateAidCeiling,
    StateAidRecord,
)
from clusters.stateaid.defaults import seed_defaults
from grants.outcomes.constants import OutcomeKind, OutcomeSource
from grants.outcomes.models import CompanyOutcome, SurveyInvitation
from klyngeadmin.accounts.models import User
from klyngeadmin.demo.plan import CLUSTERS
from klyngeadmin.kernel.localtime import COPENHAGEN
from klyngeadmin.kernel.roles import Role

IMPACT_SEED = 20261515
# One company, in the first new-programme cluster, declared EUR ~254,700 of other de minimis aid
# and then receives 250,000 kr. from a 2026 activity: EUR ~288,200, 96 % of EUR 300,000.
NEAR_CEILING_OTHER_AID_DKK = 1_900_000
NEAR_CEILING_AID_DKK = 250_000
FEES_COST = (250, 500, 750, 1500)
FEES_MARKET = (2000, 3500, 5000)
KINDS = [k for k in OutcomeKind.values if k != OutcomeKind.INVESTMENT]


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=COPENHAGEN)


class ImpactBuilder:
    def state_aid_and_outcomes(self, clusters) -> None:
        seed_defaults(StateAidCeiling, ExchangeRate)  # the migration's rows, if a flush removed them
        rng = random.Random(IMPACT_SEED)
        new = [clusters[p.slug] for p in CLUSTERS if p.new_programme and not p.ceased_in]
        directors = {u.cluster_id: u for u in User.objects.filter(role=Role.DIRECTOR, cluster__in=new)}
        acts = list(Activity.objects.filter(cluster__in=new, start_date__year__gte=2024).order_by("id"))
        changed = []
        for i, a in enumerate(acts):
            if i % 3 == 0:
                a.fee_basis, a.fee_per_participant_dkk = FeeBasis.COST, rng.choice(FEES_COST)
            elif i % 7 == 0:
                a.fee_basis, a.fee_per_participant_dkk = FeeBasis.MARKET, rng.choice(FEES_MARKET)
            else:
                continue
            changed.append(a)
        Activity.objects.bulk_update(changed, ["fee_basis", "fee_per_participant_dkk"], batch_size=2000)
        by_act: dict[int, list[int]] = {}
        for act_id, company_id in CompanyParticipation.objects.filter(activity__in=acts).order_by(
                "activity_id", "company_id").values_list("activity_id", "company_id"):
            by_act.setdefault(act_id, []).append(company_id)

        aid, declarations, outcomes, invitations = [], [], [], []
        declared: set[tuple[int, int]] = set()
        for cluster in new:
            director = directors[cluster.pk]
            free = [a for a in acts if a.cluster_id == cluster.pk and a.fee_basis == FeeBasis.FREE
                    and a.start_date.year >= 2025 and by_act.get(a.pk)][:12]
            for n, a in enumerate(free):
                for company_id in by_act[a.pk][:2]:
                    de_minimis = n % 3 == 0
                    if de_minimis and (cluster.pk, company_id) not in declared:
                        declared.add((cluster.pk, company_id))
                        declarations.append(DeMinimisDeclaration(
                            cluster=cluster, company_id=company_id, declared_on=a.start_date - timedelta(days=14),
                            other_aid_dkk=0, created_by=director))
                    aid.append(StateAidRecord(
                        cluster=cluster, activity=a, company_id=company_id, granted_on=a.start_date,
                        legal_basis=AidLegalBasis.DE_MINIMIS if de_minimis else AidLegalBasis.CLUSTER_ACCESS,
                        amount_dkk=rng.randrange(1_500, 12_000, 50), created_by=director))
            mine = [a for a in acts if a.cluster_id == cluster.pk and a.start_date.year >= 2025 and by_act.get(a.pk)]
            for a in mine[::4]:
                for company_id in by_act[a.pk][:3]:
                    kind = rng.choice(KINDS + [OutcomeKind.INVESTMENT])
                    outcomes.append(CompanyOutcome(
                        cluster=cluster, company_id=company_id, activity=a, year=a.start_date.year, kind=kind,
                        source=OutcomeSource.CLUSTER, created_by=director,
                        investment_dkk=rng.randrange(100_000, 5_000_000, 10_000)
                        if kind == OutcomeKind.INVESTMENT else None))
            for n, a in enumerate(mine[1::6][:8]):
                company_id = by_act[a.pk][-1]
                sent = _at(min(a.end_date + timedelta(days=30), date(2026, 11, 20)))
                answered = n % 4 != 3
                invitations.append((SurveyInvitation(
                    cluster=cluster, company_id=company_id, activity=a, created_by=director, created_at=sent,
                    contact_name="Kontaktperson", contact_email=f"kontakt-{a.pk}-{company_id}@virksomhed.example",
                    token_sha256=hashlib.sha256(f"demo-survey-{a.pk}-{company_id}".encode()).hexdigest(),
                    expires_at=sent + timedelta(days=60),
                    answered_at=sent + timedelta(days=3) if answered else None,
                ), [rng.choice(KINDS), rng.choice(KINDS)] if answered else []))

        # the company near the ceiling: the first new-programme cluster's first 2026 activity
        first = new[0]
        target = next(a for a in acts if a.cluster_id == first.pk and a.start_date.year == 2026
                      and a.fee_basis == FeeBasis.FREE and by_act.get(a.pk) and a.pk not in {r.activity_id for r in aid})
        company_id = by_act[target.pk][0]
        declarations.append(DeMinimisDeclaration(
            cluster=first, company_id=company_id, declared_on=target.start_date - timedelta(days=7),
            other_aid_dkk=NEAR_CEILING_OTHER_AID_DKK, created_by=directors[first.pk]))
        aid.append(StateAidRecord(
            cluster=first, activity=target, company_id=company_id, granted_on=target.start_date,
            legal_basis=AidLegalBasis.DE_MINIMIS, amount_dkk=NEAR_CEILING_AID_DKK, created_by=directors[first.pk]))

        DeMinimisDeclaration.objects.bulk_create(declarations)
        StateAidRecord.objects.bulk_create(aid)
        CompanyOutcome.objects.bulk_create(outcomes, ignore_conflicts=True)
        SurveyInvitation.objects.bulk_create([inv for inv, _kinds in invitations])
        CompanyOutcome.objects.bulk_create([
            CompanyOutcome(cluster_id=inv.cluster_id, company_id=inv.company_id, activity=inv.activity,
                           year=inv.activity.start_date.year, kind=kind, source=OutcomeSource.SURVEY, invitation=inv)
            for inv, kinds in invitations for kind in sorted(set(kinds))
        ])
        self.counts.update(aid_records=len(aid), outcomes=CompanyOutcome.objects.count(),
                           survey_invitations=len(invitations))
        self.say(f"  fees on {len(changed)} activities, {len(aid)} aid records, {len(declarations)} declarations, "
                 f"{self.counts['outcomes']} outcomes, {len(invitations)} surveys")
