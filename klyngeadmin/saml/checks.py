"""Deploy checks for the SAML sign-in (run by `manage.py check --deploy`)."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register

from klyngeadmin.saml.attributes import LOA_LEVELS


@register(Tags.security, deploy=True)
def saml_deploy_checks(app_configs=None, **kwargs):
    errors = []
    if settings.SAML_DEV_IDP:
        errors.append(Error(
            "SAML_DEV_IDP is on: the development identity provider signs anyone in.",
            hint="Unset SAML_DEV_IDP in production; set SAML_IDP_METADATA to NemLog-in's metadata.",
            id="klyngeadmin.E101",
        ))

    if settings.SAML_MIN_LOA not in LOA_LEVELS:
        errors.append(Error(
            f"SAML_MIN_LOA must be one of {', '.join(LOA_LEVELS)}, not {settings.SAML_MIN_LOA!r}.",
            id="klyngeadmin.E103",
        ))
    if settings.SAML_IDP_METADATA:
        for name in ("SAML_IDP_METADATA", "SAML_SP_KEY_FILE", "SAML_SP_CERT_FILE"):
            value = getattr(settings, name)
            if not value or not Path(value).is_file():
                errors.append(Error(
                    f"{name} must name a readable file when SAML sign-in is on.",
                    id="klyngeadmin.E102",
                ))
    return errors
