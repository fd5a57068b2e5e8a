"""Second factor (TOTP): set up a device once, then verify a token after each password login."""

from __future__ import annotations

import base64
import io

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from klyngeadmin.accounts.security.forms import TokenForm
from klyngeadmin.accounts.security.logging import client_ip, security_event


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _qr_data_uri(uri: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _verified(request, device):
    otp_login(request, device)
    request.session.cycle_key()  # a new session key when the session gains privilege
    security_event("otp_verified", user_id=request.user.pk, ip=client_ip(request))


@never_cache
@login_required
def otp_setup(request):
    """Shows a QR code (and the otpauth URI as text) for a new TOTP device; a valid code
    confirms it. A user with a confirmed device is sent to the verify page instead."""
    if user_has_device(request.user):
        return redirect(f"{_reverse('otp_verify')}?next={_next_url(request)}")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="default", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not device.verify_is_allowed()[0]:
            form.add_error("token", _("For mange forkerte koder. Vent lidt, og prøv igen."))
        elif device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            security_event("otp_device_confirmed", user_id=request.user.pk, ip=client_ip(request))
            _verified(request, device)
            return redirect(_next_url(request))
        else:
            form.add_error("token", _("Koden er forkert eller udløbet. Prøv den næste kode."))
        security_event("otp_failed", user_id=request.user.pk, ip=client_ip(request))
    return render(
        request,
        "security/otp_setup.html",
        {
            "form": form,
            "otpauth_uri": device.config_url,
            "secret": base64.b32encode(device.bin_key).decode().rstrip("="),
            "qr_data_uri": _qr_data_uri(device.config_url),
            "next": _next_url(request),
        },
    )


@never_cache
@login_required
def otp_verify(request):
    if not user_has_device(request.user):
        return redirect(f"{_reverse('otp_setup')}?next={_next_url(request)}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in TOTPDevice.objects.filter(user=request.user, confirmed=True):
            allowed, _info = device.verify_is_allowed()
            if not allowed:
                form.add_error(
                    "token", _("For mange forkerte koder. Vent lidt, og prøv igen.")
                )
                break
            if device.verify_token(form.cleaned_data["token"]):
                _verified(request, device)
                return redirect(_next_url(request))
        else:
            form.add_error("token", _("Koden er forkert eller udløbet. Prøv den næste kode."))
        security_event("otp_failed", user_id=request.user.pk, ip=client_ip(request))
    return render(request, "security/otp_verify.html", {"form": form, "next": _next_url(request)})


def _reverse(name):
    from django.urls import reverse

    return reverse(name)
