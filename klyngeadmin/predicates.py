"""Shared `rules` predicates: roles and "the object belongs to the user's own cluster".

App `rules.py` modules combine these into permissions; views, the API and templates check
those permissions (`user.has_perm("grants.change_annualreport", report)`)."""

import rules

from .constants import AUTHORITY_ROLES, CLUSTER_ROLES, Role


def _role_is(*names):
    def check(user):
        return bool(user and user.is_authenticated and user.is_active and user.role in names)

    return check


is_cluster_user = rules.predicate(_role_is(*CLUSTER_ROLES), name="is_cluster_user")
is_director = rules.predicate(_role_is(Role.DIRECTOR), name="is_director")
is_authority = rules.predicate(_role_is(*AUTHORITY_ROLES), name="is_authority")
is_caseworker = rules.predicate(_role_is(Role.CASEWORKER, Role.HEAD_OF_OFFICE), name="is_caseworker")
is_head_of_office = rules.predicate(_role_is(Role.HEAD_OF_OFFICE), name="is_head_of_office")
is_admin = rules.predicate(_role_is(Role.ADMIN), name="is_admin")
is_applicant = rules.predicate(_role_is(Role.APPLICANT), name="is_applicant")


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
    return bool(
        user and user.is_authenticated and user.role in CLUSTER_ROLES
        and cid is not None and user.cluster_id == cid
    )
