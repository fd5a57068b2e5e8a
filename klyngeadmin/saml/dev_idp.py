"""A SAML identity provider for development and the tests: it plays NemLog-in's part.

`make run` switches it on (SAML_DEV_IDP=True, DEBUG only: a deploy check refuses it in
production), so "Log ind med MitID Erhverv" works locally: /saml2/dev-idp/sso/ shows the
demo persons, and the chosen one is posted back to our ACS as a signed, encrypted assertion
with OIOSAML 3 attributes. The tests use `SamlIdP` directly to make good and bad assertions.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import os
import uuid
from pathlib import Path

import saml2
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from saml2 import saml
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT
from saml2.server import Server

from klyngeadmin.accounts.models import User
from klyngeadmin.kernel.roles import Role
from klyngeadmin.saml import attributes as attr
from klyngeadmin.saml.config import acs_url, site_url, sp_config_dict, sp_entity_id, xmlsec_binary


def make_keypair(common_name: str, *, days: int = 3650) -> tuple[bytes, bytes]:
    """A fresh RSA key and a self-signed certificate for it, both PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


def write_keypair(directory: Path, stem: str, common_name: str) -> tuple[str, str]:
    """Write (once) a key and certificate under `directory`; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = directory / f"{stem}.key", directory / f"{stem}.crt"
    if not (key_path.exists() and cert_path.exists()):
        key_pem, cert_pem = make_keypair(common_name)
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(key_pem)
        cert_path.write_bytes(cert_pem)
    return str(key_path), str(cert_path)


def cert_body(cert_file: str) -> str:
    """A PEM certificate without its BEGIN/END lines, as pysaml2 wants it for encryption."""
    lines = Path(cert_file).read_text().strip().splitlines()
    return "".join(line for line in lines if "-----" not in line)


def dev_keys_dir() -> Path:
    return Path(settings.SAML_DEV_KEYS_DIR)


def dev_sp_keypair() -> tuple[str, str]:
    return write_keypair(dev_keys_dir(), "dev-sp", "klyngeadmin dev SP")


class SamlIdP:
    """An identity provider (pysaml2's Server) that trusts one service provider."""

    def __init__(self, *, entity_id: str, sso_url: str, key_file: str, cert_file: str,
                 sp_metadata_xml: str | None = None, lifetime_minutes: int = 5):
        self.entity_id = entity_id
        self.sso_url = sso_url
        self.key_file, self.cert_file = key_file, cert_file
        config = IdPConfig()
        config.load({
            "entityid": entity_id,
            "xmlsec_binary": xmlsec_binary(),
            "service": {
                "idp": {
                    "name": "Lokal test-IdP (MitID Erhverv)",
                    "endpoints": {
                        "single_sign_on_service": [
                            (sso_url, saml2.BINDING_HTTP_REDIRECT),
                            (sso_url, saml2.BINDING_HTTP_POST),
                        ],
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "want_authn_requests_signed": True,
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": lifetime_minutes},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_URI,
                        },
                    },
                },
            },
            "key_file": key_file,
            "cert_file": cert_file,
            "metadata": {"inline": [sp_metadata_xml]} if sp_metadata_xml else {},
        })
        self.server = Server(config=config)

    def metadata_xml(self) -> str:
        return str(entity_descriptor(self.server.config))

    def parse_request(self, query: dict):
        """Parse and verify a signed AuthnRequest sent with the HTTP-Redirect binding."""
        return self.server.parse_authn_request(
            query["SAMLRequest"],
            saml2.BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        ).message

    def response(self, *, in_response_to: str | None, subject: str, identity: dict,
                 destination: str, audience: str, encrypt_to: str | None = None,
                 loa: str = "Substantial") -> str:
        """A SAMLResponse (base64, for the HTTP-POST binding) with a signed assertion,
        encrypted to the certificate file `encrypt_to` when given."""
        name_id = saml.NameID(format=NAMEID_FORMAT_PERSISTENT, text=subject)
        response = self.server.create_authn_response(
            identity=identity,
            in_response_to=in_response_to,
            destination=destination,
            sp_entity_id=audience,
            name_id=name_id,
            authn={
                "class_ref": attr.LOA_CONTEXT_PREFIX + loa,
                "authn_auth": self.entity_id,
            },
            sign_assertion=True,
            sign_response=False,
            encrypt_assertion=bool(encrypt_to),
            encrypt_cert_assertion=cert_body(encrypt_to) if encrypt_to else None,
            sign_alg=saml2.xmldsig.SIG_RSA_SHA256,
            digest_alg=saml2.xmldsig.DIGEST_SHA256,
        )
        return base64.b64encode(str(response).encode()).decode()


def oiosaml_identity(*, cvr: str, subject: str, email: str, first_name: str, last_name: str,
                     org_name: str = "", loa: str = "Substantial") -> dict:
    """The attribute statement NemLog-in sends for a MitID Erhverv user."""
    return {
        attr.SPEC_VERSION: ["OIO-SAML-3.0"],
        attr.LOA: [loa],
        attr.CVR: [cvr],
        attr.PROFESSIONAL_UUID: [subject],
        attr.ORG_NAME: [org_name],
        attr.EMAIL: [email],
        attr.FIRST_NAME: [first_name],
        attr.LAST_NAME: [last_name],
        attr.FULL_NAME: [f"{first_name} {last_name}".strip()],
    }


@functools.cache
def _dev_idp(sp_entity: str, sso_url: str, keys_dir: str) -> SamlIdP:
    key_file, cert_file = write_keypair(Path(keys_dir), "dev-idp", "klyngeadmin dev IdP")
    sp_metadata = str(entity_descriptor(_sp_config_without_metadata()))
    return SamlIdP(entity_id=site_url("/saml2/dev-idp/"), sso_url=sso_url,
                   key_file=key_file, cert_file=cert_file, sp_metadata_xml=sp_metadata)


def _sp_config_without_metadata():
    from saml2.config import SPConfig

    conf = SPConfig()
    conf.load(sp_config_dict(with_metadata=False))
    return conf


def dev_idp() -> SamlIdP:
    """The development IdP for the current settings (built once per SP entity and URL)."""
    return _dev_idp(sp_entity_id(), site_url("/saml2/dev-idp/sso/"), str(dev_keys_dir()))


def dev_persona(*, cluster, persona: str) -> dict:
    """The OIOSAML 3 attributes of a demo person of `cluster`: "director" is the cluster's
    (first) director account, linked by e-mail on first sign-in; "new" is an employee with no
    account yet. Each persona has a fixed UUID, so signing in again finds the same user."""

    director = (User.objects.filter(cluster=cluster, role=Role.DIRECTOR).order_by("pk").first()
                if persona == "director" else None)
    if director is not None:
        email, first, last = director.email, director.first_name, director.last_name
    else:
        tag = hashlib.sha256(cluster.cvr.encode()).hexdigest()[:6]
        email, first, last = f"medarbejder-{tag}@{cluster.slug}.example", "Ny", "Medarbejder"
    subject = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL,
                                           f"klyngeadmin-dev:{cluster.cvr}:{persona}"))
    return oiosaml_identity(cvr=cluster.cvr, subject=subject, email=email, first_name=first,
                            last_name=last, org_name=cluster.name)


def dev_idp_respond(*, in_response_to: str, identity: dict) -> str:
    """A signed assertion for `identity`, encrypted to our certificate, for our ACS."""
    sp_cert = settings.SAML_SP_CERT_FILE or dev_sp_keypair()[1]
    return dev_idp().response(
        in_response_to=in_response_to, subject=identity[attr.PROFESSIONAL_UUID][0],
        identity=identity, destination=acs_url(), audience=sp_entity_id(),
        encrypt_to=str(sp_cert),
    )
