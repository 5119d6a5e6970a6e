from django.conf import settings

from .permissions import can
from .selectors import memberships_for_user, notification_unread_count


def portal(request):
    """What the base layout needs: the switcher's organisations, the current one, the bell's count."""
    user = getattr(request, "user", None)
    context = {"LANGUAGES_AVAILABLE": settings.LANGUAGES}
    if user is None or not user.is_authenticated:
        return context
    membership = getattr(request, "membership", None)
    context.update(
        {
            "my_memberships": memberships_for_user(user=user),
            "current_organisation": getattr(request, "organisation", None),
            "current_membership": membership,
            "unread_notifications": notification_unread_count(user=user),
            "perms_org": _PermissionView(membership),
        }
    )
    return context


class _PermissionView:
    """Lets templates ask ``{% if perms_org.members_invite %}`` (dots replaced by underscores)."""

    def __init__(self, membership):
        self.membership = membership

    def __getattr__(self, name):
        return can(self.membership, name.replace("_", ".", 1))
