"""The approval letter: the organisation's account number, dates, credit line, vouchers and the terms in short."""

from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from accounts.models import Account, Organisation
from certification.models import ExamVoucher
from core.notifications import register_attachment
from core.pdf import render_pdf


def approval_letter_pdf(*, organisation: Organisation) -> bytes:
    """Rendered in the organisation's correspondence language."""
    with scope(organisation=organisation):
        account = Account.objects.get(organisation=organisation)
        vouchers = list(ExamVoucher.objects.filter(organisation=organisation, free=True))
    with translation.override(organisation.language):
        return render_pdf(
            "accounts/approval_letter.html",
            {"organisation": organisation, "account": account, "vouchers": vouchers, "today": timezone.localdate()},
        )


def approval_letter_filename(account: Account) -> str:
    return f"SSA-approval-{account.account_number or account.organisation.slug}.pdf"


@register_attachment("approval_letter")
def approval_letter_attachment(*, notification, organisation_id: int):
    with scopes_disabled():  # a job attaching a document of the notification's own organisation
        organisation = Organisation.objects.get(pk=organisation_id)
        account = Account.objects.get(organisation=organisation)
    return approval_letter_filename(account), approval_letter_pdf(organisation=organisation), "application/pdf"
