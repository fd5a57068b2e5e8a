"""The person recorded as actor when an API key changes something.

A caseworker key acts as its user. A cluster key acts as the director (or staff member) who
issued it while that person is still an active member of the cluster; a key issued on the
command line (or whose issuer left) acts as the cluster's integration user `api-<slug>`: an
inactive account with no password, so it can never sign in, that the audit trail names."""

from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext as _

from klyngeadmin.accounts.api.authentication import ClusterKeyPrincipal
from klyngeadmin.accounts.models import User
from klyngeadmin.kernel.roles import CLUSTER_ROLES, Role


def integration_user(cluster) -> User:
    user, _created = User.objects.get_or_create(
        username=f"api-{cluster.slug}"[:150],
        defaults={
            "role": Role.CLUSTER_STAFF,
            "cluster": cluster,
            "first_name": _("API-integration"),
            "last_name": cluster.name[:150],
            "is_active": False,
            "password": make_password(None),
        },
    )
    return user


def api_actor(principal) -> User:
    if not isinstance(principal, ClusterKeyPrincipal):
        return principal
    issuer = principal.api_key.created_by
    if (
        issuer is not None and issuer.is_active and issuer.role in CLUSTER_ROLES
        and issuer.cluster_id == principal.cluster_id
    ):
        return issuer
    return integration_user(principal.cluster)
