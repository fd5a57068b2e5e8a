from django.contrib.auth.backends import ModelBackend

from klyngeadmin.accounts.backends import UserWithClusterMixin


class MitIDErhvervBackend(UserWithClusterMixin, ModelBackend):
    """Marks sessions signed in through MitID Erhverv (klyngeadmin.saml.views). It checks no
    credentials itself: the ACS view signs the person in after the SAML checks."""

    def authenticate(self, request, **credentials):
        return None
