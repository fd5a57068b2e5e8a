from django.utils.functional import SimpleLazyObject

from grants.notifications.services import unread_count


def notifications(request):
    """`unread_notifications` for the header: counted only when a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
