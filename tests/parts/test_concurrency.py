"""At the same moment: orders against one credit line never exceed it, and invoice numbers stay gapless. Real
threads, each with its own database connection, on PostgreSQL (SQLite has no row locks to prove anything with)."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.models import ProgrammeRules
from core.models import NumberSequence, VatRate
from core.sequences import sequence_block, sequence_next
from parts.models import Invoice, PartsOrder
from parts.services import CreditExceeded, credit_compute, order_submit
from tests.accounts.factories import MembershipFactory, OrganisationFactory, UserFactory

from .factories import PartFactory, approve, cart_of, charges_invoice

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _vat_rate(transactional_db):
    """Transactional tests empty the database after each test, the rows the migrations wrote included: Germany's
    programme rules and the VAT rate every invoice needs are put back (as the migrations have them)."""
    ProgrammeRules.objects.get_or_create(country="DE")
    VatRate.objects.get_or_create(
        country="DE", kind="standard", valid_from=datetime.date(2007, 1, 1), defaults={"rate": Decimal("0.1900")}
    )


def all_at_once(work, items) -> list:
    """Run ``work(item)`` in one thread per item, released together; each outcome is the result or the exception's
    code (any unexpected failure is reported as its repr, so the test shows it)."""
    barrier = threading.Barrier(len(items))
    outcomes = [None] * len(items)

    def run(index, item):
        try:
            barrier.wait()
            outcomes[index] = work(item)
        except CreditExceeded as exc:
            outcomes[index] = exc.code
        except Exception as exc:  # a finding: the assertion shows it
            outcomes[index] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, item)) for i, item in enumerate(items)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def approved_organisation(slug, *, credit_limit="10000.00"):
    organisation = OrganisationFactory(slug=slug, name=slug.title())
    admin = UserFactory()
    MembershipFactory(organisation=organisation, user=admin, role="admin")
    with scope(organisation=organisation):
        account = approve(organisation, credit_limit=credit_limit)
        account.account_number = f"SSA-{900000 + organisation.pk}"  # account numbers are unique
        account.save(update_fields=["account_number"])
    return organisation, admin


def test_twenty_orders_at_once_against_a_limit_that_fits_ten_accept_exactly_ten():
    organisation, admin = approved_organisation("parallel-buyer", credit_limit="1000.00")
    part = PartFactory(part_number="661-10000", stock_price="100.00", exchange_price=None, core_return=False)
    with scope(organisation=organisation):
        carts = [cart_of(organisation, admin, (part, 1, "stock")) for _ in range(20)]

    def submit(cart):
        with scope(organisation=organisation):
            return order_submit(order=cart, actor=admin).status

    outcomes = all_at_once(submit, carts)
    assert sorted(outcomes) == ["credit_exceeded"] * 10 + ["submitted"] * 10
    with scope(organisation=organisation):
        assert credit_compute(organisation=organisation).exposure == Decimal("1000.00")
        submitted = PartsOrder.objects.filter(organisation=organisation, status=PartsOrder.Status.SUBMITTED)
        assert submitted.count() == 10
        assert PartsOrder.objects.filter(organisation=organisation, status=PartsOrder.Status.DRAFT).count() == 10
        year = timezone.now().year
        numbers = sorted(submitted.values_list("number", flat=True))
    # the refused submissions drew no order number either
    assert numbers == [f"PO-{year}-{n:06d}" for n in range(1, 11)]


def test_orders_of_different_organisations_do_not_wait_for_each_others_limit():
    part = PartFactory(part_number="661-10001", stock_price="100.00", exchange_price=None, core_return=False)
    buyers = [approved_organisation(f"buyer-{i}", credit_limit="100.00") for i in range(5)]
    carts = []
    for organisation, admin in buyers:
        with scope(organisation=organisation):
            carts.append((organisation, admin, cart_of(organisation, admin, (part, 1, "stock"))))

    def submit(item):
        organisation, admin, cart = item
        with scope(organisation=organisation):
            return order_submit(order=cart, actor=admin).status

    assert all_at_once(submit, carts) == ["submitted"] * 5


def test_twenty_invoices_issued_at_once_are_numbered_one_to_twenty_without_gaps():
    organisations = [approved_organisation(f"billed-{i}")[0] for i in range(4)]
    year = timezone.localdate().year

    def issue(organisation):
        with scope(organisation=organisation):
            return charges_invoice(organisation, "10.00").number

    numbers = all_at_once(issue, [organisations[i % 4] for i in range(20)])
    assert sorted(numbers) == [f"RE-{year}-{n:06d}" for n in range(1, 21)]
    with scopes_disabled():
        assert Invoice.objects.count() == 20
    assert NumberSequence.objects.get(name="invoice", year=year).last_value == 20


def test_a_rolled_back_invoice_leaves_no_gap():
    organisation, _admin = approved_organisation("rolled-back")
    year = timezone.localdate().year
    with scope(organisation=organisation):
        first = charges_invoice(organisation, "10.00")
        with pytest.raises(RuntimeError), transaction.atomic():
            charges_invoice(organisation, "20.00")
            raise RuntimeError("the caller fails after the invoice was drawn")
        second = charges_invoice(organisation, "30.00")
        assert Invoice.objects.filter(organisation=organisation).count() == 2
    assert (first.number, second.number) == (f"RE-{year}-000001", f"RE-{year}-000002")


def test_rolled_back_invoices_under_concurrency_leave_no_gap():
    organisation, _admin = approved_organisation("half-rolled-back")
    year = timezone.localdate().year

    def issue(fail):
        with scope(organisation=organisation):
            try:
                with transaction.atomic():
                    number = charges_invoice(organisation, "10.00").number
                    if fail:
                        raise RuntimeError("rolled back")
                    return number
            except RuntimeError:
                return "rolled back"

    outcomes = all_at_once(issue, [i % 2 == 0 for i in range(12)])
    assert outcomes.count("rolled back") == 6
    assert sorted(o for o in outcomes if o != "rolled back") == [f"RE-{year}-{n:06d}" for n in range(1, 7)]
    with scope(organisation=organisation):
        assert sorted(Invoice.objects.values_list("number", flat=True)) == [f"RE-{year}-{n:06d}" for n in range(1, 7)]


def test_sequence_blocks_interleaved_with_single_numbers_neither_overlap_nor_leave_gaps():
    def draw(kind):
        if kind == "block":
            return sequence_block(name="interleaved", year=2026, count=5)
        return [sequence_next(name="interleaved", year=2026)]

    kinds = ["block", "next"] * 8  # 8 blocks of 5 and 8 single numbers
    outcomes = all_at_once(draw, kinds)
    assert all(isinstance(o, list) for o in outcomes), outcomes
    for kind, numbers in zip(kinds, outcomes, strict=True):
        assert len(numbers) == (5 if kind == "block" else 1)
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # a block is consecutive
    drawn = sorted(n for numbers in outcomes for n in numbers)
    assert drawn == list(range(1, 49))
    assert NumberSequence.objects.get(name="interleaved", year=2026).last_value == 48
