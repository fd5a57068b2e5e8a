"""Browser pages where a director issues, lists and revokes their cluster's API keys."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from klyngeadmin.models import ApiKey
from klyngeadmin.permissions import has_app_perm, require_perm
from klyngeadmin.scoping import scope_to_user

from .forms import ApiKeyForm
from .keys import api_key_create, api_key_revoke


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
        # The key is shown on this response only; it is never stored in plain text.
        return render(request, "api/key_created.html", {"issued": issued})
    return render(request, "api/key_list.html", {
        "form": form, "keys": _cluster_keys(request.user),
    })


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
