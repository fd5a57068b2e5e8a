"""Public pages every public-sector site has, linked from every page's footer
(templates/_footer.html): the accessibility statement required by the web accessibility act
(webtilgængelighedsloven), the privacy notice (from docs/personal-data.md), contact and help."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse


def accessibility_statement(request):
    return render(request, "public/accessibility.html", {"contact_url": reverse("contact_help")})


def privacy_notice(request):
    return render(request, "public/privacy.html", {
        "retention_days": settings.PERSONAL_DATA_RETENTION_DAYS,
        "contact_url": reverse("contact_help"),
    })


def contact_help(request):
    return render(request, "public/contact.html",
                  {"accessibility_url": reverse("accessibility_statement")})


def favicon(request):
    """Browsers ask for /favicon.ico where a page names no icon (a PDF, JSON): no 404 there."""
    return redirect(static("favicon.ico"), permanent=True)
