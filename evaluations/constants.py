from django.db import models
from django.utils.translation import gettext_lazy as _

SCORE_MIN = 0
SCORE_MAX = 5
MIN_PANEL_SIZE = 2
APPEAL_WEEKS = 4  # klagefrist: 4 weeks from the decision


class EvaluationStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Planlagt")
    SELF_ASSESSMENT = "self_assessment", _("Selvevaluering")
    SCORING = "scoring", _("Bedømmelse")
    CONSENSUS = "consensus", _("Konsensus")
    PROPOSED = "proposed", _("Indstillet")
    DECIDED = "decided", _("Afgjort")


class RubricPurpose(models.TextChoices):
    MIDWAY = "midway", _("Midtvejsevaluering")
    APPLICATION = "application", _("Ansøgninger til åbent opslag")


class CriterionKind(models.TextChoices):
    DATA = "data", _("Databaseret")
    JUDGEMENT = "judgement", _("Skønsmæssig")
    TARGET_ATTAINMENT = "target_attainment", _("Målopfyldelse")


class Metric(models.TextChoices):
    """The key figures a data-based criterion can be measured by (see evaluations.midway.metrics)."""

    SME_KNOWLEDGE_PROJECTS = "sme_knowledge_projects", _(
        "FoU-ansøgninger og innovationsprojekter med både SMV'er og videninstitutioner"
    )
    SMALL_COMPANY_REACH = "small_company_reach", _("Deltagende små virksomheder (10-49 ansatte)")
    SME_REACH = "sme_reach", _("Deltagende SMV'er")
    APPLIED_INSTITUTION_BREADTH = "applied_institution_breadth", _(
        "Erhvervsakademier, professionshøjskoler og kunstneriske institutioner, der deltager"
    )
    COFINANCING_PER_GRANT_KRONE = "cofinancing_per_grant_krone", _(
        "Privat medfinansiering og hjemtag pr. forbrugt bevillingskrone"
    )
    INTERNATIONAL_ACTIVITIES = "international_activities", _(
        "Internationale og EU-finansierede aktiviteter"
    )
    OUTSIDE_SHARE = "outside_share", _(
        "Andel af deltagende virksomheder uden for klyngens styrkeposition"
    )


class Outcome(models.TextChoices):
    CONTINUE = "continue", _("Fortsættelse")
    CONDITIONS = "conditions", _("Fortsættelse med vilkår")
    WITHDRAW = "withdraw", _("Tilbagekaldelse")


class ApplicationOutcome(models.TextChoices):
    APPROVE = "approve", _("Bevilling")
    REJECT = "reject", _("Afslag")


class EvaluationEventKind(models.TextChoices):
    TRANSITION = "transition", _("Statusskift")
    SELF_ASSESSMENT_SAVED = "self_assessment_saved", _("Selvevaluering gemt")
    ATTACHMENT = "attachment", _("Bilag tilføjet")
    PANEL_JOINED = "panel_joined", _("Erklæring om habilitet")
    SCORES_SUBMITTED = "scores_submitted", _("Bedømmelse indsendt")
    CONSENSUS = "consensus", _("Konsensus fastlagt")
    PROPOSAL = "proposal", _("Indstilling")
    DECISION = "decision", _("Afgørelse")
    RETURNED = "returned", _("Indstilling sendt tilbage")
    WITHDRAWAL = "withdrawal", _("Bevilling tilbagekaldt")
