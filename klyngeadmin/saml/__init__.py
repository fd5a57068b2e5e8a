"""Sign-in with MitID Erhverv through NemLog-in (SAML 2.0, OIOSAML 3), via djangosaml2/pysaml2.

config.py builds the service provider's pysaml2 configuration from the settings (environment);
services.py turns a verified assertion into a user of the cluster whose CVR it carries;
views.py wraps djangosaml2's views with Danish answers and security logging; dev_idp.py is an
identity provider for development and the tests (never enabled in production).
"""
