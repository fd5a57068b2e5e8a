"""The one home of "who may": `rules` predicates for roles and "the object belongs to the
user's own cluster".

App `rules.py` modules combine these into permissions; the workflow tables use them as guards
(klyngeadmin.kernel.workflow); views, the API (klyngeadmin.kernel.api.permissions), templates
(`{% has_perm %}`) and services ask these predicates or the permissions built from them -
never `user.role` directly. The role tuples below are for database queries ("every active
caseworker") and are the same sets the predicates test."""

import rules

from klyngeadmin.kernel.roles import AUTHORITY_ROLES, CLUSTER_ROLES, SYSTEM, Role

# Who handles cases and reviews reports: caseworkers and the head of office (an administrator
# is an authority role but does no case work).
CASEWORKER_ROLES = (Role.CASEWORKER, Role.HEAD_OF_OFFICE)
# Who approves decisions that cost or withdraw money (four eyes).
APPROVER_ROLES = (Role.HEAD_OF_OFFICE,)


def has_role(*names: str):
    """A predicate: the actor has one of the roles `names`. The actor None is the system (an
    automatic step), which has the role SYSTEM. An inactive account has no role (it may do
    nothing); see `in_role` for the actor a service records."""
    allowed = frozenset(names)

    def check(user) -> bool:
        if user is None:
            return SYSTEM in allowed
        return bool(
            getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)
            and getattr(user, "role", None) in allowed
        )

    return rules.predicate(check, name="has_role(" + ",".join(sorted(allowed)) + ")")


is_cluster_user = has_role(*CLUSTER_ROLES)
is_director = has_role(Role.DIRECTOR)
is_authority = has_role(*AUTHORITY_ROLES)
is_caseworker = has_role(*CASEWORKER_ROLES)
is_plain_caseworker = has_role(Role.CASEWORKER)
is_head_of_office = has_role(*APPROVER_ROLES)
is_admin = has_role(Role.ADMIN)
is_applicant = has_role(Role.APPLICANT)
is_system = has_role(SYSTEM)


class _InRole:
    """An actor as the role it acts in, for the role predicates."""

    is_authenticated = True
    is_active = True

    def __init__(self, actor):
        self.role = actor.role
        self.cluster_id = getattr(actor, "cluster_id", None)
        self.pk = getattr(actor, "pk", None)


def in_role(actor):
    """The actor a service records, as the role it acts in. The request was already allowed
    (an active person, or a valid API key); the recorded actor may be a cluster's API
    integration user (klyngeadmin.accounts.api.actors), inactive by design so it can never sign in, yet
    acting as the cluster's staff. None (the system) stays None."""
    return None if actor is None else _InRole(actor)


def cluster_id_of(obj) -> int | None:
    """The cluster an object belongs to, following the usual paths (cluster, grant, report)."""
    if obj is None:
        return None
    if getattr(getattr(obj, "_meta", None), "model_name", None) == "clusterorganisation":
        return obj.pk
    for path in ("cluster_id", "grant", "report", "activity"):
        value = getattr(obj, path, None)
        if value is None:
            continue
        return value if path == "cluster_id" else cluster_id_of(value)
    return None


@rules.predicate
def is_own_cluster(user, obj) -> bool:
    cid = cluster_id_of(obj)
    return bool(is_cluster_user(user) and cid is not None and user.cluster_id == cid)
