"""The password sign-in's backend: Django's ModelBackend, but the signed-in person is read with
their cluster in the same query.

Every page's header shows the person's cluster (templates/base.html: ``user.cluster.name``), so
reading it with the user saves a query on every page a cluster person opens (issue 19)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UserWithClusterMixin:
    """``get_user`` (the user of a session, on every request) with ``select_related("cluster")``.
    Only here, not on the default manager: ``User.objects.select_for_update()`` must not lock
    the nullable side of an outer join (PostgreSQL refuses it)."""

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("cluster").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class PasswordBackend(UserWithClusterMixin, ModelBackend):
    """Username and password (ModelBackend), the session's user read with their cluster."""
