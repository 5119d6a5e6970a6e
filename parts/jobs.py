"""The daily parts jobs: the credit lines (exposure, the day's snapshot, the credit hold) and the core returns
(overdue, charged, the core-returns hold). Each is set-based over every organisation at once: a fixed number of
queries however many organisations there are, all in one transaction, and idempotent: a second run on the same day
changes nothing and tells no one (unique keys decide what was already placed, charged or written)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Min, OuterRef, Q, Subquery, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from accounts.audit_actions import HOLD_PLACED, HOLD_RELEASED
from accounts.holds import holds_place_bulk, holds_release_bulk
from accounts.models import Account, Hold
from accounts.selectors import DEFAULT_COUNTRY, organisation_admins_by_id, programme_rules_by_country
from core.audit import audit_record_bulk
from core.jobs import register_job
from core.models import Price
from core.money import money
from core.notifications import notify_bulk
from core.prices import part_item

from .audit_actions import CORES_CHARGED, INVOICE_ISSUED
from .models import CoreReturn, CreditLine, CreditSnapshot, Invoice, InvoiceLine, PartsOrder
from .services import Charge, cores_unresolved, invoices_issue_bulk

ZERO = Decimal("0.00")
APPROVED = Q(organisation__account__status=Account.Status.APPROVED)


def _rules_for(rules: dict, country: str):
    return rules.get(country) or rules[DEFAULT_COUNTRY]


def _notes(admins, org_id: int, template: str, context: dict, url: str) -> list[dict]:
    return [
        {
            "user": m.user,
            "organisation": m.organisation,
            "template": template,
            "context": context,
            "url": url.format(slug=m.organisation.slug),
        }
        for m in admins[org_id]
    ]


def _hold_entries(placed, released, reason: str, figures: dict) -> list[dict]:
    """The audit entries of holds placed (``(hold id, organisation id, line)``) and released (``{id,
    organisation_id}``) by a job."""
    entries = [
        {
            "organisation_id": org_id,
            "action": HOLD_PLACED,
            "object_type": "accounts.hold",
            "object_id": hold_id,
            "object_repr": reason,
            "after": {"reason": reason, **figures.get(org_id, {})},
        }
        for hold_id, org_id, _line in placed
    ]
    entries += [
        {
            "organisation_id": h["organisation_id"],
            "action": HOLD_RELEASED,
            "object_type": "accounts.hold",
            "object_id": h["id"],
            "object_repr": reason,
            "before": {"reason": reason},
            "after": {"released": True},
        }
        for h in released
    ]
    return entries


# --- The credit lines -----------------------------------------------------------------------------------------


@dataclass
class _Line:
    limit: Decimal
    unpaid: Decimal
    open_orders: Decimal
    oldest_due: datetime.date | None
    grace: int

    @property
    def exposure(self) -> Decimal:
        return self.unpaid + self.open_orders

    def overdue(self, today: datetime.date) -> bool:
        return self.oldest_due is not None and self.oldest_due < today - datetime.timedelta(days=self.grace)

    @property
    def over_limit(self) -> bool:
        return self.exposure > self.limit


@register_job("credit_lines")
def credit_lines(*, today: datetime.date) -> dict:
    """Every approved account's exposure (unpaid invoices plus open orders, net), kept on its credit line and in
    the day's snapshot; the credit hold placed where an invoice is long overdue or the exposure is over the limit,
    and lifted where neither is so any more."""
    with scopes_disabled(), transaction.atomic():  # a cross-tenant job; every query names its organisations
        return _credit_run(today)


def _credit_run(today: datetime.date) -> dict:
    now = timezone.now()
    accounts = {
        a["organisation_id"]: a
        for a in Account.objects.filter(status=Account.Status.APPROVED).values(
            "organisation_id", "credit_limit", "organisation__country"
        )
    }
    rules = programme_rules_by_country({a["organisation__country"] for a in accounts.values()})
    # The two aggregates of the exposure, grouped by organisation.
    unpaid = {
        r["organisation_id"]: r
        for r in Invoice.objects.filter(APPROVED, status=Invoice.Status.OPEN)
        .order_by()
        .values("organisation_id")
        .annotate(net=Sum("net"), oldest_due=Min("due_on"))
    }
    orders = dict(
        PartsOrder.objects.filter(APPROVED, status__in=PartsOrder.OPEN)
        .order_by()
        .values("organisation_id")
        .annotate(total=Sum("total"))
        .values_list("organisation_id", "total")
    )
    lines = {
        org_id: _Line(
            limit=money(a["credit_limit"] or 0),
            unpaid=money(unpaid[org_id]["net"] if org_id in unpaid else 0),
            open_orders=money(orders.get(org_id) or 0),
            oldest_due=unpaid[org_id]["oldest_due"] if org_id in unpaid else None,
            grace=_rules_for(rules, a["organisation__country"]).credit_hold_overdue_days,
        )
        for org_id, a in accounts.items()
    }

    # One upsert keeps every exposure (and makes the credit lines not there yet), one writes the day's snapshot:
    # INSERT … ON CONFLICT DO UPDATE, so a second run the same day overwrites with the same figures.
    CreditLine.objects.bulk_create(
        [CreditLine(organisation_id=o, exposure=line.exposure, computed_at=now) for o, line in sorted(lines.items())],
        update_conflicts=True,
        unique_fields=["organisation"],
        update_fields=["exposure", "computed_at"],
    )
    CreditSnapshot.objects.bulk_create(
        [
            CreditSnapshot(organisation_id=o, day=today, limit=line.limit, exposure=line.exposure)
            for o, line in sorted(lines.items())
        ],
        update_conflicts=True,
        unique_fields=["organisation", "day"],
        update_fields=["limit", "exposure"],
    )

    breach = {o for o, line in lines.items() if line.overdue(today) or line.over_limit}
    open_holds = list(
        Hold.objects.filter(reason=Hold.Reason.CREDIT, released_at__isnull=True).values("id", "organisation_id")
    )
    held = {h["organisation_id"] for h in open_holds}
    placed = holds_place_bulk(rows=[(o, Hold.Reason.CREDIT.value, "") for o in sorted(breach - held)])
    # Only approved accounts are reviewed: a suspended account's hold stays until it is approved again.
    released = [h for h in open_holds if h["organisation_id"] in lines and h["organisation_id"] not in breach]
    holds_release_bulk(hold_ids=[h["id"] for h in released], note="credit resolved")

    _credit_tell(today, lines, placed, released)
    return {
        "credit_lines": len(lines),
        "over_limit": sum(1 for line in lines.values() if line.over_limit),
        "overdue": sum(1 for line in lines.values() if line.overdue(today)),
        "holds_placed": len(placed),
        "holds_released": len(released),
    }


def _credit_tell(today, lines: dict[int, _Line], placed, released) -> None:
    """The admins hear of each credit hold placed, with the overdue invoice or the figures, and of each lifted."""
    concerned = {org for _id, org, _line in placed} | {h["organisation_id"] for h in released}
    if not concerned:
        return
    overdue_orgs = [org for _id, org, _line in placed if lines[org].overdue(today)]
    oldest: dict[int, dict] = {}
    if overdue_orgs:
        for invoice in (
            Invoice.objects.filter(
                organisation_id__in=overdue_orgs,
                status=Invoice.Status.OPEN,
                due_on__lt=today - datetime.timedelta(days=min(lines[o].grace for o in overdue_orgs)),
            )
            .order_by("organisation_id", "due_on", "id")
            .values("organisation_id", "number", "due_on", "gross")
        ):
            oldest.setdefault(invoice["organisation_id"], invoice)
    admins = organisation_admins_by_id(concerned)
    notes, figures = [], {}
    for _hold_id, org_id, _line in placed:
        line = lines[org_id]
        invoice = oldest.get(org_id) if line.overdue(today) else None
        context = {
            "exposure": str(line.exposure),
            "limit": str(line.limit),
            "over_limit": line.over_limit,
            "grace_days": line.grace,
            "invoice_number": invoice["number"] if invoice else "",
            "invoice_due_on": invoice["due_on"].isoformat() if invoice else "",
            "invoice_gross": str(invoice["gross"]) if invoice else "",
            "days_overdue": (today - invoice["due_on"]).days if invoice else 0,
        }
        figures[org_id] = {
            "exposure": context["exposure"],
            "limit": context["limit"],
            **({"invoice": invoice["number"]} if invoice else {}),
        }
        notes += _notes(admins, org_id, "credit_hold", context, "/o/{slug}/credit/")
    for h in released:
        line = lines[h["organisation_id"]]
        context = {"exposure": str(line.exposure), "limit": str(line.limit), "grace_days": line.grace}
        notes += _notes(admins, h["organisation_id"], "credit_hold_released", context, "/o/{slug}/credit/")
    audit_record_bulk(_hold_entries(placed, released, Hold.Reason.CREDIT.value, figures))
    notify_bulk(notes)


# --- The core returns -----------------------------------------------------------------------------------------


@register_job("core_returns")
def core_returns(*, today: datetime.date) -> dict:
    """Cores past their due date become overdue; cores overdue for longer than the programme allows are charged
    the difference to the stock price, one invoice per organisation; the core-returns hold is placed where more
    cores are unresolved than the programme allows, and lifted where no longer so."""
    with scopes_disabled(), transaction.atomic():  # a cross-tenant job; every query names its organisations
        return _cores_run(today)


CORE_FIELDS = (
    "id",
    "organisation_id",
    "due_date",
    "part__part_number",
    "part__description",
    "order_line__order__number",
)


def _core_item(core: dict) -> dict:
    return {
        "part_number": core["part__part_number"],
        "description": core["part__description"],
        "order": core["order_line__order__number"],
        "due_date": core["due_date"].isoformat(),
    }


def _stock_prices(part_numbers) -> dict[str, list[tuple[datetime.date, Decimal]]]:
    """The stock-price history of the parts from the price list, oldest first: one query for all of them."""
    history: dict[str, list] = defaultdict(list)
    if not part_numbers:
        return history
    items = {part_item(n): n for n in part_numbers}
    for item, valid_from, amount in (
        Price.objects.filter(item__in=list(items), kind="stock")
        .order_by("item", "valid_from")
        .values_list("item", "valid_from", "amount")
    ):
        history[items[item]].append((valid_from, amount))
    return history


def _price_on(history: list[tuple[datetime.date, Decimal]], day: datetime.date) -> Decimal | None:
    price = None
    for valid_from, amount in history:
        if valid_from > day:
            break
        price = amount
    return price


def _cores_run(today: datetime.date) -> dict:
    now = timezone.now()
    rules = programme_rules_by_country()  # every country's rules: cores of any organisation may be due

    # Due yesterday or before and not returned: overdue from today (the rows locked, then one update).
    overdue = list(
        CoreReturn.objects.select_for_update(of=("self",))
        .filter(status=CoreReturn.Status.DUE, due_date__lt=today)
        .values(*CORE_FIELDS)
    )
    CoreReturn.objects.filter(status=CoreReturn.Status.DUE, due_date__lt=today).update(
        status=CoreReturn.Status.OVERDUE, overdue_since=today
    )

    # Overdue for longer than the programme's grace: charged, one invoice of charges per organisation. A core has
    # at most one invoice line (a one-to-one key), so it is charged once, ever.
    grace = min((r.core_charge_days for r in rules.values()), default=0)
    candidates = [
        core
        for core in CoreReturn.objects.select_for_update(of=("self",))
        .filter(
            status=CoreReturn.Status.OVERDUE,
            returned_at__isnull=True,
            invoice_line__isnull=True,
            due_date__lt=today - datetime.timedelta(days=grace),
        )
        .order_by("organisation_id", "due_date", "id")
        .values(
            *CORE_FIELDS,
            "organisation__country",
            "organisation__language",
            "part__stock_price",
            "order_line__unit_price",
            "order_line__order__submitted_at",
            "order_line__order__created_at",
        )
        if core["due_date"] + datetime.timedelta(days=_rules_for(rules, core["organisation__country"]).core_charge_days)
        < today
    ]
    prices = _stock_prices({c["part__part_number"] for c in candidates})
    charges: dict[int, list[Charge]] = defaultdict(list)
    for core in candidates:
        ordered = core["order_line__order__submitted_at"] or core["order_line__order__created_at"]
        stock = _price_on(prices[core["part__part_number"]], timezone.localdate(ordered))
        if stock is None:  # a part never on the price list (entered before it existed): today's catalogue price
            stock = core["part__stock_price"]
        charge = max(money(stock - core["order_line__unit_price"]), ZERO)
        with translation.override(core["organisation__language"]):
            description = _("Core not returned: %(description)s, order %(order)s") % {
                "description": core["part__description"],
                "order": core["order_line__order__number"],
            }
        charges[core["organisation_id"]].append(
            Charge(
                kind=InvoiceLine.Kind.CORE_CHARGE,
                description=description,
                quantity=1,
                unit_price=charge,
                part_number=core["part__part_number"],
                core_return_id=core["id"],
            )
        )
    invoices = invoices_issue_bulk(charges_by_organisation=dict(charges), issued_on=today, kind=Invoice.Kind.CHARGES)
    if invoices:
        # Every core just invoiced: its charge is its invoice line's net, in one update.
        CoreReturn.objects.filter(status=CoreReturn.Status.OVERDUE, invoice_line__isnull=False).update(
            status=CoreReturn.Status.CHARGED,
            charged_at=now,
            charge=Subquery(InvoiceLine.objects.filter(core_return_id=OuterRef("pk")).values("net")[:1]),
        )

    # The hold: more unresolved cores (overdue, or charged and unpaid, and not sent back) than the programme allows.
    counts = {
        r["organisation_id"]: r
        for r in cores_unresolved()
        .filter(returned_at__isnull=True)
        .order_by()
        .values("organisation_id", "organisation__country", "organisation__account__status")
        .annotate(n=Count("id", distinct=True))
    }

    def too_many(org_id: int) -> bool:
        row = counts.get(org_id)
        return row is not None and row["n"] > _rules_for(rules, row["organisation__country"]).overdue_cores_hold

    open_holds = list(
        Hold.objects.filter(reason=Hold.Reason.CORE_RETURNS, released_at__isnull=True).values(
            "id", "organisation_id", "organisation__country"
        )
    )
    held = {h["organisation_id"] for h in open_holds}
    placed = holds_place_bulk(
        rows=[
            (org_id, Hold.Reason.CORE_RETURNS.value, "")
            for org_id, row in sorted(counts.items())
            if row["organisation__account__status"] == Account.Status.APPROVED
            and too_many(org_id)
            and org_id not in held
        ]
    )
    released = [h for h in open_holds if not too_many(h["organisation_id"])]
    holds_release_bulk(hold_ids=[h["id"] for h in released], note="cores resolved")

    charged_ids = {c["id"] for c in candidates}
    still_overdue = [c for c in overdue if c["id"] not in charged_ids]
    _cores_tell(rules, still_overdue, invoices, charges, counts, placed, released)
    return {
        "overdue": len(overdue),
        "charged": len(candidates),
        "invoices": len(invoices),
        "holds_placed": len(placed),
        "holds_released": len(released),
    }


MAX_LISTED = 50  # cores listed in one email; the core-returns page lists them all


def _cores_tell(rules, overdue, invoices, charges, counts, placed, released) -> None:
    """Audit entries and notifications for what changed, in two inserts whatever the number."""
    overdue_by_org: dict[int, list[dict]] = defaultdict(list)
    for core in overdue:
        overdue_by_org[core["organisation_id"]].append(core)
    concerned = (
        set(overdue_by_org)
        | set(invoices)
        | {org for _id, org, _line in placed}
        | {h["organisation_id"] for h in released}
    )
    if not concerned:
        return
    admins = organisation_admins_by_id(concerned)
    notes, audit = [], []
    for org_id, cores in sorted(overdue_by_org.items()):
        context = {"count": len(cores), "cores": [_core_item(c) for c in cores[:MAX_LISTED]]}
        notes += _notes(admins, org_id, "core_returns_overdue", context, "/o/{slug}/core-returns/")
    for org_id, invoice in sorted(invoices.items()):
        count = len(charges[org_id])
        audit.append(
            {
                "organisation_id": org_id,
                "action": INVOICE_ISSUED,
                "object_type": "parts.invoice",
                "object_id": invoice.pk,
                "object_repr": invoice.number,
                "after": {"net": invoice.net, "vat": invoice.vat, "gross": invoice.gross, "due_on": invoice.due_on},
            }
        )
        audit.append(
            {
                "organisation_id": org_id,
                "action": CORES_CHARGED,
                "object_type": "parts.invoice",
                "object_id": invoice.pk,
                "object_repr": invoice.number,
                "after": {"count": count, "total": invoice.net, "invoice": invoice.number},
            }
        )
        context = {
            "count": count,
            "invoice_number": invoice.number,
            "net": str(invoice.net),
            "gross": str(invoice.gross),
            "due_on": invoice.due_on.isoformat(),
        }
        notes += _notes(admins, org_id, "cores_charged", context, "/o/{slug}/billing/")
    figures = {}
    for _hold_id, org_id, _line in placed:
        row = counts[org_id]
        limit = _rules_for(rules, row["organisation__country"]).overdue_cores_hold
        figures[org_id] = {"unresolved": row["n"], "allowed": limit}
        context = {"unresolved": row["n"], "allowed": limit}
        notes += _notes(admins, org_id, "core_returns_hold", context, "/o/{slug}/core-returns/")
    for h in released:
        row = counts.get(h["organisation_id"])
        limit = _rules_for(rules, h["organisation__country"]).overdue_cores_hold
        context = {"unresolved": row["n"] if row else 0, "allowed": limit}
        notes += _notes(admins, h["organisation_id"], "core_returns_hold_released", context, "/o/{slug}/core-returns/")
    audit += _hold_entries(placed, released, Hold.Reason.CORE_RETURNS.value, figures)
    audit_record_bulk(audit)
    notify_bulk(notes)
