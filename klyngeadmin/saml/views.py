"""djangosaml2's views with our rules: HTTP-Redirect AuthnRequests asking for the NSIS level,
sign-in through klyngeadmin.saml.services, Danish refusals that are security-logged, and the
development IdP's pages."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import auth
from django.http import Http404
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from djangosaml2 import views as saml_views
from saml2.response import StatusError, UnsolicitedResponse
from saml2.saml import AuthnContextClassRef
from saml2.samlp import RequestedAuthnContext
from saml2.sigver import SignatureError
from saml2.validate import ResponseLifetimeExceed, ToEarly

from clusters.models import ClusterOrganisation
from klyngeadmin.accounts.security.logging import client_ip, security_event
from klyngeadmin.saml.config import acs_url, requested_loa_contexts, saml_enabled
from klyngeadmin.saml.dev_idp import dev_idp, dev_idp_respond, dev_persona
from klyngeadmin.saml.services import SamlRefused, assertion_use_once, saml_user_for

BACKEND = "klyngeadmin.saml.backends.MitIDErhvervBackend"


class SamlEnabledMixin:
    def dispatch(self, request, *args, **kwargs):
        if not saml_enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class LoginView(SamlEnabledMixin, saml_views.LoginView):
    def load_sso_kwargs(self, sso_kwargs):
        sso_kwargs["requested_authn_context"] = RequestedAuthnContext(
            authn_context_class_ref=[AuthnContextClassRef(text=c) for c in requested_loa_contexts()],
            comparison="minimum",
        )


def _refusal(exception) -> tuple[str, str]:
    """(log code, Danish message) for why an answer from the IdP was not accepted."""
    if isinstance(exception, SamlRefused):
        return exception.code, str(exception.message)
    if isinstance(exception, SignatureError):
        return "bad_signature", _("Svaret fra MitID Erhverv kunne ikke bekræftes (signaturen "
                                  "er ikke gyldig). Du er ikke logget ind.")
    if isinstance(exception, ResponseLifetimeExceed | ToEarly):
        return "expired", _("Svaret fra MitID Erhverv er udløbet. Start et nyt login.")
    if isinstance(exception, UnsolicitedResponse):
        return "unsolicited", _("Svaret fra MitID Erhverv hører ikke til et login, der er "
                                "startet her, eller er allerede brugt. Start et nyt login.")
    if isinstance(exception, StatusError):
        return "idp_status", _("Login med MitID Erhverv blev afbrudt eller afvist.")
    text = str(exception or "")
    if "audience" in text.lower() or "not for me" in text.lower():
        return "wrong_audience", _("Svaret fra MitID Erhverv er ikke udstedt til denne "
                                   "tjeneste. Du er ikke logget ind.")
    return "invalid_response", _("Svaret fra MitID Erhverv kunne ikke godkendes. Start et "
                                 "nyt login.")


@method_decorator(csrf_exempt, name="dispatch")  # the IdP's POST carries no CSRF token
class AssertionConsumerServiceView(SamlEnabledMixin, saml_views.AssertionConsumerServiceView):
    def authenticate_user(self, request, session_info, attribute_mapping, create_unknown_user,
                          assertion_info):
        assertion_use_once(
            assertion_id=assertion_info.get("assertion_id", ""),
            not_on_or_after=assertion_info.get("not_on_or_after"),
        )
        name_id = session_info.get("name_id")
        user = saml_user_for(ava=session_info.get("ava", {}),
                             name_id=getattr(name_id, "text", "") or "")
        auth.login(request, user, backend=BACKEND)  # a new session key
        saml_views._set_subject_id(request.saml_session, name_id)
        security_event("saml_login", user_id=user.pk, cluster_id=user.cluster_id,
                       ip=client_ip(request))
        return user

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except SamlRefused as refused:
            return self.handle_acs_failure(request, exception=refused)

    def handle_acs_failure(self, request, exception=None, status=403, **kwargs):
        code, message = _refusal(exception)
        security_event("saml_login_refused", level=logging.WARNING, reason=code,
                       ip=client_ip(request))
        return render(request, "registration/saml_refused.html", {"message": message},
                      status=status)


class MetadataView(SamlEnabledMixin, saml_views.MetadataView):
    pass


# -- the development IdP (SAML_DEV_IDP; a deploy check refuses it in production) ----------------

@require_http_methods(["GET", "POST"])
def dev_idp_sso(request):
    """Plays NemLog-in: verifies our signed AuthnRequest, lets the developer choose a demo
    person, and posts a signed assertion for them back to our ACS."""
    if not settings.SAML_DEV_IDP:
        raise Http404
    params = request.POST if request.method == "POST" else request.GET
    query = {k: params.get(k) for k in ("SAMLRequest", "RelayState", "SigAlg", "Signature")}
    try:
        authn_request = dev_idp().parse_request(query)
    except Exception:  # noqa: BLE001 - any unreadable or unsigned request is refused the same way
        return render(request, "registration/saml_refused.html",
                      {"message": _("Login-forespørgslen kunne ikke læses eller er ikke signeret.")},
                      status=400)
    clusters = list(ClusterOrganisation.objects.order_by("name"))
    error = ""
    if request.method == "POST":
        cluster = next((c for c in clusters if str(c.pk) == request.POST.get("cluster")), None)
        persona = request.POST.get("persona")
        if cluster is None or persona not in ("director", "new"):
            error = _("Vælg en klyngeorganisation og en person.")
        else:
            saml_response = dev_idp_respond(in_response_to=authn_request.id,
                                            identity=dev_persona(cluster=cluster, persona=persona))
            return render(request, "registration/saml_dev_idp_post.html", {
                "acs_url": acs_url(), "saml_response": saml_response,
                "relay_state": query["RelayState"] or "",
            })
    return render(request, "registration/saml_dev_idp.html", {
        "clusters": clusters, "query": query, "error": error,
    }, status=400 if error else 200)
