"""Demo data for certification: an approved organisation in the middle of its 90 days."""

import datetime

from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.lifecycle import account_get, account_update
from accounts.models import Membership, Organisation, ProgrammeRules, User
from accounts.services import organisation_create, user_create
from eligibility.application import account_submit
from eligibility.demo import _seed

from .models import Certification, ExamVoucher
from .services import voucher_assign

SLUG = "uni-rheinstadt"


def seed_certification(*, approve) -> list[tuple[str, str]]:
    """Universität Rheinstadt: approved 67 days ago, Mac and iPad in its base, the iOS qualification recorded, the
    ACMT still missing — the dashboard shows the countdown. ``approve(account)`` is the reviewer's approval, which
    the review floor above provides."""
    admin_email, tech_email = "it@uni-rheinstadt.example", "service@uni-rheinstadt.example"
    people = [
        ("Universität Rheinstadt: administrator", admin_email),
        ("Universität Rheinstadt: technician", tech_email),
    ]
    if Organisation.objects.filter(slug=SLUG).exists():
        return people
    admin = User.objects.filter(email=admin_email).first() or user_create(
        email=admin_email, password=DEMO_PASSWORD, first_name="Sabine", last_name="Wolf"
    )
    technician = User.objects.filter(email=tech_email).first() or user_create(
        email=tech_email, password=DEMO_PASSWORD, first_name="Jonas", last_name="Keller"
    )
    organisation = organisation_create(
        creator=admin,
        name="Universität Rheinstadt",
        federal_state="NW",
        address="Campusallee 1\n50667 Köln",
        vat_id="DE833333333",
    )
    organisation.slug = SLUG
    organisation.save(update_fields=["slug"])
    Membership.objects.create(user=technician, organisation=organisation, role=Membership.Role.TECHNICIAN)
    minimum = ProgrammeRules.objects.get(country="DE").min_installed_base
    _seed(organisation, devices=max(minimum + 200, 1200), invoices_with_proof=14, prefix="KRW", complete=True)
    account = account_get(organisation=organisation)
    if account.status == "draft":
        account = account_update(account=account, actor=admin, terms_accepted=True)
        account = account_submit(account=account, actor=admin)
    account = approve(account)
    # as if approved 67 days ago: 23 days are left
    setup = timezone.localdate() - datetime.timedelta(days=67)
    account.setup_date = setup
    account.certification_deadline = setup + datetime.timedelta(days=90)
    account.save(update_fields=["setup_date", "certification_deadline"])
    Certification.objects.create(
        organisation=organisation,
        technician=technician,
        kind="ios",
        credential_id="IOS-DEMO-2207",
        passed_on=setup + datetime.timedelta(days=20),
        recorded_by=admin,
    )
    voucher = ExamVoucher.objects.filter(organisation=organisation, kind="acmt").first()
    if voucher:
        voucher_assign(voucher=voucher, actor=admin, technician_email=technician.email)
    return people
