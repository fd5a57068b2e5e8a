"""The grant page (/bevillinger/<reference>/): the grant's budget and accounts year by year and
its cumulative public aid intensity, with the warning above the ceiling. Thin: scoped read (another
cluster's grant answers 404), the `grants.view_grant` rule, render."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from grants.budgets import selectors
from grants.core.models import Grant
from klyngeadmin.kernel.permissions import has_app_perm
from klyngeadmin.kernel.scoping import scope_to_user


@login_required
@require_GET
def grant_detail(request, reference: str):
    grant = (scope_to_user(Grant.objects.select_related("cluster"), request.user, cluster_path="cluster")
             .filter(reference=reference).first())
    if grant is None or not has_app_perm(request.user, "grants.view_grant", grant):
        raise Http404(_("Bevillingen findes ikke."))
    return render(request, "grants/grant_detail.html", {
        "grant": grant,
        "years": selectors.grant_years(grant=grant),
        "aid": selectors.grant_aid_position(grant=grant),
    })
