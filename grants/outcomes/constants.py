from django.db import models
from django.utils.translation import gettext_lazy as _


class OutcomeKind(models.TextChoices):
    """The value an activity or a facilitated project created in a company (issue 15, item 4)."""

    COMPETENCE = "competence", _("Ny kompetence")
    IDEA = "idea", _("Ny idé")
    PRODUCT = "product", _("Nyt produkt eller ny proces")
    RD_APPLICATION = "rd_application", _("Fælles FoU-ansøgning")
    KNOWLEDGE_COLLABORATION = "knowledge_collaboration", _("Nyt samarbejde med en videninstitution")
    INVESTMENT = "investment", _("Udløst investering")


class OutcomeSource(models.TextChoices):
    CLUSTER = "cluster", _("Registreret af klyngen")
    SURVEY = "survey", _("Oplyst af virksomheden")
