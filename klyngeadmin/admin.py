from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from klyngeadmin.accounts.models import User
from klyngeadmin.accounts.security.logging import security_event
from klyngeadmin.accounts.security.personal_data import personal_data_export
from klyngeadmin.accounts.security.services import user_deactivate

admin.site.site_header = _("klyngeadmin – administration")
admin.site.site_title = _("klyngeadmin")
admin.site.index_title = _("Administration af klyngeprogrammet")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "cluster", "is_active")
    list_filter = ("role", "is_active", "cluster")
    search_fields = ("username", "first_name", "last_name", "email", "cluster__name")
    list_select_related = ("cluster",)
    fieldsets = BaseUserAdmin.fieldsets + ((_("Rolle"), {"fields": ("role", "cluster", "language")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Rolle"), {"fields": ("role", "cluster")}),)
    actions = ["deactivate_users", "export_personal_data"]

    @admin.action(description=_("Eksportér persondata (JSON)"))
    def export_personal_data(self, request, queryset):
        import json

        from django.http import HttpResponse


        data = [personal_data_export(user=user) for user in queryset]
        for user in queryset:
            security_event("personal_data_exported", user_id=user.pk, actor_id=request.user.pk)
        response = HttpResponse(
            json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
        )
        response["Content-Disposition"] = 'attachment; filename="persondata.json"'
        return response

    @admin.action(description=_("Deaktivér (afslut sessioner og tilbagekald API-nøgler)"))
    def deactivate_users(self, request, queryset):
        ended = {"sessions_ended": 0, "api_keys_revoked": 0}
        for user in queryset:
            for key, count in user_deactivate(user=user, actor=request.user).items():
                ended[key] += count
        self.message_user(
            request,
            _("%(users)d bruger(e) deaktiveret; %(sessions)d session(er) afsluttet og "
              "%(keys)d API-nøgle(r) tilbagekaldt.")
            % {"users": queryset.count(), "sessions": ended["sessions_ended"],
               "keys": ended["api_keys_revoked"]},
            messages.SUCCESS,
        )

    def save_model(self, request, obj, form, change):
        """Unticking "active" in the form deactivates the same way as the action."""
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            user_deactivate(user=obj, actor=request.user)
