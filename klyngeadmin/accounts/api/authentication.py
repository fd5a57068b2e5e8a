"""`Authorization: Bearer <key>` authentication.

A caseworker key authenticates as its user. A cluster key authenticates as a `ClusterKeyPrincipal`:
not a person, but it answers the same questions a User does (role, cluster, has_perm), so the
shared `scope_to_user` selectors and `rules` permissions treat it as a cluster staff member of the
key's cluster. `request.auth` is the ApiKey row in both cases."""

from datetime import timedelta

import rules
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from klyngeadmin.accounts.keys import api_key_lookup
from klyngeadmin.accounts.models import ApiKey
from klyngeadmin.accounts.security.logging import client_ip, security_event
from klyngeadmin.kernel.roles import AUTHORITY_ROLES, Role

LAST_USED_RESOLUTION = timedelta(minutes=1)


class ClusterKeyPrincipal:
    """The identity behind a cluster's API key (its CRM)."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    role = Role.CLUSTER_STAFF
    pk = id = None

    def __init__(self, api_key: ApiKey):
        self.api_key = api_key
        self.cluster = api_key.cluster
        self.cluster_id = api_key.cluster_id
        self.username = f"api:{api_key.prefix}"

    is_cluster_user = True
    is_authority = False

    def has_perm(self, perm: str, obj=None) -> bool:
        return rules.has_perm(perm, self, obj)

    def get_full_name(self) -> str:
        return str(self.api_key)

    def __str__(self):
        return self.username


class ApiKeyAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Ugyldig Authorization-header."))
        try:
            plain = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Ugyldig API-nøgle.")) from exc
        key = api_key_lookup(plain)
        if key is None:
            security_event("api_key_rejected", reason="unknown", ip=client_ip(request))
            raise exceptions.AuthenticationFailed(_("Ugyldig API-nøgle."))
        now = timezone.now()
        if key.revoked_at is not None:
            self._rejected(request, key, "revoked")
            raise exceptions.AuthenticationFailed(_("API-nøglen er tilbagekaldt."))
        if key.expires_at is not None and key.expires_at <= now:
            self._rejected(request, key, "expired")
            raise exceptions.AuthenticationFailed(_("API-nøglen er udløbet."))
        if key.user_id is not None:
            principal = key.user
            if not principal.is_active or principal.role not in AUTHORITY_ROLES:
                self._rejected(request, key, "user_inactive")
                raise exceptions.AuthenticationFailed(_("API-nøglens bruger har ikke adgang."))
        else:
            principal = ClusterKeyPrincipal(key)
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
        security_event(
            "api_key_used", api_key_id=key.pk, key_prefix=key.prefix, user_id=key.user_id,
            cluster_id=key.cluster_id, method=request.method, path=request.path,
            ip=client_ip(request),
        )
        return principal, key

    @staticmethod
    def _rejected(request, key, reason):
        security_event(
            "api_key_rejected", reason=reason, api_key_id=key.pk, key_prefix=key.prefix,
            ip=client_ip(request),
        )

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
