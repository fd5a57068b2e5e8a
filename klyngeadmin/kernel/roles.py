from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DIRECTOR = "director", _("Klyngedirektør")
    CLUSTER_STAFF = "cluster_staff", _("Klyngemedarbejder")
    CASEWORKER = "caseworker", _("Sagsbehandler")
    HEAD_OF_OFFICE = "head_of_office", _("Kontorchef")
    ADMIN = "admin", _("Administrator")
    # A new organisation applying to the open call for emerging areas: no cluster yet; becomes
    # the director of its new cluster when the application is approved.
    APPLICANT = "applicant", _("Ansøger")


CLUSTER_ROLES = (Role.DIRECTOR, Role.CLUSTER_STAFF)
AUTHORITY_ROLES = (Role.CASEWORKER, Role.HEAD_OF_OFFICE, Role.ADMIN)

# The role of automatic steps (a withdrawal cancelling reports, a reminder tick): the actor None.
SYSTEM = "system"
