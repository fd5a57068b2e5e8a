"""From a verified SAML assertion to a signed-in user of the cluster whose CVR it carries.

pysaml2 has already checked the signature, audience, lifetime and that the answer belongs to
a request we made. Here: each assertion is accepted once (replay), the NSIS level of assurance
must reach SAML_MIN_LOA, the CVR must be a cluster organisation's, and the person is found by
their persistent MitID Erhverv UUID - or, on their first sign-in, linked to the account that
was prepared for them in that cluster (same e-mail), or created as cluster staff.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from saml2.time_util import str_to_time

from clusters.models import ClusterOrganisation
from klyngeadmin.accounts.models import UsedSamlAssertion, User
from klyngeadmin.kernel.roles import CLUSTER_ROLES, Role
from klyngeadmin.saml import attributes as attr


@dataclass
class SamlRefused(Exception):
    """A sign-in refused after the assertion was verified; `code` goes to the security log,
    `message` (Danish) to the person."""

    code: str
    message: str

    def __str__(self):
        return f"{self.code}: {self.message}"


def _first(ava: dict, name: str) -> str:
    values = ava.get(name) or []
    return str(values[0]).strip() if values else ""


def _expiry(not_on_or_after: str | None) -> datetime:
    if not_on_or_after:
        return datetime(*str_to_time(not_on_or_after)[:6], tzinfo=UTC)
    return timezone.now() + timedelta(hours=1)


def assertion_use_once(*, assertion_id: str, not_on_or_after: str | None) -> None:
    """Record the assertion as used, in its own transaction, before anything else: even a
    refused sign-in burns it. A second use raises SamlRefused("replay")."""
    if not assertion_id:
        raise SamlRefused("no_assertion_id", _("Svaret fra MitID Erhverv mangler et id."))
    try:
        with transaction.atomic():
            UsedSamlAssertion.objects.create(
                assertion_id=assertion_id, expires_at=_expiry(not_on_or_after)
            )
    except IntegrityError:
        raise SamlRefused(
            "replay",
            _("Dette login-svar er allerede brugt. Start et nyt login med MitID Erhverv."),
        ) from None


def forget_expired_assertions(*, now=None) -> int:
    """Delete used-assertion rows whose assertions can no longer be accepted anyway."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.SAML_ACCEPTED_TIME_DIFF)
    deleted, _ = UsedSamlAssertion.objects.filter(expires_at__lt=cutoff).delete()
    return deleted


def _check_loa(ava: dict) -> None:
    loa = _first(ava, attr.LOA)
    minimum = settings.SAML_MIN_LOA
    if loa not in attr.LOA_LEVELS or attr.LOA_LEVELS.index(loa) < attr.LOA_LEVELS.index(minimum):
        raise SamlRefused(
            "loa_too_low",
            _("Dit login har for lavt sikringsniveau. Log ind med MitID på mindst "
              "betydeligt niveau."),
        )


def _username_for(subject: str) -> str:
    return "mitid-" + hashlib.sha256(subject.encode()).hexdigest()[:16]


@transaction.atomic
def saml_user_for(*, ava: dict, name_id: str = "") -> User:
    """The user an assertion's attributes sign in (created or linked on first sign-in)."""
    _check_loa(ava)
    cvr = _first(ava, attr.CVR)
    if not cvr:
        raise SamlRefused(
            "no_cvr",
            _("Dit login kommer ikke fra en virksomhed (intet CVR-nummer). Log ind med "
              "MitID Erhverv for din klyngeorganisation."),
        )
    subject = _first(ava, attr.PROFESSIONAL_UUID) or name_id
    if not subject:
        raise SamlRefused("no_subject", _("Svaret fra MitID Erhverv mangler dit bruger-id."))
    cluster = ClusterOrganisation.objects.filter(cvr=cvr).first()
    if cluster is None:
        raise SamlRefused(
            "unknown_cvr",
            _("CVR-nummer %(cvr)s tilhører ikke en klyngeorganisation i klyngeprogrammet. "
              "Kontakt Erhvervsstyrelsen, hvis det er en fejl.") % {"cvr": cvr},
        )
    email = _first(ava, attr.EMAIL)
    first_name, last_name = _first(ava, attr.FIRST_NAME), _first(ava, attr.LAST_NAME)
    # Two first sign-ins of one person at once would both create them: one waits here.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                       [f"saml-subject:{subject}"])

    user = User.objects.select_for_update().filter(saml_subject=subject).first()
    if user is None and email:
        # First sign-in: the account prepared for this person in this cluster, if exactly one.
        prepared = list(
            User.objects.select_for_update()
            .filter(cluster=cluster, role__in=list(CLUSTER_ROLES), saml_subject__isnull=True,
                    email__iexact=email)[:2]
        )
        if len(prepared) == 1:
            user = prepared[0]
            user.saml_subject = subject
    if user is None:
        user = User(
            username=_username_for(subject), saml_subject=subject, role=Role.CLUSTER_STAFF,
            cluster=cluster,
        )
        user.set_unusable_password()
    elif user.cluster_id != cluster.pk or user.role not in CLUSTER_ROLES:
        raise SamlRefused(
            "other_organisation",
            _("Din MitID Erhverv-identitet er knyttet til en anden organisation her. "
              "Kontakt Erhvervsstyrelsen."),
        )
    if not user.is_active:
        raise SamlRefused(
            "inactive", _("Din adgang er lukket. Kontakt din klyngedirektør eller Erhvervsstyrelsen.")
        )
    # The assertion is authoritative for the person's name and e-mail.
    user.email = email or user.email
    user.first_name = first_name or user.first_name
    user.last_name = last_name or user.last_name
    user.save()
    return user
