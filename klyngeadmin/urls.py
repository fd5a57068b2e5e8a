from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from grants.notifications import views as notification_views
from klyngeadmin import public_views, views
from klyngeadmin.accounts.drafts import views as draft_views
from klyngeadmin.accounts.security import health
from klyngeadmin.accounts.security import views as security_views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("saml2/", include("klyngeadmin.saml.urls")),
    path("2fa/setup/", security_views.otp_setup, name="otp_setup"),
    path("2fa/verify/", security_views.otp_verify, name="otp_verify"),
    path("healthz", health.healthz, name="healthz"),
    path("kladder/", draft_views.draft_autosave, name="draft_autosave"),
    path("kladder/kasser/", draft_views.draft_discard, name="draft_discard"),
    path("session/forlaeng/", draft_views.session_keepalive, name="session_keepalive"),
    path("tilgaengelighedserklaering/", public_views.accessibility_statement,
         name="accessibility_statement"),
    path("privatliv/", public_views.privacy_notice, name="privacy_notice"),
    path("kontakt/", public_views.contact_help, name="contact_help"),
    # Browsers ask for /favicon.ico where a page names no icon (PDFs, JSON): no 404 there either.
    path("favicon.ico", public_views.favicon, name="favicon"),
    path("i18n/setlang/", views.language_set, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("klyngeadmin.api_urls")),
    path("statistik/", include("grants.statistics.urls")),
    path("resultater/", include("grants.outcomes.urls")),
    path("virksomheder/", include("clusters.companies.urls")),
    path("api-noegler/", include("klyngeadmin.accounts.urls")),
    path("", include("grants.reports.urls")),
    path("notifikationer/", notification_views.notification_list, name="notification_list"),
    path("notifikationer/laest/", notification_views.notification_read_all, name="notification_read_all"),
    path("notifikationer/<int:pk>/laest/", notification_views.notification_read, name="notification_read"),
    path("notifikationer/indstillinger/", notification_views.notification_preferences,
         name="notification_preferences"),
    path("", include("clusters.urls")),
    path("midtvejsevaluering/", include("evaluations.midway.urls")),
    path("opslag/", include("evaluations.calls.urls")),
    path("", include("grants.cases.urls")),
]

if settings.DEBUG:  # the benchmarks' bare-view limit (bench/common.py)
    urlpatterns += [path("bench/bare/", views.bare)]

# The API answers problem+json on a server error, and 503 while the database is down.
handler500 = "klyngeadmin.kernel.api.errors.server_error"
