"""Who may do what: the one table that HTML views and the API both consult.

An action is a string such as ``members.invite``. Roles are a membership's ``admin`` or ``technician``; reviewers
are platform staff and reach organisations only through the reviewer console. The kernel knows the roles by their
values; ``accounts.Membership.Role`` is built on them.
"""

ADMIN = "admin"
TECHNICIAN = "technician"
ANY_MEMBER = frozenset({ADMIN, TECHNICIAN})
ADMINS = frozenset({ADMIN})

PERMISSIONS: dict[str, frozenset[str]] = {
    "organisation.view": ANY_MEMBER,
    "organisation.change": ADMINS,
    "members.view": ANY_MEMBER,
    "members.invite": ADMINS,
    "members.manage": ADMINS,
    "audit.view": ADMINS,
    # Installed base and the application
    "devices.view": ANY_MEMBER,
    "devices.change": ADMINS,
    "proofs.view": ANY_MEMBER,
    "proofs.change": ADMINS,
    "equipment.change": ADMINS,
    "account.view": ANY_MEMBER,
    "account.change": ADMINS,
    # Certification
    "certifications.view": ANY_MEMBER,
    "certifications.record": ANY_MEMBER,  # technicians record their own; services check whose
    "certifications.delete": ADMINS,
    "vouchers.manage": ADMINS,
    "training.progress": ANY_MEMBER,
    # Repairs, parts, support
    "repairs.view": ANY_MEMBER,
    "repairs.work": ANY_MEMBER,
    "orders.view": ANY_MEMBER,
    "orders.draft": ANY_MEMBER,  # technicians fill carts (a repair's parts); admins submit them
    "orders.place": ADMINS,
    "cores.return": ANY_MEMBER,
    "billing.view": ADMINS,
    "support.use": ANY_MEMBER,
    "kpis.view": ADMINS,
}


def can(membership, action: str) -> bool:
    """True when the membership's role may perform ``action``. Unknown actions are refused."""
    if membership is None:
        return False
    return membership.role in PERMISSIONS.get(action, frozenset())


def action_for(required_actions: dict[str, str], method: str) -> str | None:
    """The action a view declares for an HTTP method (``"*"`` for every method it does not name)."""
    return required_actions.get(method) or required_actions.get("*")
