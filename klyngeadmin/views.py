import rules
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from klyngeadmin.accounts.security.forms import SignInForm
from klyngeadmin.saml.config import saml_enabled


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


class SignInView(auth_views.LoginView):
    """Username and password (authority staff, local accounts), and the way to MitID Erhverv
    for cluster people when SAML is configured (klyngeadmin/saml)."""

    redirect_authenticated_user = True

    def get_form_class(self):

        return SignInForm

    def get_context_data(self, **kwargs):

        return super().get_context_data(saml_enabled=saml_enabled(), **kwargs)


@require_POST
def language_set(request):
    """Django's set_language (the language cookie), and for a signed-in person also their
    stored language, which the mails they get are written in (grants/notifications.py)."""
    from django.conf import settings
    from django.views.i18n import set_language

    response = set_language(request)
    language = request.POST.get("language")
    user = request.user
    if (user.is_authenticated and language in dict(settings.LANGUAGES)
            and user.language != language):
        user.language = language
        user.save(update_fields=["language"])
    return response
