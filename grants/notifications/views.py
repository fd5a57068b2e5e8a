"""Notification pages: the person's own list (with unread count) and their mail preferences."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grants.notifications.forms import NotificationPreferencesForm
from grants.notifications.services import (
    PreferenceNotAllowed,
    notification_mark_read,
    notifications_for,
    preferences_for,
    preferences_set,
)
from klyngeadmin.kernel.permissions import require_perm

PAGE_SIZE = 50


@login_required
def notification_list(request):
    qs = notifications_for(request.user).select_related("deadline")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("side"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk: int):
    notification = get_object_or_404(notifications_for(request.user), pk=pk)
    require_perm(request.user, "grants.change_notification", notification)
    notification_mark_read(user=request.user, notification=notification)
    messages.success(request, _("Notifikationen er markeret som læst."))
    return redirect("notification_list")


@login_required
@require_POST
def notification_read_all(request):
    count = notification_mark_read(user=request.user)
    messages.success(request, _("%(count)s notifikationer er markeret som læst.") % {"count": count})
    return redirect("notification_list")


@login_required
def notification_preferences(request):
    current = preferences_for(request.user)
    form = NotificationPreferencesForm(
        request.POST or None, user=request.user, initial_choices=current
    )
    if request.method == "POST" and form.is_valid():
        try:
            preferences_set(user=request.user, choices=form.cleaned_data)
        except PreferenceNotAllowed as exc:
            form.add_error(exc.category, _("Fristpåmindelser kan ikke slås fra for klyngedirektøren."))
        else:
            messages.success(request, _("Dine notifikationsindstillinger er gemt."))
            return redirect("notification_preferences")
    status = 400 if request.method == "POST" else 200
    return render(request, "notifications/preferences.html", {"form": form}, status=status)
