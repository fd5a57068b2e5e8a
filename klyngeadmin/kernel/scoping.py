"""The one place that scopes a queryset to the person asking.

Authority people (caseworkers, head of office, administrators) see every cluster; cluster
people see their own cluster only; anyone else sees nothing. Selectors call this, so a
director asking for another cluster's object gets an empty queryset and the view a 404."""

from django.db.models import QuerySet

from klyngeadmin.kernel.predicates import is_authority, is_cluster_user


def scope_to_user(qs: QuerySet, user, *, cluster_path: str = "cluster") -> QuerySet:
    if user is None or not user.is_authenticated or not user.is_active:
        return qs.none()
    if is_authority(user):
        return qs
    if is_cluster_user(user) and user.cluster_id:
        return qs.filter(**{f"{cluster_path}_id": user.cluster_id})
    return qs.none()
