from django.contrib.auth.backends import ModelBackend


class MitIDErhvervBackend(ModelBackend):
    """Marks sessions signed in through MitID Erhverv (klyngeadmin.saml.views). It checks no
    credentials itself: the ACS view signs the person in after the SAML checks."""

    def authenticate(self, request, **credentials):
        return None
