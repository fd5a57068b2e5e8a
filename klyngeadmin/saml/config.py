"""The service provider's pysaml2 configuration, built from the settings at request time.

djangosaml2 calls `config_loader` (settings.SAML_CONFIG_LOADER) for every SAML request, so
tests and the development identity provider can change the settings without a restart.

Production (docs/operations.md, "Log ind med MitID Erhverv"):
  SAML_IDP_METADATA   path of NemLog-in's IdP metadata file (downloaded and checked by operations)
  SAML_SP_KEY_FILE    our signing/decryption key (PEM); SAML_SP_CERT_FILE its certificate
  SAML_SP_ENTITY_ID   our entity ID (default: SITE_URL + /saml2/metadata/)
  SAML_MIN_LOA        lowest NSIS level of assurance accepted (default Substantial)
"""

from __future__ import annotations

import shutil

import saml2
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from saml2.config import SPConfig
from saml2.saml import NAMEID_FORMAT_PERSISTENT

from klyngeadmin.saml.attributes import LOA_CONTEXT_PREFIX, LOA_LEVELS


def xmlsec_binary() -> str:
    path = shutil.which("xmlsec1")
    if not path:
        raise ImproperlyConfigured(
            "SAML-login kræver programmet xmlsec1 (Debian-pakken xmlsec1)."
        )
    return path


def saml_enabled() -> bool:
    """True when a real IdP's metadata is configured, or the development IdP is switched on."""
    return bool(settings.SAML_IDP_METADATA or settings.SAML_DEV_IDP)


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def sp_entity_id() -> str:
    return settings.SAML_SP_ENTITY_ID or site_url(reverse("saml2_metadata"))


def acs_url() -> str:
    return site_url(reverse("saml2_acs"))


def sp_keypair() -> tuple[str, str]:
    """(key file, certificate file) of the service provider."""
    if settings.SAML_SP_KEY_FILE and settings.SAML_SP_CERT_FILE:
        return str(settings.SAML_SP_KEY_FILE), str(settings.SAML_SP_CERT_FILE)
    if settings.SAML_DEV_IDP:
        from klyngeadmin.saml.dev_idp import dev_sp_keypair

        return dev_sp_keypair()
    raise ImproperlyConfigured("SAML_SP_KEY_FILE og SAML_SP_CERT_FILE skal være sat.")


def idp_metadata() -> dict:
    if settings.SAML_IDP_METADATA:
        return {"local": [str(settings.SAML_IDP_METADATA)]}
    if settings.SAML_DEV_IDP:
        from klyngeadmin.saml.dev_idp import dev_idp

        return {"inline": [dev_idp().metadata_xml()]}
    raise ImproperlyConfigured("SAML_IDP_METADATA er ikke sat.")


def requested_loa_contexts() -> list[str]:
    """The NSIS levels at or above SAML_MIN_LOA, as AuthnContextClassRefs (minimum comparison)."""
    levels = LOA_LEVELS[LOA_LEVELS.index(settings.SAML_MIN_LOA):]
    return [LOA_CONTEXT_PREFIX + level for level in levels]


def sp_config_dict(*, with_metadata: bool = True) -> dict:
    key_file, cert_file = sp_keypair()
    config = {
        "entityid": sp_entity_id(),
        "xmlsec_binary": xmlsec_binary(),
        "allow_unknown_attributes": True,
        # Clock skew tolerated between NemLog-in and us, in seconds.
        "accepted_time_diff": settings.SAML_ACCEPTED_TIME_DIFF,
        "service": {
            "sp": {
                "name": "klyngeadmin",
                "name_id_format": NAMEID_FORMAT_PERSISTENT,
                "endpoints": {
                    "assertion_consumer_service": [(acs_url(), saml2.BINDING_HTTP_POST)],
                },
                # OIOSAML 3: requests are signed, assertions must be signed; only answers to
                # our own requests are accepted (no IdP-initiated sign-in).
                "authn_requests_signed": True,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "allow_unsolicited": False,
                "signing_algorithm": saml2.xmldsig.SIG_RSA_SHA256,
                "digest_algorithm": saml2.xmldsig.DIGEST_SHA256,
                "requested_attributes": [],
            },
        },
        "key_file": key_file,
        "cert_file": cert_file,
        "encryption_keypairs": [{"key_file": key_file, "cert_file": cert_file}],
    }
    if with_metadata:
        config["metadata"] = idp_metadata()
    return config


def config_loader(request=None) -> SPConfig:
    conf = SPConfig()
    conf.load(sp_config_dict())
    return conf
