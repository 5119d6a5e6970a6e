"""The decisions and changes of the accounts layer, each with the sentence the audit trail reads as."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.audit import BOOL, CHOICE, DATE, MONEY, AuditAction

from .models import Account, FederalState, Hold, Membership, ProductLine

ROLE = dict(Membership.Role.choices)
PRODUCT_LINE = dict(ProductLine.choices)
STATUS = dict(Account.Status.choices)
# In a sentence the reviewer is already named: "Rita Reviewer placed a hold: manual; reason given: …".
HOLD_REASON = {**dict(Hold.Reason.choices), Hold.Reason.MANUAL: pgettext_lazy("hold reason", "manual")}

ACCOUNT_FIELD_LABELS = {
    "status": _("status"),
    "contact_name": _("contact person"),
    "contact_email": _("contact email"),
    "contact_phone": _("contact phone"),
    "apple_customer_number": _("Apple customer number"),
    "terms_accepted": _("programme terms accepted"),
    "credit_limit": _("credit limit"),
    "account_number": _("account number"),
    "setup_date": _("account setup date"),
    "certification_deadline": _("certification deadline"),
}
ACCOUNT_FORMATS = {
    "credit_limit": MONEY,
    "setup_date": DATE,
    "certification_deadline": DATE,
    "terms_accepted": BOOL,
    "status": CHOICE,
}
# A transition reads as its sentence; only the applicant's edit lists its changed fields.
_transition = {"formats": ACCOUNT_FORMATS, "choices": {"status": STATUS}, "timeline": True}

USER_REVIEWER_GRANTED = AuditAction("user.reviewer_granted", _("%(actor)s made %(object)s a platform reviewer"))
USER_TOTP_SET = AuditAction(
    "user.totp_set", _("%(actor)s set up two-factor authentication for %(object)s with a given secret")
)
USER_DEACTIVATED = AuditAction("user.deactivated", _("%(actor)s deactivated the user %(object)s"))
ORGANISATION_CREATED = AuditAction("organisation.created", _("%(actor)s created the organisation %(name)s"))
ORGANISATION_UPDATED = AuditAction(
    "organisation.updated",
    _("%(actor)s changed the organisation's details"),
    labels={
        "name": _("name"),
        "federal_state": _("federal state"),
        "address": _("address"),
        "vat_id": _("VAT id"),
        "language": _("correspondence language"),
        "country": _("country"),
    },
    formats={"federal_state": CHOICE, "language": CHOICE},
    choices={"federal_state": dict(FederalState.choices), "language": dict(settings.LANGUAGES)},
)
_role = {"formats": {"role": CHOICE}, "choices": {"role": ROLE}}
MEMBERSHIP_CREATED = AuditAction("membership.created", _("%(actor)s added %(user)s as %(role)s"), **_role)
MEMBERSHIP_ROLE_CHANGED = AuditAction(
    "membership.role_changed",
    _("%(actor)s changed the role of %(user)s to %(role)s"),
    labels={"role": _("role")},
    **_role,
)
MEMBERSHIP_REMOVED = AuditAction(
    "membership.removed", _("%(actor)s removed %(user)s (%(role)s) from the organisation"), **_role
)
INVITATION_CREATED = AuditAction("invitation.created", _("%(actor)s invited %(email)s as %(role)s"), **_role)
INVITATION_ACCEPTED = AuditAction("invitation.accepted", _("%(actor)s accepted the invitation as %(role)s"), **_role)
INVITATION_REVOKED = AuditAction("invitation.revoked", _("%(actor)s withdrew the invitation to %(email)s"))
API_TOKEN_CREATED = AuditAction("api_token.created", _("%(actor)s created the API token “%(name)s”"))
API_TOKEN_REVOKED = AuditAction("api_token.revoked", _("%(actor)s revoked the API token “%(name)s”"))

ACCOUNT_UPDATED = AuditAction(
    "account.updated",
    _("%(actor)s changed the application"),
    formats=ACCOUNT_FORMATS,
    labels=ACCOUNT_FIELD_LABELS,
    choices={"status": STATUS},
    timeline=True,
)

ACCOUNT_SUBMITTED = AuditAction("account.submitted", _("%(actor)s submitted the application"), **_transition)

ACCOUNT_REVIEW_STARTED = AuditAction("account.review_started", _("%(actor)s started the review"), **_transition)

ACCOUNT_INFO_REQUESTED = AuditAction(
    "account.info_requested", _("%(actor)s asked the applicant for more information"), **_transition
)

ACCOUNT_APPROVED = AuditAction(
    "account.approved",
    _("%(actor)s approved the application; credit line %(credit_limit)s, account number %(account_number)s"),
    **_transition,
)

ACCOUNT_REJECTED = AuditAction(
    "account.rejected", _("%(actor)s rejected the application: %(rejection_reason)s"), **_transition
)

ACCOUNT_SUSPENDED = AuditAction(
    "account.suspended", _("%(actor)s suspended the account: %(suspension_reason)s"), **_transition
)

ACCOUNT_REINSTATED = AuditAction("account.reinstated", _("%(actor)s reinstated the account"), **_transition)

ACCOUNT_MESSAGE = AuditAction("account.message", _("%(actor)s wrote a message about the application"), timeline=True)

_hold = {
    "formats": {"reason": CHOICE, "product_line": CHOICE},
    "choices": {"reason": HOLD_REASON, "product_line": PRODUCT_LINE},
    "timeline": True,
}

# The daily job places certification holds without an actor ("The portal …") and, for a hold on the whole
# account, without a product line: each clause is there only when the entry has its value.
HOLD_PLACED = AuditAction(
    "hold.placed",
    _("%(actor)s placed a hold: %(reason)s"),
    details={"product_line": _("product line %(product_line)s"), "note": _("reason given: %(note)s")},
    **_hold,
)

HOLD_RELEASED = AuditAction(
    "hold.released",
    _("%(actor)s lifted a hold"),
    details={"reason": _("reason: %(reason)s"), "product_line": _("product line %(product_line)s")},
    **_hold,
)
