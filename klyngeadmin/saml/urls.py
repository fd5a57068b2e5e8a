from django.urls import path

from klyngeadmin.saml import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="saml2_login"),
    path("acs/", views.AssertionConsumerServiceView.as_view(), name="saml2_acs"),
    path("metadata/", views.MetadataView.as_view(), name="saml2_metadata"),
    path("dev-idp/sso/", views.dev_idp_sso, name="saml2_dev_idp_sso"),
]
