"""The inventory import, end to end through the job, with the files people and attackers actually send."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from core.files import FileTooLarge
from eligibility import imports, services
from eligibility.models import Device, DeviceImport
from tests.eligibility import files as f

pytestmark = pytest.mark.django_db


def report_rows(device_import) -> list[list[str]]:
    with device_import.error_report.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_german_excel_csv_is_imported(run_import, organisation):
    rows = [f.german_row(i) for i in range(20)]
    rows[3] = f.german_row(3, ownership="Leasing", warranty="ja", source="Händler", line="iPad")
    device_import = run_import(f.german_excel_csv(rows, encoding="cp1252"))
    assert device_import.status == "succeeded", device_import.failure
    assert (device_import.created, device_import.updated, device_import.error_count) == (20, 0, 0)
    with scope(organisation=organisation):
        leased = Device.objects.get(serial_number=f.serial(3))
        assert Device.objects.get(serial_number=f.serial(0)).model == "MacBook Pro 14? Büro"  # cp1252 umlauts
    assert (leased.ownership, leased.third_party_warranty, leased.purchase_source, leased.product_line) == (
        "leased",
        True,
        "reseller",
        "ipad",
    )
    assert leased.purchase_date.isoformat() == "2024-03-31"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_utf_encodings_with_and_without_bom(run_import, organisation, encoding):
    text = "\r\n".join([";".join(f.HEADER_DE)] + [";".join(f.german_row(i)) for i in range(3)])
    device_import = run_import(text.encode(encoding))
    assert device_import.status == "succeeded" and device_import.created == 3, device_import.failure
    with scope(organisation=organisation):
        assert Device.objects.first().model == "MacBook Pro 14″ Büro"


def test_english_headers_commas_and_words(run_import):
    rows = [[f.serial(i), "iphone", "iPhone 15", "2024-01-15", "apple", "owned", "no", "INV-1"] for i in range(5)]
    device_import = run_import(f.english_csv(rows))
    assert device_import.created == 5 and device_import.error_count == 0


def test_headers_and_values_are_case_insensitive(run_import):
    header = ";".join(h.upper() for h in f.HEADER_DE)
    data = (header + "\n" + "c02aaaaaaaaa;MAC;;;APPLE;EIGENTUM;NEIN;\n").encode()
    device_import = run_import(data)
    assert device_import.created == 1, device_import.errors


def test_xlsx_is_imported_with_real_dates_and_numeric_imeis(run_import, organisation):
    import datetime

    rows = [
        [f.serial(i), "Mac", "iMac", datetime.datetime(2023, 5, 2), "Apple", "Eigentum", "nein", "RE-9"]
        for i in range(4)
    ]
    rows.append([int(f.imei(7)), "iPhone", "iPhone 14", "02.05.2023", "Apple", "Leasing", False, "RE-9"])
    device_import = run_import(f.xlsx(rows), name="inventar.xlsx")
    assert device_import.status == "succeeded", device_import.failure
    assert device_import.created == 5, device_import.errors
    with scope(organisation=organisation):
        assert Device.objects.get(serial_number=f.imei(7)).product_line == "iphone"


def test_reimport_updates_known_serials(run_import, organisation):
    run_import(f.german_excel_csv([f.german_row(i) for i in range(10)]))
    changed = [f.german_row(i, invoice="RE-NEU") for i in range(5, 15)]
    second = run_import(f.german_excel_csv(changed))
    assert (second.created, second.updated) == (5, 5)
    with scope(organisation=organisation):
        assert Device.objects.count() == 15
        assert Device.objects.get(serial_number=f.serial(7)).invoice_number == "RE-NEU"


def test_invalid_rows_are_reported_and_valid_rows_kept(run_import, organisation):
    rows = [f.german_row(i) for i in range(6)]
    rows[1][0] = "KAPUTT"
    rows[2][3] = "31.02.2024"
    rows[3][5] = "Miete"
    rows[4][0] = rows[0][0]  # duplicate serial in the same file
    device_import = run_import(f.german_excel_csv(rows))
    assert device_import.created == 2 and device_import.error_count == 4
    by_row = {e["row"]: e for e in device_import.errors}
    assert set(by_row) == {3, 4, 5, 6}
    assert by_row[3]["column"] == "Seriennummer" and "KAPUTT" in by_row[3]["message"]
    assert by_row[4]["column"] == "Kaufdatum"
    assert by_row[5]["column"] == "Eigentum" and "Miete" in by_row[5]["message"]
    assert "Zeile 2" in by_row[6]["message"]  # German: the uploader's language
    report = report_rows(device_import)
    assert report[0][:3] == ["Zeile", "Spalte", "Meldung"] and len(report) == 5


def test_error_report_defuses_formulas(run_import):
    rows = [f.german_row(0)]
    rows.append(['=HYPERLINK("http://evil")', "+Mac", "@SUM(A1)", "-1", "Apple", "Eigentum", "nein", "=1+1"])
    device_import = run_import(f.german_excel_csv(rows, encoding="utf-8"))
    report = report_rows(device_import)
    for line in report[1:]:
        for cell in line:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    assert any(cell.startswith("'=HYPERLINK") for line in report for cell in line)


def test_nul_bytes_reject_the_row_not_the_file(run_import):
    rows = [f.german_row(i) for i in range(3)]
    rows[1][2] = "Mac\x00Book"
    device_import = run_import(f.german_excel_csv(rows, encoding="utf-8"))
    assert device_import.status == "succeeded" and device_import.created == 2
    assert device_import.errors[0]["row"] == 3 and "NUL" in device_import.errors[0]["message"]


def test_ten_thousand_character_cells_are_reported(run_import):
    rows = [f.german_row(i) for i in range(3)]
    rows[2][2] = "x" * 10_000
    device_import = run_import(f.german_excel_csv(rows, encoding="utf-8"))
    assert device_import.created == 2
    assert "10000" in device_import.errors[0]["message"] and device_import.errors[0]["column"] == "Modell"


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (f.PNG, "PNG"),
        (f.PDF, "PDF"),
        (b"Dies ist ein Brief.\nMit freundlichen Gr\xfc\xdfen\n", "Seriennummer"),
        (b"\x00\x01\x02\x03" * 1000, "Binär"),
        (b"Seriennummer;Modell\nC02AAAAAAAAA;iMac\n", "Pflichtspalten"),
        (b"PK\x03\x04garbage", "beschädigt"),
        (b"   \n\n", "leer"),
    ],
)
def test_a_file_that_is_no_table_fails_as_a_whole(run_import, organisation, data, needle):
    device_import = run_import(data)
    assert device_import.status == "failed"
    assert needle in device_import.failure
    with scope(organisation=organisation):
        assert not Device.objects.exists()


def test_a_zip_bomb_is_refused_unread(run_import):
    device_import = run_import(f.zip_bomb(), name="bomb.xlsx")
    assert device_import.status == "failed" and "schädliche" in device_import.failure


def test_an_xlsx_with_endless_empty_rows_keeps_its_data(run_import, organisation):
    data = f.xlsx_with_empty_rows([f.german_row(i) for i in range(5)], empty_rows=120_000)
    device_import = run_import(data, name="leer.xlsx")
    assert device_import.status == "succeeded", device_import.failure
    assert device_import.created == 5
    assert device_import.error_count == 1 and "leer" in device_import.errors[0]["message"]


def test_an_upload_above_the_limit_is_refused_before_it_is_stored(organisation, admin, settings):
    big = SimpleUploadedFile("gross.csv", b"x")
    big.size = services.MAX_IMPORT_BYTES + 1
    with scope(organisation=organisation), pytest.raises(FileTooLarge):
        services.device_import_start(organisation=organisation, actor=admin, upload=big)
    with scope(organisation=organisation):
        assert not DeviceImport.objects.exists()


def test_running_an_import_again_adds_nothing_twice(run_import, organisation):
    device_import = run_import(f.german_excel_csv([f.german_row(i) for i in range(8)]))
    with scope(organisation=organisation):
        DeviceImport.objects.filter(pk=device_import.pk).update(status="running")  # as if the worker died
        device_import.refresh_from_db()
        imports.device_import_run(device_import=device_import)
        device_import.refresh_from_db()
        assert Device.objects.count() == 8
    assert device_import.status == "succeeded" and device_import.updated == 8


def test_proofs_are_linked_by_invoice_number_during_the_import(run_import, organisation, admin):
    with scope(organisation=organisation):
        services.proof_upload(
            organisation=organisation,
            actor=admin,
            upload=SimpleUploadedFile("r.pdf", f.PDF),
            invoice_number="RE-2024-001",
        )
    run_import(f.german_excel_csv([f.german_row(i) for i in range(3)] + [f.german_row(9, invoice="RE-X")]))
    with scope(organisation=organisation):
        assert Device.objects.filter(proof__isnull=False).count() == 3
        assert Device.objects.get(serial_number=f.serial(9)).proof is None


def test_serials_claimed_by_another_organisation_are_flagged_on_both_sides(
    run_import, organisation, other_organisation
):
    with scope(organisation=other_organisation):
        Device.objects.create(
            organisation=other_organisation,
            serial_number=f.serial(1),
            product_line="mac",
            purchase_source="apple",
            ownership="owned",
        )
    run_import(f.german_excel_csv([f.german_row(i) for i in range(3)]))
    with scope(organisation=organisation):
        assert list(Device.objects.filter(serial_conflict=True).values_list("serial_number", flat=True)) == [
            f.serial(1)
        ]
    with scope(organisation=other_organisation):
        assert Device.objects.get().serial_conflict


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_import_job_runs_on_a_real_worker_through_redis(organisation, admin, settings):
    import time

    from celery.contrib.testing.worker import start_worker

    from ssa_portal.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20, loglevel="WARNING"):
        with scope(organisation=organisation):
            device_import = services.device_import_start(
                organisation=organisation,
                actor=admin,
                upload=SimpleUploadedFile("a.csv", f.german_excel_csv([f.german_row(i) for i in range(30)])),
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with scope(organisation=organisation):
                device_import.refresh_from_db()
            if device_import.status in ("succeeded", "failed"):
                break
            time.sleep(0.2)
    assert device_import.status == "succeeded" and device_import.created == 30
