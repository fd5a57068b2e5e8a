from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    """The landing page after sign-in. Later issues route each role to its own start page."""
    return render(request, "home.html")


def bare(request):
    """The benchmarks' limit: the cheapest page Django can serve (DEBUG only)."""
    from django.http import HttpResponse

    return HttpResponse("ok")
