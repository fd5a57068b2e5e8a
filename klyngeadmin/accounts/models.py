from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from klyngeadmin.kernel.predicates import is_authority, is_cluster_user
from klyngeadmin.kernel.roles import AUTHORITY_ROLES, CLUSTER_ROLES, Role


class User(AbstractUser):
    """A person who signs in: cluster people are bound to one cluster, authority people to none."""

    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices)
    cluster = models.ForeignKey(
        "clusters.ClusterOrganisation",
        verbose_name=_("klyngeorganisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    language = models.CharField(
        _("sprog"), max_length=5, choices=[("da", "Dansk"), ("en", "English")], default="da"
    )
    # MitID Erhverv (NemLog-in, OIOSAML 3): the person's persistent professional UUID, set on
    # their first SAML sign-in (klyngeadmin/saml/services.py). Empty for local accounts.
    saml_subject = models.CharField(
        _("MitID Erhverv-id"), max_length=255, unique=True, null=True, blank=True, editable=False
    )

    REQUIRED_FIELDS = ["email", "role"]

    class Meta:
        verbose_name = _("bruger")
        verbose_name_plural = _("brugere")
        constraints = [
            models.CheckConstraint(
                name="user_role_valid", condition=Q(role__in=[r.value for r in Role])
            ),
            models.CheckConstraint(
                name="user_cluster_matches_role",
                condition=(
                    Q(role__in=[r.value for r in CLUSTER_ROLES], cluster__isnull=False)
                    | Q(role__in=[r.value for r in AUTHORITY_ROLES], cluster__isnull=True)
                    | Q(role=Role.APPLICANT, cluster__isnull=True)
                ),
            ),
        ]

    @property
    def is_cluster_user(self) -> bool:
        """klyngeadmin.predicates.is_cluster_user (the one definition)."""

        return is_cluster_user.test(self)

    @property
    def is_authority(self) -> bool:
        """klyngeadmin.predicates.is_authority (the one definition)."""

        return is_authority.test(self)


class ApiKey(models.Model):
    """A key for the REST API. It belongs to one cluster (its CRM) or to one authority user
    (the ministry's BI). Only a SHA-256 of the key is stored; the key is shown once."""

    name = models.CharField(_("navn"), max_length=100)
    prefix = models.CharField(_("præfiks"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    cluster = models.ForeignKey(
        "clusters.ClusterOrganisation", verbose_name=_("klyngeorganisation"), null=True,
        blank=True, on_delete=models.CASCADE, related_name="api_keys",
    )
    user = models.ForeignKey(
        "klyngeadmin.User", verbose_name=_("bruger"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="api_keys",
    )
    created_by = models.ForeignKey(
        "klyngeadmin.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    expires_at = models.DateTimeField(_("udløber"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("sidst brugt"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("tilbagekaldt"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        "klyngeadmin.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("API-nøgle")
        verbose_name_plural = _("API-nøgler")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="api_key_one_owner",
                condition=(
                    Q(cluster__isnull=False, user__isnull=True)
                    | Q(cluster__isnull=True, user__isnull=False)
                ),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class IdempotencyRecord(models.Model):
    """The first answer to a request sent with an `Idempotency-Key` header, replayed on retry."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="idempotency_records")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="idempotency_key_unique")
        ]


class UsedSamlAssertion(models.Model):
    """A SAML assertion that signed someone in: each assertion ID is accepted once, so a
    captured response cannot be replayed (rows are deleted once the assertion has expired)."""

    assertion_id = models.CharField(max_length=255, unique=True)
    used_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("brugt SAML-assertion")
        verbose_name_plural = _("brugte SAML-assertions")


class FormDraft(models.Model):
    """What a person typed into a form and has not saved yet, keyed by person and page (the
    form's path): autosaved while typing, or stashed when a save arrived after the session had
    expired. Never a real object: a draft of a new activity is not an activity. Restored on the
    form when its owner opens the page again; deleted when the form is saved
    (klyngeadmin/drafts.py)."""

    class Origin(models.TextChoices):
        AUTOSAVE = "autosave", _("gemt automatisk")
        SESSION_EXPIRED = "session_expired", _("gemt, da sessionen var udløbet")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="form_drafts")
    path = models.CharField(max_length=300)
    data = models.JSONField()
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.AUTOSAVE)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("formularkladde")
        verbose_name_plural = _("formularkladder")
        constraints = [
            models.UniqueConstraint(fields=["user", "path"], name="form_draft_user_path_unique"),
            models.CheckConstraint(condition=models.Q(origin__in=["autosave", "session_expired"]),
                                   name="form_draft_origin_valid"),
        ]
