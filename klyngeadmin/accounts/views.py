"""Browser pages where a director issues, lists and revokes their cluster's API keys."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from klyngeadmin.accounts.forms import ApiKeyForm
from klyngeadmin.accounts.keys import api_key_create, api_key_revoke
from klyngeadmin.accounts.models import ApiKey
from klyngeadmin.kernel.permissions import has_app_perm, require_perm
from klyngeadmin.kernel.scoping import scope_to_user

NEW_KEY_SESSION_KEY = "api_key_new"


def _require_director(user):
    require_perm(user, "klyngeadmin.add_apikey",
                 message=_("Kun klyngedirektøren kan administrere API-nøgler."))


def _cluster_keys(user):
    return scope_to_user(ApiKey.objects.filter(cluster__isnull=False), user).select_related(
        "created_by", "revoked_by"
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_key_list(request):
    _require_director(request.user)
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        issued = api_key_create(
            name=form.cleaned_data["name"], cluster=request.user.cluster,
            created_by=request.user, expires_at=form.expires_at(),
        )
        # Post/redirect/get: a reload of the page that shows the key must not issue another.
        # The plain key waits in the (server-side) session until the next page shows it once.
        request.session[NEW_KEY_SESSION_KEY] = {"pk": issued.api_key.pk, "plain": issued.plain}
        return redirect("api_keys:created")
    return render(request, "api/key_list.html", {
        "form": form, "keys": _cluster_keys(request.user),
    })


@never_cache
@login_required
@require_http_methods(["GET"])
def api_key_created(request):
    """Shows a newly issued key once: it is taken out of the session as it is shown, so a
    reload (or the back button) shows it no more and issues nothing."""
    _require_director(request.user)
    new = request.session.pop(NEW_KEY_SESSION_KEY, None)
    key = _cluster_keys(request.user).filter(pk=new["pk"]).first() if new else None
    if key is None:
        messages.info(request, _("Nøglen er allerede vist og kan ikke vises igen. Opret en ny "
                                 "nøgle, hvis du ikke nåede at kopiere den."))
        return redirect("api_keys:list")
    return render(request, "api/key_created.html", {"key": key, "plain": new["plain"]})


@login_required
@require_http_methods(["GET", "POST"])
def api_key_revoke_view(request, pk: int):
    _require_director(request.user)
    key = _cluster_keys(request.user).filter(pk=pk).first()
    if key is None or not has_app_perm(request.user, "klyngeadmin.delete_apikey", key):
        raise Http404(_("Nøglen findes ikke."))
    if request.method == "POST":
        api_key_revoke(api_key=key, actor=request.user)
        messages.success(request, _("Nøglen %(prefix)s er tilbagekaldt og virker ikke længere.")
                         % {"prefix": key.prefix})
        return redirect("api_keys:list")
    return render(request, "api/key_revoke.html", {"key": key})
