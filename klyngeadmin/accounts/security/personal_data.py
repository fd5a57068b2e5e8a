"""Personal data (GDPR): the retention job that anonymises contact persons no longer involved,
and an export of everything held about one person. Register: docs/personal-data.md."""

from __future__ import annotations

from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from klyngeadmin.accounts.security.logging import security_event
from klyngeadmin.accounts.security.services import user_session_keys
from klyngeadmin.kernel.roles import CLUSTER_ROLES

User = get_user_model()
ANONYMOUS_PREFIX = "anonymiseret-"
INTEGRATION_PREFIX = "api-"  # the clusters' API integration users (klyngeadmin/api/actors.py)
# Never exported, whatever model they are on.
SECRET_FIELD_NAMES = {"password", "key_hash", "key", "session_key", "session_data", "request_hash"}


def retention_candidates(*, now=None):
    """Contact persons of clusters no longer involved: cluster users (not integration users,
    not already anonymised) whose last sign-in (or creation, if they never signed in) is older
    than settings.PERSONAL_DATA_RETENTION_DAYS."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)
    return (
        User.objects.filter(role__in=list(CLUSTER_ROLES))
        .exclude(username__startswith=ANONYMOUS_PREFIX)
        .exclude(username__startswith=INTEGRATION_PREFIX)
        .annotate(last_seen=Coalesce("last_login", "date_joined"))
        .filter(last_seen__lt=cutoff)
        .order_by("pk")
    )


@transaction.atomic
def user_anonymise(*, user) -> None:
    """Replace what identifies the person; keep the row, so case records and events still point
    at "an anonymised user" of the same cluster (the archive law keeps the case, not the name).
    Ends sessions; deletes notifications, preferences, form drafts, TOTP devices and login
    attempts."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_otp.plugins.otp_totp.models import TOTPDevice

    locked = User.objects.select_for_update().get(pk=user.pk)
    old_username = locked.username
    Session.objects.filter(session_key__in=user_session_keys(user=locked)).delete()
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username=old_username).delete()
    TOTPDevice.objects.filter(user=locked).delete()
    for relation in ("notifications", "notification_preferences", "form_drafts"):
        manager = getattr(locked, relation, None)
        if manager is not None:
            manager.all().delete()
    locked.username = f"{ANONYMOUS_PREFIX}{locked.pk}"
    locked.first_name = ""
    locked.last_name = "Anonymiseret bruger"
    locked.email = ""
    locked.saml_subject = None  # their MitID Erhverv UUID
    locked.password = make_password(None)
    locked.is_active = False
    locked.save(update_fields=["username", "first_name", "last_name", "email", "saml_subject",
                               "password", "is_active"])
    security_event("personal_data_anonymised", user_id=locked.pk)


def personal_data_retention_run(*, now=None, dry_run: bool = False) -> list[int]:
    """Anonymise every retention candidate (each in its own transaction); returns their ids.
    Safe to run twice: anonymised users are no longer candidates."""
    ids = list(retention_candidates(now=now).values_list("pk", flat=True))
    if not dry_run:
        for user in User.objects.filter(pk__in=ids):
            user_anonymise(user=user)
    return ids


def _row(obj) -> dict:
    data = {"model": obj._meta.label, "id": obj.pk}
    for field in obj._meta.concrete_fields:
        if field.name in SECRET_FIELD_NAMES or isinstance(field, models.FileField | models.BinaryField):
            continue
        data[field.attname] = field.value_from_object(obj)
    return data


def personal_data_export(*, user) -> dict:
    """Everything held about one person, as a JSON-ready dict: the user row (no password hash),
    and every row of every model that refers to the user (found from the model graph, so models
    added later are included), plus sessions and login attempts by username."""
    import json

    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    result = {"user": _row(user), "related": {}}
    result["user"].pop("password", None)
    for model in apps.get_models():
        fields = [
            f for f in model._meta.concrete_fields
            if isinstance(f, models.ForeignKey) and f.related_model is User
        ]
        if not fields or model is User:
            continue
        condition = Q()
        for f in fields:
            condition |= Q(**{f.name: user})
        rows = [_row(obj) for obj in model._default_manager.filter(condition).order_by("pk")]
        if rows:
            result["related"][model._meta.label] = rows
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        rows = [_row(o) for o in model.objects.filter(username=user.username).order_by("pk")]
        if rows:
            result["related"][model._meta.label] = rows
    result["sessions"] = len(user_session_keys(user=user))
    # Round-trip through JSON so dates and decimals are strings the caller can dump as is.
    return json.loads(json.dumps(result, cls=DjangoJSONEncoder))
