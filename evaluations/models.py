"""Midway evaluations, rubrics, panels, scores and decisions.

The panel machinery (Panel, PanelMember, Score, ConsensusScore, Recommendation) serves both the
year-5 midway evaluation and the applications to the open call for emerging areas: a Panel
belongs to exactly one of them (DB CHECK)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clusters.models import KnowledgeInstitution, TimestampedModel, choices_check
from evaluations.constants import (
    SCORE_MAX,
    SCORE_MIN,
    ApplicationOutcome,
    CriterionKind,
    EvaluationEventKind,
    EvaluationStatus,
    Metric,
    Outcome,
    RubricPurpose,
)
from grants.calls.models import Application
from grants.core.models import Grant
from grants.deadlines.models import Deadline

VALID_SCORE = Q(not_applicable=True, value__isnull=True) | Q(
    not_applicable=False, value__gte=SCORE_MIN, value__lte=SCORE_MAX
)


class Rubric(TimestampedModel):
    """A versioned set of weighted criteria. `locked` is set when a panel first uses it; from
    then on neither the rubric nor its criteria can change (service check and DB trigger)."""

    purpose = models.CharField(_("formål"), max_length=20, choices=RubricPurpose.choices)
    name = models.CharField(_("navn"), max_length=200)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    description = models.TextField(_("beskrivelse"), blank=True)
    active = models.BooleanField(
        _("aktiv"), default=False,
        help_text=_("Den aktive version bruges, når en ny evaluering eller bedømmelse starter."),
    )
    # Choices of the midway starting-point analysis, recorded with the version (issue 15):
    normalise_per_grant_krone = models.BooleanField(
        _("niveau pr. bevillingskrone"), default=False,
        help_text=_("Niveauet af et nøgletal sammenlignes pr. mio. kr. af den årlige bevilling."))
    emerging_peer_group = models.BooleanField(
        _("spirende områder er deres egen sammenligningsgruppe"), default=False,
        help_text=_("Klynger inden for spirende områder sammenlignes kun med hinanden."))
    locked = models.BooleanField(_("i brug (låst)"), default=False)
    locked_at = models.DateTimeField(_("låst"), null=True, blank=True)
    row_version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("bedømmelsesramme")
        verbose_name_plural = _("bedømmelsesrammer")
        ordering = ["purpose", "name", "-version"]
        constraints = [
            choices_check("rubric_purpose_valid", "purpose", RubricPurpose),
            models.UniqueConstraint(fields=["purpose", "name", "version"], name="rubric_version_unique"),
            models.UniqueConstraint(
                fields=["purpose"], condition=Q(active=True), name="rubric_one_active_per_purpose"
            ),
            models.CheckConstraint(
                name="rubric_locked_has_time", condition=Q(locked=False) | Q(locked_at__isnull=False)
            ),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"


class Criterion(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(_("nøgle"), max_length=60)
    position = models.PositiveSmallIntegerField(_("rækkefølge"), default=0)
    title = models.CharField(_("kriterium"), max_length=300)
    guidance = models.TextField(_("vejledning"), blank=True)
    weight = models.PositiveSmallIntegerField(_("vægt"))
    kind = models.CharField(_("type"), max_length=20, choices=CriterionKind.choices)
    metric = models.CharField(_("nøgletal"), max_length=40, choices=Metric.choices, blank=True)

    class Meta:
        verbose_name = _("kriterium")
        verbose_name_plural = _("kriterier")
        ordering = ["rubric", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "key"], name="criterion_key_unique"),
            choices_check("criterion_kind_valid", "kind", CriterionKind),
            models.CheckConstraint(name="criterion_weight_positive", condition=Q(weight__gte=1)),
            models.CheckConstraint(
                name="criterion_metric_matches_kind",
                condition=Q(kind=CriterionKind.DATA, metric__in=[m.value for m in Metric])
                | Q(kind__in=[CriterionKind.JUDGEMENT, CriterionKind.TARGET_ATTAINMENT], metric=""),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_data_based(self) -> bool:
        return self.kind == CriterionKind.DATA

    @property
    def is_target_attainment(self) -> bool:
        """Measured by the grant's target attainment (grants.targets): realised ÷ target."""
        return self.kind == CriterionKind.TARGET_ATTAINMENT

    @property
    def has_suggestion(self) -> bool:
        return self.kind in (CriterionKind.DATA, CriterionKind.TARGET_ATTAINMENT)


class MidwayEvaluation(TimestampedModel):
    """The year-5 evaluation of a 10-year grant; its decision takes effect from year 6."""

    grant = models.OneToOneField(Grant, on_delete=models.PROTECT, related_name="midway_evaluation")
    year = models.PositiveSmallIntegerField(_("evalueringsår"))
    status = models.CharField(
        _("status"), max_length=20, choices=EvaluationStatus.choices, default=EvaluationStatus.SCHEDULED
    )
    self_assessment_deadline = models.OneToOneField(
        Deadline, on_delete=models.PROTECT, related_name="self_assessment_of"
    )
    scoring_deadline = models.OneToOneField(Deadline, on_delete=models.PROTECT, related_name="scoring_of")
    decision_effective_year = models.PositiveSmallIntegerField(_("afgørelsen gælder fra år"))
    rubric = models.ForeignKey(
        Rubric, null=True, blank=True, on_delete=models.PROTECT, related_name="evaluations",
        verbose_name=_("bedømmelsesramme"),
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("midtvejsevaluering")
        verbose_name_plural = _("midtvejsevalueringer")
        ordering = ["year", "grant__cluster__name"]
        constraints = [
            choices_check("evaluation_status_valid", "status", EvaluationStatus),
            models.CheckConstraint(
                name="evaluation_effective_after_year",
                condition=models.Q(decision_effective_year__gt=models.F("year")),
            ),
            models.CheckConstraint(
                name="evaluation_started_has_rubric",
                condition=Q(status=EvaluationStatus.SCHEDULED) | Q(rubric__isnull=False),
            ),
        ]

    def __str__(self):
        return f"Midtvejsevaluering {self.year} – {self.grant.cluster}"

    @property
    def cluster(self):
        return self.grant.cluster

    @property
    def open_for_self_assessment(self) -> bool:
        """The authority has opened the evaluation and the cluster may fill in its
        self-assessment (pages of other apps ask this, not the state names)."""
        return self.status == EvaluationStatus.SELF_ASSESSMENT

    @property
    def cluster_id(self):
        return self.grant.cluster_id


class SelfAssessment(TimestampedModel):
    evaluation = models.OneToOneField(
        MidwayEvaluation, on_delete=models.PROTECT, related_name="self_assessment"
    )
    summary = models.TextField(_("samlet vurdering"), blank=True)
    submitted_at = models.DateTimeField(_("indsendt"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("selvevaluering")
        verbose_name_plural = _("selvevalueringer")
        constraints = [
            models.CheckConstraint(
                name="self_assessment_submitted_by",
                condition=Q(submitted_at__isnull=True) | Q(submitted_by__isnull=False),
            )
        ]


class SelfAssessmentAnswer(models.Model):
    self_assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("besvarelse"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["self_assessment", "criterion"], name="answer_unique")
        ]


def attachment_path(instance, filename):
    return f"selvevaluering/{instance.self_assessment.evaluation_id}/{filename}"


class SelfAssessmentAttachment(models.Model):
    self_assessment = models.ForeignKey(
        SelfAssessment, on_delete=models.CASCADE, related_name="attachments"
    )
    title = models.CharField(_("titel"), max_length=200)
    file = models.FileField(_("fil"), upload_to=attachment_path)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]


class Panel(models.Model):
    """A scoring panel: for a midway evaluation or for an application to the open call."""

    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="panels")
    evaluation = models.OneToOneField(
        MidwayEvaluation, null=True, blank=True, on_delete=models.PROTECT, related_name="panel"
    )
    application = models.OneToOneField(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="panel"
    )
    created_at = models.DateTimeField(default=timezone.now)
    scoring_closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bedømmelsespanel")
        verbose_name_plural = _("bedømmelsespaneler")
        constraints = [
            models.CheckConstraint(
                name="panel_has_one_subject",
                condition=Q(evaluation__isnull=False, application__isnull=True)
                | Q(evaluation__isnull=True, application__isnull=False),
            )
        ]


class PanelMember(models.Model):
    """A caseworker on a panel. They declare no conflict of interest before they may score."""

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_seats")
    no_conflict_declared = models.BooleanField(_("erklærer sig habil"), default=False)
    declaration = models.TextField(_("habilitetserklæring"), blank=True)
    declared_at = models.DateTimeField(_("erklæret"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("bedømmelse indsendt"), null=True, blank=True)

    class Meta:
        verbose_name = _("panelmedlem")
        verbose_name_plural = _("panelmedlemmer")
        ordering = ["panel", "id"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "user"], name="panel_member_unique"),
            models.CheckConstraint(
                name="panel_member_declared",
                condition=Q(no_conflict_declared=True, declared_at__isnull=False),
            ),
        ]


class Score(models.Model):
    """One scorer's score on one criterion: 0-5, or not applicable (left out, never 0)."""

    member = models.ForeignKey(PanelMember, on_delete=models.PROTECT, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(_("point"), null=True, blank=True)
    not_applicable = models.BooleanField(_("ikke relevant"), default=False)
    suggested = models.DecimalField(
        _("foreslået point"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    reason = models.TextField(_("begrundelse"), blank=True)

    class Meta:
        verbose_name = _("point")
        verbose_name_plural = _("point")
        constraints = [
            models.UniqueConstraint(fields=["member", "criterion"], name="score_unique"),
            models.CheckConstraint(name="score_value_valid", condition=VALID_SCORE),
        ]


class ConsensusScore(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="consensus")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(_("point"), null=True, blank=True)
    not_applicable = models.BooleanField(_("ikke relevant"), default=False)
    reason = models.TextField(_("begrundelse"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("konsensuspoint")
        verbose_name_plural = _("konsensuspoint")
        constraints = [
            models.UniqueConstraint(fields=["panel", "criterion"], name="consensus_unique"),
            models.CheckConstraint(name="consensus_value_valid", condition=VALID_SCORE),
            models.CheckConstraint(name="consensus_has_reason", condition=~Q(reason="")),
        ]


class Recommendation(models.Model):
    """The panel's recommendation with the weighted totals (raw and starting-point-adjusted)."""

    panel = models.OneToOneField(Panel, on_delete=models.PROTECT, related_name="recommendation")
    outcome = models.CharField(_("anbefaling"), max_length=20)
    text = models.TextField(_("begrundelse"))
    raw_total = models.DecimalField(_("rå totalscore"), max_digits=4, decimal_places=2, null=True)
    adjusted_total = models.DecimalField(
        _("totalscore justeret for udgangspunkt"), max_digits=4, decimal_places=2, null=True
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("anbefaling")
        verbose_name_plural = _("anbefalinger")
        constraints = [
            models.CheckConstraint(
                name="recommendation_outcome_valid",
                condition=Q(outcome__in=[o.value for o in Outcome] + [o.value for o in ApplicationOutcome]),
            ),
            models.CheckConstraint(name="recommendation_has_text", condition=~Q(text="")),
        ]

    @property
    def outcome_label(self) -> str:
        labels = dict(Outcome.choices) | dict(ApplicationOutcome.choices)
        return str(labels.get(self.outcome, self.outcome))


class Decision(TimestampedModel):
    """The decision on a midway evaluation: proposed by a caseworker, approved by the head of
    office. Four eyes: the approver is never the proposer (DB CHECK)."""

    evaluation = models.OneToOneField(MidwayEvaluation, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(_("afgørelse"), max_length=20, choices=Outcome.choices)
    reasons = models.TextField(_("begrundelse"))
    conditions = models.TextField(_("vilkår"), blank=True)
    follow_up_due = models.DateField(_("opfølgningsfrist"), null=True, blank=True)
    raw_total = models.DecimalField(_("rå totalscore"), max_digits=4, decimal_places=2, null=True)
    adjusted_total = models.DecimalField(
        _("totalscore justeret for udgangspunkt"), max_digits=4, decimal_places=2, null=True
    )
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("indstillet"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("godkendt"), null=True, blank=True)
    appeal_deadline = models.DateField(_("klagefrist"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("afgørelse")
        verbose_name_plural = _("afgørelser")
        constraints = [
            choices_check("decision_outcome_valid", "outcome", Outcome),
            models.CheckConstraint(name="decision_has_reasons", condition=~Q(reasons="")),
            models.CheckConstraint(
                name="decision_conditions_complete",
                condition=~Q(outcome=Outcome.CONDITIONS)
                | (~Q(conditions="") & Q(follow_up_due__isnull=False)),
            ),
            models.CheckConstraint(
                name="decision_four_eyes",
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("proposed_by")),
            ),
            models.CheckConstraint(
                name="decision_approval_complete",
                condition=Q(approved_by__isnull=True, approved_at__isnull=True, appeal_deadline__isnull=True)
                | Q(approved_by__isnull=False, approved_at__isnull=False, appeal_deadline__isnull=False),
            ),
        ]

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class EvaluationEvent(models.Model):
    """Append-only audit trail of an evaluation or an application's assessment."""

    evaluation = models.ForeignKey(
        MidwayEvaluation, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="evaluation_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=EvaluationEventKind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("evalueringshændelse")
        verbose_name_plural = _("evalueringshændelser")
        ordering = ["created_at", "id"]
        constraints = [
            choices_check("evaluation_event_kind_valid", "kind", EvaluationEventKind),
            models.CheckConstraint(
                name="evaluation_event_has_subject",
                condition=Q(evaluation__isnull=False) | Q(application__isnull=False),
            ),
        ]


# -- the open call for emerging areas ---------------------------------------------------------


class Applicant(TimestampedModel):
    """A new organisation that registered to apply to the open call (no cluster yet)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applicant")
    organisation_name = models.CharField(_("organisationens navn"), max_length=200)
    cvr = models.CharField(_("CVR-nummer"), max_length=8)
    city = models.CharField(_("by"), max_length=100)
    region = models.CharField(_("region"), max_length=5)

    class Meta:
        verbose_name = _("ansøger")
        verbose_name_plural = _("ansøgere")
        constraints = [
            models.CheckConstraint(name="applicant_cvr_format", condition=Q(cvr__regex=r"^[1-9][0-9]{7}$"))
        ]

    def __str__(self):
        return self.organisation_name


class ApplicationProposal(TimestampedModel):
    """The content of an application to the open call (grants.Application holds its status)."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="proposal")
    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="proposals")
    description = models.TextField(_("beskrivelse af området"))
    budget_dkk = models.BigIntegerField(_("årligt budget (kr.)"))
    requested_annual_dkk = models.BigIntegerField(_("ansøgt årligt beløb (kr.)"))
    cofinancing_dkk = models.BigIntegerField(_("privat medfinansiering pr. år (kr.)"))
    # The yearly targets the applicant proposes ([{"indicator", "target", "baseline"}]); they
    # become the grant's targets at award (grants.targets.services.targets_set_at_award).
    proposed_targets = models.JSONField(_("foreslåede måltal"), default=list, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("ansøgningsindhold")
        verbose_name_plural = _("ansøgningsindhold")
        constraints = [
            models.CheckConstraint(
                name="proposal_amounts_valid",
                condition=Q(budget_dkk__gte=0, requested_annual_dkk__gte=1, cofinancing_dkk__gte=0)
                & Q(requested_annual_dkk__lte=F("budget_dkk")),
            )
        ]


class ConsortiumCompany(models.Model):
    proposal = models.ForeignKey(ApplicationProposal, on_delete=models.CASCADE, related_name="companies")
    cvr = models.CharField(_("CVR-nummer"), max_length=8)
    name = models.CharField(_("navn"), max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "cvr"], name="consortium_company_unique"),
            models.CheckConstraint(name="consortium_cvr_format", condition=Q(cvr__regex=r"^[1-9][0-9]{7}$")),
        ]


class ConsortiumInstitution(models.Model):
    proposal = models.ForeignKey(ApplicationProposal, on_delete=models.CASCADE, related_name="institutions")
    institution = models.ForeignKey(KnowledgeInstitution, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "institution"], name="consortium_institution_unique")
        ]


class ApplicationDecision(TimestampedModel):
    """Approval or rejection of an application: proposed by a caseworker, approved by the head
    of office (four eyes, DB CHECK), like the midway decision."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(_("afgørelse"), max_length=20, choices=ApplicationOutcome.choices)
    reasons = models.TextField(_("begrundelse"))
    total = models.DecimalField(_("totalscore"), max_digits=4, decimal_places=2, null=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            choices_check("application_decision_outcome_valid", "outcome", ApplicationOutcome),
            models.CheckConstraint(name="application_decision_has_reasons", condition=~Q(reasons="")),
            models.CheckConstraint(
                name="application_decision_four_eyes",
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("proposed_by")),
            ),
        ]
