"""The daily parts jobs: credit lines (exposure, snapshot, credit hold and its release) and core returns (overdue,
charged at the price-list difference, the core-returns hold and its release); idempotent, constant queries."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from accounts.models import Account, Hold
from core.models import AuditEntry, Notification
from core.prices import part_item, price_set
from parts.jobs import core_returns, credit_lines
from parts.models import CoreReturn, CreditLine, CreditSnapshot, Invoice, InvoiceLine, OrderLine, PartsOrder
from parts.services import Charge, invoice_issue
from tests.accounts.factories import MembershipFactory, OrganisationFactory, UserFactory

from .factories import PartFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 10)
DAY = datetime.timedelta(days=1)
_numbers = itertools.count(1)


# --- Local builders (through the services where they exist; the fulfilment history directly) -------------------


def org_with_admin(name: str, *, credit_limit="10000.00", status=Account.Status.APPROVED, language="de"):
    n = next(_numbers)
    org = OrganisationFactory(name=name, slug=f"org-jobs-{n}", language=language)
    user = UserFactory(email=f"admin{n}@jobs.example", language=language)
    MembershipFactory(user=user, organisation=org, role="admin")
    with scopes_disabled():
        Account.objects.create(
            organisation=org,
            status=status,
            account_number=f"SSA-{900000 + n}",
            credit_limit=Decimal(credit_limit),
            setup_date=TODAY - 200 * DAY,
        )
    org.admin = user
    return org


def open_invoice(org, net, *, due_on) -> Invoice:
    """An invoice of charges due on ``due_on`` (payment term 30 days)."""
    with scope(organisation=org):
        return invoice_issue(
            organisation=org,
            kind="charges",
            issued_on=due_on - 30 * DAY,
            charges=[Charge(kind=InvoiceLine.Kind.VOUCHER, description="Exam voucher", quantity=1, unit_price=net)],
        )


def order(org, total, status=PartsOrder.Status.SUBMITTED, *, submitted_on=TODAY - 40 * DAY) -> PartsOrder:
    with scope(organisation=org):
        return PartsOrder.objects.create(
            organisation=org,
            created_by=org.admin,
            number=f"PO-2026-{next(_numbers):06d}",
            status=status,
            total=Decimal(total),
            submitted_at=datetime.datetime.combine(submitted_on, datetime.time(10), tzinfo=datetime.UTC),
        )


def cores(org, part, n, *, due_date, unit_price="200.00", submitted_on=TODAY - 40 * DAY, status="due"):
    """``n`` cores of one delivered order line of ``part`` at ``unit_price`` (the exchange price then)."""
    parent = order(org, Decimal(unit_price) * n, PartsOrder.Status.DELIVERED, submitted_on=submitted_on)
    with scope(organisation=org):
        line = OrderLine.objects.create(
            organisation=org, order=parent, part=part, quantity=n, pricing="exchange", unit_price=Decimal(unit_price)
        )
        return [
            CoreReturn.objects.create(organisation=org, order_line=line, part=part, due_date=due_date, status=status)
            for _ in range(n)
        ]


def held(org, reason) -> list[Hold]:
    with scopes_disabled():
        return list(Hold.objects.filter(organisation=org, reason=reason, released_at__isnull=True))


def notes(template, **filters) -> list[Notification]:
    return list(Notification.objects.filter(template=template, **filters))


def entries(action, **filters) -> list[AuditEntry]:
    with scopes_disabled():
        return list(AuditEntry.objects.filter(action=action, **filters))


def counts():
    with scopes_disabled():
        return {
            "holds": Hold.objects.count(),
            "open_holds": Hold.objects.filter(released_at__isnull=True).count(),
            "notifications": Notification.objects.count(),
            "audit": AuditEntry.objects.count(),
            "snapshots": CreditSnapshot.objects.count(),
            "invoices": Invoice.objects.count(),
            "lines": InvoiceLine.objects.count(),
            "cores": sorted(CoreReturn.objects.values_list("id", "status", "charge", "overdue_since")),
            "exposures": sorted(CreditLine.objects.values_list("organisation_id", "exposure")),
        }


@pytest.fixture
def display(db):
    return PartFactory(
        part_number="661-29362",
        description="Display assembly, MacBook Pro 14-inch",
        stock_price=Decimal("350.00"),
        exchange_price=Decimal("200.00"),
    )


# --- credit_lines ---------------------------------------------------------------------------------------------


def test_exposure_is_unpaid_invoices_plus_open_orders_kept_on_the_line_and_in_the_days_snapshot():
    org = org_with_admin("Schulamt Nord", credit_limit="5000.00")
    unpaid = open_invoice(org, Decimal("100.00"), due_on=TODAY + 10 * DAY)
    paid = open_invoice(org, Decimal("50.00"), due_on=TODAY + 10 * DAY)
    with scopes_disabled():
        Invoice.objects.filter(pk=paid.pk).update(status=Invoice.Status.PAID)
    order(org, "200.00", PartsOrder.Status.SUBMITTED)
    order(org, "25.50", PartsOrder.Status.SHIPPED)
    order(org, "999.00", PartsOrder.Status.DRAFT)
    order(org, "999.00", PartsOrder.Status.CANCELLED)
    order(org, "999.00", PartsOrder.Status.DELIVERED)  # invoiced: counted by its invoice, not twice
    pending = org_with_admin("Bewerbung", status=Account.Status.IN_REVIEW)
    open_invoice(pending, Decimal("10.00"), due_on=TODAY - 60 * DAY)

    result = credit_lines(today=TODAY)

    with scopes_disabled():
        line = CreditLine.objects.get(organisation=org)
        snapshot = CreditSnapshot.objects.get(organisation=org)
        assert not CreditLine.objects.filter(organisation=pending).exists()
        assert not CreditSnapshot.objects.filter(organisation=pending).exists()
    assert unpaid.net == Decimal("100.00")
    assert line.exposure == Decimal("325.50") and line.computed_at is not None
    assert (snapshot.day, snapshot.limit, snapshot.exposure) == (TODAY, Decimal("5000.00"), Decimal("325.50"))
    assert result == {"credit_lines": 1, "over_limit": 0, "overdue": 0, "holds_placed": 0, "holds_released": 0}
    assert not held(pending, Hold.Reason.CREDIT), "only approved accounts are reviewed"


def test_an_existing_credit_line_is_updated_and_each_day_has_its_snapshot():
    org = org_with_admin("Schulamt Nord", credit_limit="1000.00")
    with scope(organisation=org):
        CreditLine.objects.create(organisation=org, exposure=Decimal("777.00"))
    order(org, "300.00")
    credit_lines(today=TODAY - DAY)
    order(org, "100.00")
    credit_lines(today=TODAY)
    with scopes_disabled():
        assert CreditLine.objects.get(organisation=org).exposure == Decimal("400.00")
        assert list(CreditSnapshot.objects.filter(organisation=org).values_list("day", "exposure")) == [
            (TODAY - DAY, Decimal("300.00")),
            (TODAY, Decimal("400.00")),
        ]


def test_an_invoice_more_than_thirty_days_overdue_places_the_credit_hold_and_says_which(committed):
    org = org_with_admin("Schulamt Nord")
    late = open_invoice(org, Decimal("1234.50"), due_on=TODAY - 31 * DAY)
    on_the_edge = org_with_admin("Klinikum")
    open_invoice(on_the_edge, Decimal("10.00"), due_on=TODAY - 30 * DAY)  # exactly 30 days: not yet

    with committed():
        result = credit_lines(today=TODAY)

    assert result["holds_placed"] == 1 and result["overdue"] == 1
    assert len(held(org, Hold.Reason.CREDIT)) == 1
    assert not held(on_the_edge, Hold.Reason.CREDIT)
    (note,) = notes("credit_hold")
    assert note.user == org.admin
    assert note.context["invoice_number"] == late.number and note.context["days_overdue"] == 31
    assert note.url == f"/o/{org.slug}/credit/"
    (entry,) = entries("hold.placed")
    assert entry.organisation_id == org.pk and entry.after["reason"] == "credit"
    assert entry.after["invoice"] == late.number and entry.actor_id is None
    (email,) = mail.outbox
    assert email.to == [org.admin.email]
    assert late.number in email.body and "31" in email.body
    assert "1.469,06 €" in email.body  # German figures


def test_an_exposure_over_the_limit_places_the_credit_hold_with_the_figures(committed):
    org = org_with_admin("Schulamt Nord", credit_limit="1500.00", language="en")
    order(org, "1500.00")
    credit_lines(today=TODAY)
    assert not held(org, Hold.Reason.CREDIT), "at the limit is not over it"

    order(org, "0.01")
    with committed():
        result = credit_lines(today=TODAY)

    assert result["over_limit"] == 1 and result["holds_placed"] == 1
    (note,) = notes("credit_hold")
    assert note.context["over_limit"] is True and note.context["invoice_number"] == ""
    assert (note.context["exposure"], note.context["limit"]) == ("1500.01", "1500.00")
    (email,) = mail.outbox
    assert "1,500.01 €" in email.body and "1,500.00 €" in email.body
    assert "Credit hold on the account of Schulamt Nord" in email.subject


def test_the_credit_hold_is_lifted_once_the_late_invoice_is_paid_and_the_exposure_fits():
    org = org_with_admin("Schulamt Nord", credit_limit="1000.00")
    late = open_invoice(org, Decimal("100.00"), due_on=TODAY - 45 * DAY)
    order(org, "950.00")
    result = credit_lines(today=TODAY)
    assert (result["overdue"], result["over_limit"], result["holds_placed"]) == (1, 1, 1)

    with scopes_disabled():  # paid outside the services, so only the job can lift the hold
        Invoice.objects.filter(pk=late.pk).update(status=Invoice.Status.PAID)
    result = credit_lines(today=TODAY + DAY)

    assert result["holds_released"] == 1 and not held(org, Hold.Reason.CREDIT)
    with scopes_disabled():
        assert CreditLine.objects.get(organisation=org).exposure == Decimal("950.00")


def test_the_credit_hold_stays_while_over_the_limit_and_lifts_when_the_order_is_gone(committed):
    org = org_with_admin("Schulamt Nord", credit_limit="1000.00")
    late = open_invoice(org, Decimal("100.00"), due_on=TODAY - 45 * DAY)
    big = order(org, "950.00")
    credit_lines(today=TODAY)
    with scopes_disabled():
        Invoice.objects.filter(pk=late.pk).update(status=Invoice.Status.PAID)
        PartsOrder.objects.filter(pk=big.pk).update(total=Decimal("1000.01"))
    result = credit_lines(today=TODAY + DAY)
    assert result["holds_released"] == 0 and len(held(org, Hold.Reason.CREDIT)) == 1

    with scopes_disabled():
        PartsOrder.objects.filter(pk=big.pk).update(status=PartsOrder.Status.CANCELLED)
    with committed():
        result = credit_lines(today=TODAY + 2 * DAY)

    assert result["holds_released"] == 1 and not held(org, Hold.Reason.CREDIT)
    with scopes_disabled():
        hold = Hold.objects.get(organisation=org, reason=Hold.Reason.CREDIT)
    assert hold.release_note == "credit resolved"
    assert len(entries("hold.released", organisation=org)) == 1
    (note,) = notes("credit_hold_released")
    assert note.context == {
        "exposure": "0.00",
        "limit": "1000.00",
        "grace_days": 30,
        "organisation_name": "Schulamt Nord",
        "url": f"/o/{org.slug}/credit/",
    }
    assert any("aufgehoben" in m.body or "lifted" in m.body for m in mail.outbox)


def test_a_second_credit_run_the_same_day_changes_nothing_and_tells_no_one():
    late_org = org_with_admin("Schulamt Nord", credit_limit="100.00")
    open_invoice(late_org, Decimal("80.00"), due_on=TODAY - 40 * DAY)
    order(late_org, "50.00")
    resolved = org_with_admin("Klinikum")
    with scopes_disabled():
        Hold.objects.create(organisation=resolved, reason=Hold.Reason.CREDIT)
    first = credit_lines(today=TODAY)
    assert (first["holds_placed"], first["holds_released"]) == (1, 1)
    before = counts()

    second = credit_lines(today=TODAY)

    assert (second["holds_placed"], second["holds_released"]) == (0, 0)
    assert counts() == before


def test_run_job_runs_the_parts_jobs_by_name(capsys):
    org = org_with_admin("Schulamt Nord")
    order(org, "10.00")
    call_command("run_job", "credit_lines", "--today", TODAY.isoformat())
    call_command("run_job", "core_returns", "--today", TODAY.isoformat())
    out = capsys.readouterr().out
    assert "credit_lines (2026-06-10): {'credit_lines': 1" in out
    assert "core_returns (2026-06-10): {'overdue': 0" in out


def _statements(captured) -> int:
    """The statements of a run. SQLite takes at most 999 parameters a statement, so Django splits a large bulk
    insert into batches there: consecutive inserts into one table count once on SQLite (never on Postgres, where
    every bulk insert is one statement and a loop of inserts must show)."""
    count, previous = 0, None
    for query in captured:
        sql = query["sql"]
        key = sql.split("(", 1)[0] if connection.vendor == "sqlite" and sql.startswith("INSERT") else None
        count += key is None or key != previous
        previous = key
    return count


def _rolled_back(job, today):
    """Run ``job`` and count its statements, then undo it: the many-organisations run starts from the same state."""
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            result = job(today=today)
        transaction.set_rollback(True)
    return result, _statements(captured.captured_queries)


def _same_statements(job, today, expected, django_assert_num_queries):
    if connection.vendor == "postgresql":
        with django_assert_num_queries(expected):
            return job(today=today)
    with CaptureQueriesContext(connection) as captured:
        result = job(today=today)
    assert _statements(captured.captured_queries) == expected
    return result


def test_the_credit_job_takes_the_same_queries_for_one_or_thirty_organisations(django_assert_num_queries):
    def population(names):
        for name in names:
            breach = org_with_admin(f"Late {name}", credit_limit="100.00")
            open_invoice(breach, Decimal("80.00"), due_on=TODAY - 40 * DAY)
            order(breach, "50.00")
            resolved = org_with_admin(f"Resolved {name}")
            order(resolved, "10.00")
            with scopes_disabled():
                Hold.objects.create(organisation=resolved, reason=Hold.Reason.CREDIT)

    population(["0"])
    one, queries = _rolled_back(credit_lines, TODAY)
    assert (one["holds_placed"], one["holds_released"]) == (1, 1)
    assert queries <= 20

    population([str(i) for i in range(1, 30)])
    many = _same_statements(credit_lines, TODAY, queries, django_assert_num_queries)
    assert (many["credit_lines"], many["holds_placed"], many["holds_released"]) == (60, 30, 30)
    assert len(notes("credit_hold")) == 30 and len(notes("credit_hold_released")) == 30


# --- core_returns ---------------------------------------------------------------------------------------------


def test_cores_past_their_due_date_become_overdue_and_the_admins_get_the_list(display, committed):
    org = org_with_admin("Schulamt Nord")
    late = cores(org, display, 2, due_date=TODAY - DAY)
    today_due = cores(org, display, 1, due_date=TODAY)
    returned = cores(org, display, 1, due_date=TODAY - 3 * DAY, status=CoreReturn.Status.RETURNED)

    with committed():
        result = core_returns(today=TODAY)

    assert result == {"overdue": 2, "charged": 0, "invoices": 0, "holds_placed": 0, "holds_released": 0}
    with scopes_disabled():
        statuses = dict(CoreReturn.objects.values_list("id", "status"))
        assert CoreReturn.objects.get(pk=late[0].pk).overdue_since == TODAY
    assert [statuses[c.pk] for c in late] == ["overdue", "overdue"]
    assert statuses[today_due[0].pk] == "due" and statuses[returned[0].pk] == "returned"
    (note,) = notes("core_returns_overdue")
    assert note.context["count"] == 2 and note.url == f"/o/{org.slug}/core-returns/"
    order_number = late[0].order_line.order.number
    assert note.context["cores"][0] == {
        "part_number": "661-29362",
        "description": "Display assembly, MacBook Pro 14-inch",
        "order": order_number,
        "due_date": (TODAY - DAY).isoformat(),
    }
    (email,) = mail.outbox
    assert "661-29362" in email.body and order_number in email.body and "9. Juni 2026" in email.body


def test_a_core_overdue_past_the_grace_is_charged_the_difference_to_the_stock_price_of_the_order_day(
    display, committed
):
    # The stock price was 300 when the order was submitted, 350 today: the charge is 300 - 200.
    price_set(item=part_item(display.part_number), kind="stock", amount=Decimal("300.00"), valid_from=TODAY - 400 * DAY)
    price_set(item=part_item(display.part_number), kind="stock", amount=Decimal("350.00"), valid_from=TODAY - 10 * DAY)
    org = org_with_admin("Schulamt Nord")
    charged = cores(org, display, 2, due_date=TODAY - 6 * DAY, submitted_on=TODAY - 40 * DAY)
    within_grace = cores(org, display, 1, due_date=TODAY - 5 * DAY)  # due + 5 days = today: not yet charged
    other = org_with_admin("Klinikum")
    cores(other, display, 1, due_date=TODAY - 20 * DAY, unit_price="150.00", submitted_on=TODAY - 5 * DAY)

    with committed():
        result = core_returns(today=TODAY)

    assert result["charged"] == 3 and result["invoices"] == 2
    with scopes_disabled():
        invoice = Invoice.objects.get(organisation=org)
        lines = list(invoice.lines.order_by("id"))
        other_line = InvoiceLine.objects.get(organisation=other)
        states = {c.pk: c for c in CoreReturn.objects.all()}
    assert invoice.kind == Invoice.Kind.CHARGES and invoice.issued_on == TODAY
    assert (invoice.net, invoice.vat, invoice.gross) == (Decimal("200.00"), Decimal("38.00"), Decimal("238.00"))
    assert [(line.kind, line.part_number, line.quantity, line.unit_price) for line in lines] == [
        ("core_charge", "661-29362", 1, Decimal("100.00"))
    ] * 2
    order_number = charged[0].order_line.order.number
    assert order_number in lines[0].description and "MacBook Pro 14-inch" in lines[0].description
    assert {line.core_return_id for line in lines} == {c.pk for c in charged}
    assert other_line.unit_price == Decimal("200.00"), "submitted after the price rise: 350 - 150"
    for core in charged:
        state = states[core.pk]
        assert (state.status, state.charge) == ("charged", Decimal("100.00")) and state.charged_at is not None
    assert states[within_grace[0].pk].status == "overdue" and states[within_grace[0].pk].charge is None

    assert len(entries("invoice.issued")) == 2
    (entry,) = entries("cores.charged", organisation=org)
    assert entry.after == {"count": 2, "total": "200.00", "invoice": invoice.number}
    assert entry.object_id == str(invoice.pk)
    note = Notification.objects.get(template="cores_charged", organisation=org)
    assert note.context["invoice_number"] == invoice.number and note.context["gross"] == "238.00"
    assert note.url == f"/o/{org.slug}/billing/"
    body = next(m.body for m in mail.outbox if m.to == [org.admin.email] and invoice.number in m.body)
    assert "238,00 €" in body and "200,00 €" in body
    # The newly overdue core is announced; the ones charged in the same run are not announced as overdue too.
    assert Notification.objects.get(template="core_returns_overdue", organisation=org).context["count"] == 1
    assert not Notification.objects.filter(template="core_returns_overdue", organisation=other).exists()


def test_without_a_price_list_entry_the_catalogue_stock_price_is_the_reference(display):
    org = org_with_admin("Schulamt Nord")
    cores(org, display, 1, due_date=TODAY - 30 * DAY, unit_price="200.00")
    core_returns(today=TODAY)
    with scopes_disabled():
        assert InvoiceLine.objects.get(organisation=org).unit_price == Decimal("150.00")  # 350 today - 200


def test_a_core_is_charged_once_ever(display):
    org = org_with_admin("Schulamt Nord")
    (core,) = cores(org, display, 1, due_date=TODAY - 30 * DAY)
    assert core_returns(today=TODAY)["charged"] == 1
    assert core_returns(today=TODAY)["charged"] == 0
    assert core_returns(today=TODAY + 40 * DAY)["charged"] == 0
    with scopes_disabled():
        assert InvoiceLine.objects.filter(core_return=core).count() == 1
        invoice = Invoice.objects.get(organisation=org)
        with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses a second charge
            InvoiceLine.objects.create(
                organisation=org,
                invoice=invoice,
                kind="core_charge",
                description="again",
                quantity=1,
                unit_price=1,
                net=1,
                core_return=core,
            )


def test_more_than_five_unresolved_cores_place_the_core_returns_hold(display, committed):
    org = org_with_admin("Schulamt Nord")
    cores(org, display, 6, due_date=TODAY - 2 * DAY)
    five = org_with_admin("Klinikum")
    cores(five, display, 5, due_date=TODAY - 2 * DAY)
    cores(five, display, 3, due_date=TODAY - 2 * DAY, status=CoreReturn.Status.RETURNED)

    with committed():
        result = core_returns(today=TODAY)

    assert result["holds_placed"] == 1
    assert len(held(org, Hold.Reason.CORE_RETURNS)) == 1 and not held(five, Hold.Reason.CORE_RETURNS)
    (note,) = notes("core_returns_hold")
    assert (note.context["unresolved"], note.context["allowed"]) == (6, 5)
    (entry,) = entries("hold.placed")
    assert entry.after == {"reason": "core_returns", "unresolved": 6, "allowed": 5}
    assert any("6" in m.body and m.subject.endswith("Schulamt Nord") for m in mail.outbox)


def test_charged_cores_count_until_their_invoice_is_paid_then_the_hold_lifts(display, committed):
    org = org_with_admin("Schulamt Nord")
    cores(org, display, 6, due_date=TODAY - 30 * DAY)
    result = core_returns(today=TODAY)
    assert (result["charged"], result["holds_placed"]) == (6, 1), "charged and unpaid: still unresolved"
    assert core_returns(today=TODAY + DAY)["holds_released"] == 0

    with scopes_disabled():
        Invoice.objects.filter(organisation=org).update(status=Invoice.Status.PAID)
    with committed():
        result = core_returns(today=TODAY + 2 * DAY)

    assert result["holds_released"] == 1 and not held(org, Hold.Reason.CORE_RETURNS)
    assert len(entries("hold.released", organisation=org)) == 1
    (note,) = notes("core_returns_hold_released")
    assert (note.context["unresolved"], note.context["allowed"]) == (0, 5)


def test_returned_cores_lift_the_hold_on_the_next_run(display):
    org = org_with_admin("Schulamt Nord")
    overdue = cores(org, display, 6, due_date=TODAY - 2 * DAY)
    core_returns(today=TODAY)
    assert held(org, Hold.Reason.CORE_RETURNS)
    with scopes_disabled():
        CoreReturn.objects.filter(pk=overdue[0].pk).update(status=CoreReturn.Status.RETURNED)
    assert core_returns(today=TODAY)["holds_released"] == 1
    assert not held(org, Hold.Reason.CORE_RETURNS)


def test_a_second_core_run_the_same_day_changes_nothing_and_tells_no_one(display):
    org = org_with_admin("Schulamt Nord")
    cores(org, display, 1, due_date=TODAY - DAY)
    cores(org, display, 6, due_date=TODAY - 30 * DAY)
    resolved = org_with_admin("Klinikum")
    with scopes_disabled():
        Hold.objects.create(organisation=resolved, reason=Hold.Reason.CORE_RETURNS)
    first = core_returns(today=TODAY)
    assert first == {"overdue": 7, "charged": 6, "invoices": 1, "holds_placed": 1, "holds_released": 1}
    before = counts()

    second = core_returns(today=TODAY)

    assert second == {"overdue": 0, "charged": 0, "invoices": 0, "holds_placed": 0, "holds_released": 0}
    assert counts() == before


def test_the_core_job_takes_the_same_queries_for_one_or_thirty_organisations(display, django_assert_num_queries):
    price_set(item=part_item(display.part_number), kind="stock", amount=Decimal("300.00"), valid_from=TODAY - 400 * DAY)

    def population(names):
        for name in names:
            org = org_with_admin(f"Cores {name}")
            cores(org, display, 1, due_date=TODAY - DAY)  # becomes overdue
            cores(org, display, 6, due_date=TODAY - 30 * DAY)  # charged, and the hold
            resolved = org_with_admin(f"Resolved {name}")
            with scopes_disabled():
                Hold.objects.create(organisation=resolved, reason=Hold.Reason.CORE_RETURNS)

    population(["0"])
    one, queries = _rolled_back(core_returns, TODAY)
    assert one == {"overdue": 7, "charged": 6, "invoices": 1, "holds_placed": 1, "holds_released": 1}
    assert queries <= 30

    population([str(i) for i in range(1, 30)])
    many = _same_statements(core_returns, TODAY, queries, django_assert_num_queries)
    assert many == {"overdue": 210, "charged": 180, "invoices": 30, "holds_placed": 30, "holds_released": 30}
    with scopes_disabled():
        numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"RE-2026-{i:06d}" for i in range(1, 31)], "one gapless block of numbers"
