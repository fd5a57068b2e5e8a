from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User

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
