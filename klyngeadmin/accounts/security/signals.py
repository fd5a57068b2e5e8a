"""Security-log receivers: logins, failures, logouts, lockouts, role and permission changes."""

from __future__ import annotations

import time

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from klyngeadmin.accounts.security.logging import client_ip, security_event
from klyngeadmin.accounts.security.middleware import LOGIN_AT_SESSION_KEY, SEEN_AT_SESSION_KEY

User = get_user_model()
WATCHED_FIELDS = ("role", "cluster_id", "is_active", "is_staff", "is_superuser")


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT_SESSION_KEY] = int(time.time())
        request.session[SEEN_AT_SESSION_KEY] = int(time.time())
    security_event("login", user_id=user.pk, username=user.get_username(), ip=client_ip(request))


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    saml_session = getattr(request, "saml_session", None)
    if saml_session is not None:
        saml_session.flush()  # the SAML sign-in's state ends with the session
    security_event("logout", user_id=getattr(user, "pk", None), ip=client_ip(request))


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    security_event("login_failed", username=credentials.get("username"), ip=client_ip(request))


@receiver(user_locked_out)
def on_locked_out(sender, request, username, ip_address, **kwargs):
    security_event("login_locked_out", username=username, ip=ip_address)


@receiver(pre_save, sender=User)
def remember_old_permissions(sender, instance, update_fields=None, **kwargs):
    watched = {"role", "cluster", "cluster_id", "is_active", "is_staff", "is_superuser"}
    if update_fields is not None and not watched & set(update_fields):
        return  # e.g. last_login on every sign-in: nothing to compare
    if instance.pk:
        old = User.objects.filter(pk=instance.pk).values(*WATCHED_FIELDS).first()
        instance._security_old = old


@receiver(post_save, sender=User)
def log_permission_changes(sender, instance, created, **kwargs):
    old = getattr(instance, "_security_old", None)
    if created:
        security_event(
            "user_created", user_id=instance.pk, role=instance.role,
            cluster_id=instance.cluster_id, is_superuser=instance.is_superuser,
        )
    elif old:
        changes = {
            f: [old[f], getattr(instance, f)] for f in WATCHED_FIELDS if old[f] != getattr(instance, f)
        }
        if changes:
            security_event("permission_changed", user_id=instance.pk, changes=changes)
    instance._security_old = None


@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
def log_group_changes(sender, instance, action, pk_set, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        security_event(
            "permission_changed", user_id=getattr(instance, "pk", None),
            changes={sender._meta.model_name: [action, sorted(pk_set or [])]},
        )
