from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme

from core.permissions import can

from .selectors import has_totp, memberships_for_user, notification_unread_count


def portal(request):
    """What the base layout needs: the switcher's organisations, the current one, the bell's count."""
    user = getattr(request, "user", None)
    context = {"LANGUAGES_AVAILABLE": settings.LANGUAGES}
    if user is None or not user.is_authenticated:
        return context
    membership = getattr(request, "membership", None)
    after = request.session.get("after_two_factor") if request.path_info.startswith("/accounts/2fa/") else None
    if after and not url_has_allowed_host_and_scheme(after, allowed_hosts={request.get_host()}):
        after = None
    context.update(
        {
            "my_memberships": memberships_for_user(user=user),
            "current_organisation": getattr(request, "organisation", None),
            "current_membership": membership,
            "unread_notifications": notification_unread_count(user=user),
            "perms_org": _PermissionView(membership),
            "after_two_factor": after if after and has_totp(user) else None,
        }
    )
    return context


class _PermissionView:
    """Lets templates ask ``{% if perms_org.members_invite %}`` (dots replaced by underscores)."""

    def __init__(self, membership):
        self.membership = membership

    def __getattr__(self, name):
        return can(self.membership, name.replace("_", ".", 1))
