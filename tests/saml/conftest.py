"""A local SAML identity provider for the tests (no network): the tests make its key and
certificate, write its metadata where the service provider reads NemLog-in's, and have it
sign (and encrypt) the assertions each test needs - good ones and bad ones."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from saml2.metadata import entity_descriptor

from klyngeadmin.saml.config import acs_url, sp_entity_id
from klyngeadmin.saml.dev_idp import SamlIdP, _sp_config_without_metadata, make_keypair

IDP_ENTITY = "https://saml.test-nemlog-in.example/"
IDP_SSO = "https://saml.test-nemlog-in.example/sso"


def _write(directory: Path, stem: str, common_name: str) -> tuple[str, str]:
    key_pem, cert_pem = make_keypair(common_name)
    (directory / f"{stem}.key").write_bytes(key_pem)
    (directory / f"{stem}.crt").write_bytes(cert_pem)
    return str(directory / f"{stem}.key"), str(directory / f"{stem}.crt")


@pytest.fixture(scope="session")
def saml_keys(tmp_path_factory):
    directory = tmp_path_factory.mktemp("saml-keys")
    return {
        "sp": _write(directory, "sp", "klyngeadmin test SP"),
        "idp": _write(directory, "idp", "test NemLog-in IdP"),
        "forger": _write(directory, "forger", "someone else's key"),
        "dir": directory,
    }


class TestIdP:
    """The trusted IdP, plus a forger with the same entity ID but another key."""

    def __init__(self, keys, sp_metadata_xml):
        self.keys = keys
        self.idp = SamlIdP(entity_id=IDP_ENTITY, sso_url=IDP_SSO, key_file=keys["idp"][0],
                           cert_file=keys["idp"][1], sp_metadata_xml=sp_metadata_xml)
        self.forger = SamlIdP(entity_id=IDP_ENTITY, sso_url=IDP_SSO, key_file=keys["forger"][0],
                              cert_file=keys["forger"][1], sp_metadata_xml=sp_metadata_xml)

    def start_login(self, client, next_path="/oversigt/"):
        """Our /saml2/login/ -> the IdP: returns the verified AuthnRequest and RelayState."""
        response = client.get("/saml2/login/", {"next": next_path})
        assert response.status_code == 302, response.content[:500]
        location = response["Location"]
        assert location.startswith(IDP_SSO + "?"), location
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        return self.idp.parse_request(query), query.get("RelayState", ""), query

    def respond(self, authn_request, identity, *, signer=None, audience=None, encrypt=True,
                subject=None, in_response_to=None):
        signer = signer or self.idp
        return signer.response(
            in_response_to=in_response_to or authn_request.id,
            subject=subject or identity["https://data.gov.dk/model/core/eid/professional/uuid/persistent"][0],
            identity=identity,
            destination=acs_url(),
            audience=audience or sp_entity_id(),
            encrypt_to=self.keys["sp"][1] if encrypt else None,
        )


@pytest.fixture
def saml_idp(settings, saml_keys, tmp_path):
    """SAML switched on against the local test IdP; returns the TestIdP."""
    settings.SITE_URL = "http://testserver"
    settings.SAML_SP_KEY_FILE, settings.SAML_SP_CERT_FILE = saml_keys["sp"]
    settings.SAML_DEV_IDP = False
    sp_metadata = str(entity_descriptor(_sp_config_without_metadata()))
    idp = TestIdP(saml_keys, sp_metadata)
    metadata_file = tmp_path / "idp-metadata.xml"
    metadata_file.write_text(idp.idp.metadata_xml())
    settings.SAML_IDP_METADATA = str(metadata_file)
    return idp
