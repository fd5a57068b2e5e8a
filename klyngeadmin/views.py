import rules
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render


@login_required
def home(request):
    """The landing page after sign-in: cluster people go to their cluster's dashboard; later
    issues route the other roles to their own start pages."""
    if request.user.is_cluster_user:
        return redirect("grants:dashboard")
    if rules.has_perm("grants.view_case", request.user):
        return redirect("cases:queue")
    return render(request, "home.html")


def bare(request):
    """The benchmarks' limit: the cheapest page Django can serve (DEBUG only)."""
    from django.http import HttpResponse

    return HttpResponse("ok")
