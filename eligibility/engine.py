"""The eligibility engine: one function evaluates every programme rule for an organisation.

The same result feeds the applicant's checklist, the reviewer's evidence page and the API. It aggregates in the
database: a fixed number of queries whatever the number of devices.
"""

from dataclasses import asdict, dataclass, field

from django.db import connection
from django.db.models import Case, Count, Q, Subquery, Value, When
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Account, ProductLine
from accounts.selectors import programme_rules_for
from core.tenancy import scope_organisation_id

from .models import Device, EquipmentAttestation, Ownership, ProofOfPurchase, PurchaseSource

APPLICANT_RULES = ("installed_base", "proof_of_purchase", "equipment", "terms")

# The conditions behind "counted", as expressions the database evaluates (also used by the device list).
BOUGHT_FROM_APPLE = Q(purchase_source=PurchaseSource.APPLE)
OWNED_OR_LEASED = Q(ownership__in=[Ownership.OWNED, Ownership.LEASED])
NO_OTHER_WARRANTY = Q(third_party_warranty=False)
HAS_PROOF = Q(proof__isnull=False)
PROOF_NOT_REJECTED = ~Q(proof__status=ProofOfPurchase.Status.REJECTED)
NO_CONFLICT = Q(serial_conflict=False)
COUNTED = BOUGHT_FROM_APPLE & OWNED_OR_LEASED & NO_OTHER_WARRANTY & HAS_PROOF & PROOF_NOT_REJECTED & NO_CONFLICT


@dataclass
class Rule:
    code: str
    passed: bool | None  # None: open (decided by the reviewer, not yet)
    detail: str
    figures: dict = field(default_factory=dict)
    missing: list = field(default_factory=list)


@dataclass
class EligibilityResult:
    eligible: bool
    shortfall: int
    required: int
    counts: dict
    rules: list[Rule]
    invoices_without_proof: list[dict]

    @property
    def gain_from_proofs(self) -> int:
        """Devices that would count if only their invoice were uploaded."""
        return self.rule("proof_of_purchase").figures.get("gain_from_proofs", 0)

    @property
    def reached_minimum(self) -> bool:
        return self.counts["counted"] >= self.required

    def rule(self, code: str) -> Rule:
        return next(r for r in self.rules if r.code == code)

    @property
    def applicant_rules_passed(self) -> bool:
        return all(r.passed for r in self.rules if r.code in APPLICANT_RULES)

    @property
    def failing_applicant_rules(self) -> list[Rule]:
        return [r for r in self.rules if r.code in APPLICANT_RULES and not r.passed]

    def as_api(self) -> dict:
        return {
            "eligible": self.eligible,
            "shortfall": self.shortfall,
            "required": self.required,
            "counts": self.counts,
            "rules": [asdict(r) for r in self.rules],
            "invoices_without_proof": self.invoices_without_proof,
        }


def n(value: int) -> str:
    """A count as the reader's language writes it (1.000 in German)."""
    return number_format(value, force_grouping=True)


# The columns that decide counting, packed into one small integer per row: grouping by it is cheap.
COUNTS_SQL = """
    SELECT product_line,
           -- Postgres gives | and << the same precedence: every shift is parenthesised
           (purchase_source = 'apple')::int
           | ((ownership IN ('owned', 'leased'))::int << 1)
           | (third_party_warranty::int << 2)
           | (serial_conflict::int << 3)
           | ((proof_id IS NOT NULL)::int << 4)
           | (coalesce(proof_id IN (SELECT id FROM eligibility_proofofpurchase
                                    WHERE organisation_id = %(org)s AND status = 'rejected'), false)::int << 5),
           count(*)
    FROM eligibility_device
    WHERE organisation_id = %(org)s
    GROUP BY 1, 2
"""


def _device_groups(organisation) -> list[dict]:
    """The organisation's devices grouped by the columns that decide counting: a few dozen groups at most.

    On PostgreSQL one raw query (its organisation is the open scope's, as for the scoped managers) packs the deciding
    columns into bit flags; on SQLite, the embedded default, the ORM groups by the columns themselves.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(COUNTS_SQL, {"org": scope_organisation_id(expected=organisation)})
            rows = cursor.fetchall()
        return [
            {
                "product_line": line,
                "apple": bool(f & 1),
                "owned": bool(f & 2),
                "third_party_warranty": bool(f & 4),
                "serial_conflict": bool(f & 8),
                "has_proof": bool(f & 16),
                "proof_rejected": bool(f & 32),
                "n": n,
            }
            for line, f, n in rows
        ]
    rejected = ProofOfPurchase.objects.filter(organisation=organisation, status=ProofOfPurchase.Status.REJECTED)
    groups = (
        Device.objects.filter(organisation=organisation)
        .annotate(
            has_proof=Case(When(proof__isnull=False, then=Value(True)), default=Value(False)),
            proof_rejected=Case(
                When(proof__in=Subquery(rejected.values("pk")), then=Value(True)), default=Value(False)
            ),
        )
        .values(
            "product_line",
            "purchase_source",
            "ownership",
            "third_party_warranty",
            "serial_conflict",
            "has_proof",
            "proof_rejected",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    owned_or_leased = {Ownership.OWNED, Ownership.LEASED}
    return [
        {**g, "apple": g["purchase_source"] == PurchaseSource.APPLE, "owned": g["ownership"] in owned_or_leased}
        for g in groups
    ]


def _invoices_without_proof(organisation, limit: int = 10) -> list[dict]:
    """The invoice numbers most worth uploading (a partial index keeps this cheap)."""
    return list(
        Device.objects.filter(organisation=organisation, proof__isnull=True)
        .exclude(invoice_number="")
        .values("invoice_number")
        .annotate(devices=Count("pk"))
        .order_by("-devices", "invoice_number")[:limit]
    )


def _device_counts(groups: list[dict]) -> dict:
    counts = dict.fromkeys(
        [
            "total",
            "counted",
            "without_proof",
            "proof_rejected",
            "not_bought_from_apple",
            "third_party_warranty",
            "not_owned",
            "needs_clarification",
            "missing_only_proof",
        ],
        0,
    )
    by_line = dict.fromkeys(ProductLine.values, 0)
    total_by_line = dict.fromkeys(ProductLine.values, 0)
    for g in groups:
        n = g["n"]
        apple, owned = g["apple"], g["owned"]
        clean = apple and owned and not g["third_party_warranty"] and not g["serial_conflict"]
        counts["total"] += n
        total_by_line[g["product_line"]] = total_by_line.get(g["product_line"], 0) + n
        counts["without_proof"] += 0 if g["has_proof"] else n
        counts["proof_rejected"] += n if g["has_proof"] and g["proof_rejected"] else 0
        counts["not_bought_from_apple"] += 0 if apple else n
        counts["third_party_warranty"] += n if g["third_party_warranty"] else 0
        counts["not_owned"] += 0 if owned else n
        counts["needs_clarification"] += n if g["serial_conflict"] else 0
        # devices that would count but for their proof: what uploading the invoices would gain
        counts["missing_only_proof"] += n if clean and not g["has_proof"] else 0
        if clean and g["has_proof"] and not g["proof_rejected"]:
            counts["counted"] += n
            by_line[g["product_line"]] = by_line.get(g["product_line"], 0) + n
    return {**counts, "by_product_line": by_line, "total_by_product_line": total_by_line}


def eligibility_evaluate(*, organisation) -> EligibilityResult:
    """Every rule with passed, the figures behind it and what is missing. Five queries, whatever the number of
    devices."""
    programme = programme_rules_for(organisation)
    required = programme.min_installed_base
    counts = _device_counts(_device_groups(organisation))
    invoices = _invoices_without_proof(organisation)
    equipment = {
        e["item"]: e
        for e in EquipmentAttestation.objects.filter(organisation=organisation).values("item", "present", "detail")
    }
    account = Account.objects.filter(organisation=organisation).values(
        "terms_accepted", "service_history_ok", "credit_line_ok"
    ).first() or {"terms_accepted": False, "service_history_ok": None, "credit_line_ok": None}

    counted = counts["counted"]
    shortfall = max(required - counted, 0)
    rules: list[Rule] = []

    rules.append(
        Rule(
            code="installed_base",
            passed=counted >= required,
            detail=_("%(counted)s of %(required)s devices counted.") % {"counted": n(counted), "required": n(required)}
            if counted < required
            else _("%(counted)s devices counted; %(required)s are required.")
            % {"counted": n(counted), "required": n(required)},
            figures={"counted": counted, "required": required, "shortfall": shortfall, "total": counts["total"]},
            missing=[_("%(n)s more counted devices") % {"n": n(shortfall)}] if shortfall else [],
        )
    )

    without_proof = counts["without_proof"]
    proof_missing = []
    if without_proof:
        proof_missing.append(
            ngettext(
                "%(n)s device lacks a proof of purchase",
                "%(n)s devices lack a proof of purchase",
                without_proof,
            )
            % {"n": n(without_proof)}
        )
        if invoices:
            shown = [i["invoice_number"] for i in invoices[:5]]
            proof_missing.append(
                ngettext("Upload invoice %(numbers)s", "Upload invoices %(numbers)s", len(shown))
                % {"numbers": ", ".join(shown)}
            )
    if counts["proof_rejected"]:
        proof_missing.append(
            ngettext(
                "%(n)s device has a rejected proof", "%(n)s devices have a rejected proof", counts["proof_rejected"]
            )
            % {"n": n(counts["proof_rejected"])}
        )
    proofed = counts["total"] - without_proof - counts["proof_rejected"]
    # The rule passes when enough devices are backed by proofs to reach the minimum.
    proof_passed = counts["total"] > 0 and proofed >= required
    rules.append(
        Rule(
            code="proof_of_purchase",
            passed=proof_passed,
            detail=_("%(proofed)s of %(total)s devices are backed by a proof of purchase.")
            % {"proofed": n(proofed), "total": n(counts["total"])},
            figures={
                "with_proof": proofed,
                "without_proof": without_proof,
                "proof_rejected": counts["proof_rejected"],
                "gain_from_proofs": counts["missing_only_proof"],
            },
            missing=proof_missing,
        )
    )

    labels = dict(EquipmentAttestation.Item.choices)
    absent = [
        str(labels[item]) for item in EquipmentAttestation.Item.values if not equipment.get(item, {}).get("present")
    ]
    rules.append(
        Rule(
            code="equipment",
            passed=not absent,
            detail=_("All equipment is in place.")
            if not absent
            else _("%(n)s of %(total)s items are not confirmed yet.") % {"n": len(absent), "total": len(labels)},
            figures={"confirmed": len(labels) - len(absent), "required": len(labels)},
            missing=absent,
        )
    )

    rules.append(
        Rule(
            code="terms",
            passed=bool(account["terms_accepted"]),
            detail=_("The programme terms are accepted.")
            if account["terms_accepted"]
            else _("The programme terms are not accepted yet."),
            missing=[] if account["terms_accepted"] else [_("Accept the programme terms")],
        )
    )

    for code, value in (("service_history", account["service_history_ok"]), ("credit_line", account["credit_line_ok"])):
        if value is None:
            detail = _("The Apple reviewer decides this.")
        elif value:
            detail = _("Confirmed by the Apple reviewer.")
        else:
            detail = _("Not confirmed by the Apple reviewer.")
        rules.append(Rule(code=code, passed=value, detail=detail))

    eligible = all(r.passed for r in rules)
    api_counts = {
        "total": counts["total"],
        "counted": counted,
        "by_product_line": counts["by_product_line"],
        "total_by_product_line": counts["total_by_product_line"],
        "without_proof": without_proof,
        "not_bought_from_apple": counts["not_bought_from_apple"],
        "third_party_warranty": counts["third_party_warranty"],
        "not_owned": counts["not_owned"],
        "proof_rejected": counts["proof_rejected"],
        "needs_clarification": counts["needs_clarification"],
    }
    return EligibilityResult(
        eligible=eligible,
        shortfall=shortfall,
        required=required,
        counts=api_counts,
        rules=rules,
        invoices_without_proof=invoices,
    )
