from django.db import models
from django.utils.translation import gettext_lazy as _


class EvaluationStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Planlagt")
    SELF_ASSESSMENT = "self_assessment", _("Selvevaluering")
    SCORING = "scoring", _("Bedømmelse")
    CONSENSUS = "consensus", _("Konsensus")
    PROPOSED = "proposed", _("Indstillet")
    DECIDED = "decided", _("Afgjort")
