"""The installed base has two implementations per database; these tests show that they agree.

*The import store* (``eligibility.importer.stores``): on PostgreSQL a ``PostgresStore`` COPYs an organisation's
first inventory straight into the devices table and later ones into a staging table that one set-based
``UPDATE``/``INSERT`` merges; on SQLite a ``SqliteStore`` upserts each batch. ``store_for`` picks by the database, and
neither class runs on the other database (COPY is PostgreSQL's; the SQLite upsert writes the integer ``0`` into a
boolean column, which PostgreSQL refuses). So the import test runs one scenario — a first inventory, a re-import
with changes, duplicates and errors, and the same file once more — through the store of the database it runs on
and compares every step with **fixed expected values, the same for both databases**. CI runs the suite on
PostgreSQL and on SQLite (``.ci/run``), so together the two runs prove that the stores agree; each run also
checks that it went through the branches it claims (direct COPY, then the merge; or the upsert).

*The eligibility counts* (``eligibility.engine._device_groups``): raw SQL packing the deciding columns into bit
flags on PostgreSQL, the ORM grouping by the columns elsewhere. The ORM branch is plain ORM and runs on PostgreSQL
too, so there the test evaluates the same devices through both branches in one process (the ORM branch forced by
giving the engine a connection stand-in that says "sqlite"); on SQLite it evaluates the ORM branch. Both are
compared with an expectation computed by the programme rule written out in Python, over every combination of the
columns that decide counting, and with fixed figures for the imported installed base.
"""

import itertools
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from accounts.models import ProductLine
from eligibility import engine, imports, linking, services
from eligibility.importer import pipeline, stores
from eligibility.models import Device, ProofOfPurchase
from tests.eligibility import files as f

pytestmark = pytest.mark.django_db

ON_POSTGRES = connection.vendor == "postgresql"


# --- the import stores ----------------------------------------------------------------------------------------


def first_inventory() -> bytes:
    """German Excel: ``;``, cp1252, ``DD.MM.YYYY``, ``ja/nein``; four bad rows, a blank one, B's serial."""
    rows = [
        [f.serial(0), "Mac", "MacBook Air", "31.03.2024", "Apple", "Eigentum", "nein", "RE-1"],
        [f.serial(1), "iPhone", "iPhone 15", "01.02.2024", "Apple", "Leasing", "nein", "RE-1"],
        [f.serial(2), "iPad", "", "", "Händler", "Eigentum", "nein", "RE-2"],
        [f.serial(3), "Mac", "iMac Büro", "15.05.2023", "Apple", "Eigentum", "ja", ""],
        [f.serial(4), "Mac", "Mac mini", "01.06.2023", "Apple", "Eigentum", "nein", "RE-1"],  # B lists it too
        [f.serial(0), "Mac", "Doppelt", "31.03.2024", "Apple", "Eigentum", "nein", "RE-1"],  # row 7: duplicate
        ["XYZ", "Mac", "MacBook", "31.03.2024", "Apple", "Eigentum", "nein", "RE-1"],  # row 8: not a serial
        [f.serial(5), "Mac", "MacBook Pro", "32.13.2024", "Apple", "Eigentum", "nein", "RE-1"],  # row 9: date
        [f.imei(7), "iPhone", "iPhone 14", "02.05.2023", "Apple", "Leasing", "nein", "RE-2"],
        [f.serial(6), "iPod", "iPod touch", "01.01.2020", "Apple", "Eigentum", "nein", "RE-3"],
        ["", "", "", "", "", "", "", ""],  # row 12: blank, skipped without a word
        [f.serial(8), "Watch", "Watch", "01.01.2024", "Apple", "Eigentum", "nein", "RE-1"],  # row 13: line
    ]
    return f.german_excel_csv(rows, encoding="cp1252")


def reimport() -> bytes:
    """English headers, commas, ISO dates: changes to known serials, new ones, a duplicate, a bad ownership."""
    return f.english_csv(
        [
            [f.serial(0), "mac", "MacBook Air M3", "2024-03-31", "apple", "leased", "no", "RE-1"],
            [f.serial(1), "iphone", "iPhone 15", "2024-02-01", "apple", "leased", "no", ""],  # loses its proof
            [f.serial(2), "ipad", "iPad Air", "", "apple", "owned", "no", "RE-2"],
            [f.serial(3), "mac", "iMac Büro", "2023-05-15", "apple", "owned", "no", "RE-2"],
            [f.serial(9), "mac", "Mac Studio", "2024-01-10", "apple", "owned", "no", "RE-1"],
            [f.serial(10), "ipad", "iPad mini", "2024-01-11", "apple", "owned", "no", "RE-9"],
            [f.serial(9), "mac", "Mac Studio", "2024-01-10", "apple", "owned", "no", "RE-1"],  # row 8: duplicate
            [f.serial(11), "mac", "Mac Pro", "2024-01-12", "apple", "gemietet", "no", "RE-1"],  # row 9: ownership
            [f.serial(4), "mac", "Mac mini", "2023-06-01", "apple", "owned", "no", "RE-1"],
            ["S" + f.serial(12), "iphone", "iPhone 13", "2023-01-01", "apple", "owned", "yes", "RE-2"],  # barcode S
        ]
    )


def summary(device_import) -> dict:
    return {
        "status": device_import.status,
        "rows": device_import.total_rows,
        "created": device_import.created,
        "updated": device_import.updated,
        "errors": [(e["row"], e["column"]) for e in device_import.errors],
        "rejected_rows": device_import.rejected_rows,
    }


def installed_base(organisation) -> list[tuple]:
    """Each device as stored: its stated values, the invoice of the proof it links to, the conflict flag."""
    with scope(organisation=organisation):
        rows = Device.objects.values_list(
            "serial_number",
            "product_line",
            "model",
            "purchase_date",
            "purchase_source",
            "ownership",
            "third_party_warranty",
            "invoice_number",
            "proof__invoice_number",
            "serial_conflict",
        )
        # sorted in Python: the two databases collate differently
        return sorted((*row[:3], row[3].isoformat() if row[3] else None, *row[4:]) for row in rows)


S = f.serial
AFTER_FIRST = sorted(
    [
        (S(0), "mac", "MacBook Air", "2024-03-31", "apple", "owned", False, "RE-1", "RE-1", False),
        (S(1), "iphone", "iPhone 15", "2024-02-01", "apple", "leased", False, "RE-1", "RE-1", False),
        (S(2), "ipad", "", None, "reseller", "owned", False, "RE-2", None, False),
        (S(3), "mac", "iMac Büro", "2023-05-15", "apple", "owned", True, "", None, False),
        (S(4), "mac", "Mac mini", "2023-06-01", "apple", "owned", False, "RE-1", "RE-1", True),
        (S(6), "ipod", "iPod touch", "2020-01-01", "apple", "owned", False, "RE-3", None, False),
        (f.imei(7), "iphone", "iPhone 14", "2023-05-02", "apple", "leased", False, "RE-2", None, False),
    ]
)
AFTER_REIMPORT = sorted(
    [
        (S(0), "mac", "MacBook Air M3", "2024-03-31", "apple", "leased", False, "RE-1", "RE-1", False),
        (S(1), "iphone", "iPhone 15", "2024-02-01", "apple", "leased", False, "", None, False),
        (S(2), "ipad", "iPad Air", None, "apple", "owned", False, "RE-2", "RE-2", False),
        (S(3), "mac", "iMac Büro", "2023-05-15", "apple", "owned", False, "RE-2", "RE-2", False),
        (S(4), "mac", "Mac mini", "2023-06-01", "apple", "owned", False, "RE-1", "RE-1", True),
        (S(6), "ipod", "iPod touch", "2020-01-01", "apple", "owned", False, "RE-3", None, False),
        (S(9), "mac", "Mac Studio", "2024-01-10", "apple", "owned", False, "RE-1", "RE-1", False),
        (S(10), "ipad", "iPad mini", "2024-01-11", "apple", "owned", False, "RE-9", None, False),
        (S(12), "iphone", "iPhone 13", "2023-01-01", "apple", "owned", True, "RE-2", "RE-2", False),
        (f.imei(7), "iphone", "iPhone 14", "2023-05-02", "apple", "leased", False, "RE-2", "RE-2", False),
    ]
)
# B's organisation is gone by the third import, so S(4)'s conflict has nobody left to conflict with.
AFTER_SAME_AGAIN = [row[:9] + (False,) if row[0] == S(4) else row for row in AFTER_REIMPORT]


@pytest.fixture
def stores_used(monkeypatch):
    """Which store each import went through, and which of its paths."""
    used = []

    def spy(organisation):
        store = stores.store_for(organisation)
        if isinstance(store, stores.PostgresStore):
            used.append("postgres copy" if store.direct else "postgres merge")
        else:
            used.append(type(store).__name__)
        return store

    monkeypatch.setattr(imports, "store_for", spy)
    return used


def _upload_proof(organisation, admin, invoice: str):
    with scope(organisation=organisation):
        services.proof_upload(
            organisation=organisation,
            actor=admin,
            upload=SimpleUploadedFile(f"{invoice}.pdf", f.PDF),
            invoice_number=invoice,
        )


def test_both_import_stores_store_the_same_installed_base(
    run_import, organisation, other_organisation, admin, stores_used, monkeypatch
):
    monkeypatch.setattr(pipeline, "BATCH", 3)  # several batches per file: the stores see rows arrive in parts
    _upload_proof(organisation, admin, "RE-1")
    with scope(organisation=other_organisation):
        Device.objects.create(
            organisation=other_organisation,
            serial_number=S(4),
            product_line="mac",
            purchase_source="apple",
            ownership="owned",
        )

    first = run_import(first_inventory())
    assert summary(first) == {
        "status": "succeeded",
        "rows": 11,
        "created": 7,
        "updated": 0,
        "errors": [(7, "Seriennummer"), (8, "Seriennummer"), (9, "Kaufdatum"), (13, "Produktlinie")],
        "rejected_rows": 4,
    }
    assert installed_base(organisation) == AFTER_FIRST
    assert installed_base(other_organisation) == [
        (S(4), "mac", "", None, "apple", "owned", False, "", None, False)  # B listed it first: B's stays as it is
    ]

    _upload_proof(organisation, admin, "RE-2")  # links S(2) and the IMEI
    second = run_import(reimport(), name="inventory.csv")
    assert summary(second) == {
        "status": "succeeded",
        "rows": 10,
        "created": 3,
        "updated": 5,
        "errors": [(8, "serial_number"), (9, "ownership")],
        "rejected_rows": 2,
    }
    assert installed_base(organisation) == AFTER_REIMPORT

    # B's organisation goes; the cascade leaves A's flag as it was, and the next import of S(4) clears it.
    with scope(organisation=other_organisation):
        Device.objects.filter(organisation=other_organisation).delete()
    third = run_import(reimport(), name="inventory.csv")
    assert summary(third) == {**summary(second), "created": 0, "updated": 8}
    assert installed_base(organisation) == AFTER_SAME_AGAIN

    if ON_POSTGRES:
        assert stores_used == ["postgres copy", "postgres merge", "postgres merge"]
    else:
        assert stores_used == ["SqliteStore"] * 3


# --- the eligibility counts -----------------------------------------------------------------------------------


def evaluate_through_each_branch(organisation, monkeypatch) -> dict[str, dict]:
    """``{branch: result.as_api()}`` for every branch this database can run, each checked to be the one used."""
    results = {}
    branches = ["orm", "sql"] if ON_POSTGRES else ["orm"]
    for branch in branches:
        with monkeypatch.context() as patch:
            if branch == "orm" and ON_POSTGRES:
                patch.setattr(engine, "connection", SimpleNamespace(vendor="sqlite"))
            with scope(organisation=organisation), CaptureQueriesContext(connection) as queries:
                result = engine.eligibility_evaluate(organisation=organisation)
        packed = any("<< 5" in q["sql"] for q in queries.captured_queries)
        assert packed == (branch == "sql"), f"the {branch} branch did not run"
        results[branch] = {
            "counts": result.counts,
            "proofs": result.rule("proof_of_purchase").figures,
            "installed_base": result.rule("installed_base").figures,
            "invoices_without_proof": result.invoices_without_proof,
        }
    return results


PROOF_STATES = [None, "pending", "accepted", "rejected"]


def _grid():
    return itertools.product(
        ProductLine.values,
        ["apple", "reseller", "other"],
        ["owned", "leased", ""],
        [False, True],  # another vendor's warranty
        [False, True],  # serial conflict
        PROOF_STATES,
    )


def expected_by_the_rule(rows) -> dict:
    """The programme rule in plain Python, device by device: what both branches must arrive at."""
    counts = dict.fromkeys(
        [
            "total",
            "counted",
            "without_proof",
            "not_bought_from_apple",
            "third_party_warranty",
            "not_owned",
            "proof_rejected",
            "needs_clarification",
        ],
        0,
    )
    by_line, total_by_line = dict.fromkeys(ProductLine.values, 0), dict.fromkeys(ProductLine.values, 0)
    gain = 0
    for line, source, ownership, warranty, conflict, proof in rows:
        clean = source == "apple" and ownership in ("owned", "leased") and not warranty and not conflict
        counts["total"] += 1
        total_by_line[line] += 1
        counts["without_proof"] += proof is None
        counts["proof_rejected"] += proof == "rejected"
        counts["not_bought_from_apple"] += source != "apple"
        counts["third_party_warranty"] += warranty
        counts["not_owned"] += ownership not in ("owned", "leased")
        counts["needs_clarification"] += conflict
        gain += clean and proof is None
        if clean and proof in ("pending", "accepted"):
            counts["counted"] += 1
            by_line[line] += 1
    return {
        **counts,
        "by_product_line": by_line,
        "total_by_product_line": total_by_line,
        "gain_from_proofs": gain,
        "with_proof": counts["total"] - counts["without_proof"] - counts["proof_rejected"],
    }


def test_both_count_branches_agree_with_the_rule_on_every_combination(organisation, other_organisation, monkeypatch):
    """576 devices, one per combination of the columns that decide counting; B's devices and B's rejected
    proof lie in the same tables and must not reach A's figures."""
    proofs = {}
    for org in (organisation, other_organisation):
        with scope(organisation=org):
            proofs[org.pk] = {
                state: ProofOfPurchase.objects.create(
                    organisation=org,
                    invoice_number=f"RE-{state}",
                    status=state,
                    original_name="x.pdf",
                    content_type="application/pdf",
                    size=1,
                    sha256="0" * 64,
                )
                for state in PROOF_STATES
                if state
            }
    rows = list(_grid())
    for org, prefix, take in ((organisation, "A01", rows), (other_organisation, "B01", rows[::7])):
        with scope(organisation=org):
            Device.objects.bulk_create(
                Device(
                    organisation=org,
                    serial_number=f.serial(i, prefix=prefix),
                    product_line=line,
                    purchase_source=source,
                    ownership=ownership,
                    third_party_warranty=warranty,
                    serial_conflict=conflict,
                    invoice_number=f"RE-{proof}" if proof else "",
                    proof=proofs[org.pk][proof] if proof else None,
                )
                for i, (line, source, ownership, warranty, conflict, proof) in enumerate(take)
            )

    expected = expected_by_the_rule(rows)
    assert (expected["total"], expected["counted"]) == (576, 16)  # 4 lines × owned|leased × pending|accepted
    for branch, result in evaluate_through_each_branch(organisation, monkeypatch).items():
        counts, proof_figures = result["counts"], result["proofs"]
        got = {
            **counts,
            "gain_from_proofs": proof_figures["gain_from_proofs"],
            "with_proof": proof_figures["with_proof"],
        }
        assert got == expected, branch
        assert proof_figures["without_proof"] == expected["without_proof"], branch
        assert proof_figures["proof_rejected"] == expected["proof_rejected"], branch


def test_both_count_branches_give_the_fixed_figures_for_the_imported_base(
    run_import, organisation, other_organisation, admin, monkeypatch
):
    """The installed base of the import scenario, before and after a reviewer rejects invoice RE-1."""
    _upload_proof(organisation, admin, "RE-1")
    with scope(organisation=other_organisation):
        Device.objects.create(
            organisation=other_organisation,
            serial_number=S(4),
            product_line="mac",
            purchase_source="apple",
            ownership="owned",
        )
    run_import(first_inventory())
    _upload_proof(organisation, admin, "RE-2")
    run_import(reimport(), name="inventory.csv")
    assert installed_base(organisation) == AFTER_REIMPORT

    lines = {"mac": 0, "iphone": 0, "ipad": 0, "ipod": 0}
    for branch, result in evaluate_through_each_branch(organisation, monkeypatch).items():
        assert result["counts"] == {
            "total": 10,
            "counted": 5,  # S(0), S(3), S(9) (Mac), S(2) (iPad), the IMEI (iPhone)
            "by_product_line": {**lines, "mac": 3, "iphone": 1, "ipad": 1},
            "total_by_product_line": {"mac": 4, "iphone": 3, "ipad": 2, "ipod": 1},
            "without_proof": 3,  # S(1), S(6), S(10)
            "not_bought_from_apple": 0,
            "third_party_warranty": 1,  # S(12)
            "not_owned": 0,
            "proof_rejected": 0,
            "needs_clarification": 1,  # S(4), which B lists too
        }, branch
        assert result["proofs"] == {
            "with_proof": 7,
            "without_proof": 3,
            "proof_rejected": 0,
            "gain_from_proofs": 3,
        }, branch
        assert result["invoices_without_proof"] == [
            {"invoice_number": "RE-3", "devices": 1},
            {"invoice_number": "RE-9", "devices": 1},
        ], branch

    with scope(organisation=organisation):
        ProofOfPurchase.objects.filter(invoice_number="RE-1").update(status=ProofOfPurchase.Status.REJECTED)
        linking.devices_refresh_conflicts(serials=[S(4)])  # nothing changes: B still lists S(4)
    for branch, result in evaluate_through_each_branch(organisation, monkeypatch).items():
        counts = result["counts"]
        assert counts["counted"] == 3, branch  # S(3), S(2), the IMEI: S(0) and S(9) lost their proof
        assert counts["by_product_line"] == {**lines, "mac": 1, "iphone": 1, "ipad": 1}, branch
        assert counts["proof_rejected"] == 3, branch  # S(0), S(4), S(9)
        assert result["proofs"]["with_proof"] == 4, branch
        assert result["installed_base"] == {"counted": 3, "required": 1000, "shortfall": 997, "total": 10}, branch
