"""The inventory import, end to end through the job, with the files people and attackers actually send."""

import csv
import datetime
import io

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from core.files import FileTooLarge
from core.jobs import JOBS
from core.models import AuditEntry
from eligibility import imports, services, tasks
from eligibility.importer.reader import open_table
from eligibility.jobs import STUCK_MESSAGE
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


def test_serials_another_organisation_listed_first_are_flagged_on_the_later_side_only(
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
        assert not Device.objects.get().serial_conflict  # the earlier claim keeps counting (issue #9, finding 1)


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


# --- hostile files (issue #9) ----------------------------------------------------------------------------------
# The new messages are asserted in English (the uploader's language): the German catalogue follows from the msgids.


@pytest.fixture
def english(admin):
    admin.language = "en"
    admin.save(update_fields=["language"])
    return admin


def test_an_xlsx_claiming_the_whole_sheet_is_read_in_bounded_work(run_import, organisation, english):
    data = f.xlsx_dimension_bomb(f.german_row(1))
    # Deterministic: the reader makes up no columns and hands on the invented empty rows as empty rows.
    table = open_table(io.BytesIO(data))
    assert table.header == f.HEADER_DE
    cells = 0
    for number, row in table.rows:
        cells += len(row)
        if number > 200_000:
            break
    assert cells == len(f.HEADER_DE)  # the one device in row 2; nothing for the 200 000 rows without cells
    device_import = run_import(data, name="bombe.xlsx")
    assert device_import.status == "succeeded", device_import.failure
    assert device_import.created == 1 and device_import.total_rows == 1
    assert device_import.error_count == 1 and "empty" in device_import.errors[0]["message"]


@pytest.mark.django_db(transaction=True)  # the aborted COPY would end the test's transaction
def test_an_import_that_runs_too_long_fails_with_a_clear_message(run_import, organisation, settings, english):
    settings.IMPORT_MAX_SECONDS = 0
    device_import = run_import(f.german_excel_csv([f.german_row(i) for i in range(5)]))
    assert device_import.status == "failed" and device_import.finished_at
    assert "took too long" in device_import.failure and "Split the file" in device_import.failure
    with scope(organisation=organisation):
        assert not Device.objects.exists()


@pytest.mark.django_db(transaction=True)  # the aborted COPY would end the test's transaction
def test_the_workers_soft_time_limit_fails_the_import_with_a_clear_message(run_import, monkeypatch, english):
    assert tasks.device_import_run.soft_time_limit
    assert not tasks.device_import_run.time_limit  # a hard kill would redeliver the task, again and again

    def too_slow(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(imports, "process", too_slow)
    device_import = run_import(f.german_excel_csv([f.german_row(1)]))
    assert device_import.status == "failed" and "took too long" in device_import.failure


def _stuck_import(organisation, admin, *, minutes_ago: int, status="running"):
    with scope(organisation=organisation):
        return DeviceImport.objects.create(
            organisation=organisation,
            original_name=f"{minutes_ago}.csv",
            status=status,
            created_by=admin,
            started_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        )


@pytest.mark.postgres
def test_the_stuck_imports_job_fails_imports_whose_worker_died(
    organisation, other_organisation, admin, outsider, settings, django_assert_max_num_queries
):
    settings.IMPORT_MAX_SECONDS = 30 * 60
    outsider.language = "en"
    outsider.save(update_fields=["language"])
    stuck = _stuck_import(organisation, admin, minutes_ago=120)
    stuck_elsewhere = _stuck_import(other_organisation, outsider, minutes_ago=45)
    recent = _stuck_import(organisation, admin, minutes_ago=5)
    queued = _stuck_import(organisation, admin, minutes_ago=120, status="queued")
    # the select, one update per language (two here), the audit insert, and the test's savepoint around them
    with django_assert_max_num_queries(6):
        result = JOBS["device_imports_stuck"](today=datetime.date.today())
    assert result == {"failed": 2}
    with scope(organisation=organisation):
        for device_import in (stuck, recent, queued):
            device_import.refresh_from_db()
    with scope(organisation=other_organisation):
        stuck_elsewhere.refresh_from_db()
    assert (stuck.status, recent.status, queued.status) == ("failed", "running", "queued")
    with translation.override("de"):
        assert stuck.finished_at and stuck.failure == str(STUCK_MESSAGE)  # in the German admin's language
    assert stuck_elsewhere.status == "failed" and "stopped" in stuck_elsewhere.failure  # the English uploader's
    assert "upload the file again" in stuck_elsewhere.failure
    with scopes_disabled():
        entries = list(AuditEntry.objects.filter(action="device_import.failed"))
    assert sorted((e.organisation_id, e.object_id) for e in entries) == sorted(
        [(organisation.pk, str(stuck.pk)), (other_organisation.pk, str(stuck_elsewhere.pk))]
    )
    assert JOBS["device_imports_stuck"](today=datetime.date.today()) == {"failed": 0}  # idempotent


def test_the_stuck_imports_job_is_on_the_beat_schedule(settings):
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e.get("args") == ["device_imports_stuck"]]
    assert entries and entries[0]["task"] == "core.tasks.run_periodic_job"


def test_a_redelivered_import_long_past_its_time_fails_instead_of_running_again(organisation, english, settings):
    settings.IMPORT_MAX_SECONDS = 30 * 60
    device_import = _stuck_import(organisation, english, minutes_ago=120)
    with scope(organisation=organisation):
        imports.device_import_run(device_import=device_import)
        device_import.refresh_from_db()
    assert device_import.status == "failed" and "stopped" in device_import.failure


def test_an_unterminated_quote_swallows_no_rows(run_import, organisation, english):
    lines = [
        ";".join(f.HEADER_DE),
        ";".join(f.german_row(0)),
        f'{f.serial(1)};Mac;"MacBook Pro 14;31.03.2024;Apple;Eigentum;nein;RE-1',  # row 3: the quote never closes
        ";".join(f.german_row(2)),
        ";".join(f.german_row(3, invoice="RE-2")),
        f'{f.serial(4)};Mac;"iMac";31.03.2024;Apple;Eigentum;nein;RE-1',  # closes the row 3 quote for the parser
        ";".join(f.german_row(5)),
    ]
    device_import = run_import(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    assert device_import.status == "succeeded", device_import.failure
    assert (device_import.created, device_import.rejected_rows, device_import.error_count) == (5, 1, 1)
    error = device_import.errors[0]
    assert error["row"] == 3 and error["column"] == "Modell" and "quotation mark" in error["message"]
    with scope(organisation=organisation):
        assert Device.objects.get(serial_number=f.serial(2)).model == "MacBook Pro 14″ Büro"
        assert Device.objects.get(serial_number=f.serial(4)).model == "iMac"
        assert not Device.objects.filter(serial_number=f.serial(1)).exists()
    assert [r[0] for r in report_rows(device_import)[1:]] == ["3"]


def test_a_quote_still_open_at_the_end_of_the_file_is_reported(run_import, organisation, english):
    lines = [";".join(f.HEADER_DE), ";".join(f.german_row(0)), f"{f.serial(1)};Mac;MacBook;31.03.2024;Apple;"]
    data = ("\r\n".join(lines) + '"Eigentum;nein;RE-1\r\n').encode("utf-8")
    device_import = run_import(data)
    assert (device_import.created, device_import.rejected_rows) == (1, 1)
    assert device_import.errors[0]["row"] == 3 and device_import.errors[0]["column"] == "Eigentum"
    assert "quotation mark" in device_import.errors[0]["message"]


def test_a_quoted_cell_with_a_line_break_is_still_one_cell(run_import, organisation):
    lines = [";".join(f.HEADER_DE), f'{f.serial(1)};Mac;"MacBook\r\nPro";31.03.2024;Apple;Eigentum;nein;RE-1']
    device_import = run_import(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    assert (device_import.created, device_import.error_count) == (1, 0), device_import.errors


@pytest.mark.parametrize("serial", ["ß0123456789", "０１２３４５６７８９ＡＢ", "С02XL0GHJGH5", "c02xl0ghjgh5ı"])
def test_serials_outside_ascii_are_rejected_in_the_import(run_import, organisation, english, serial):
    row = f.german_row(0)
    row[0] = serial
    device_import = run_import(f.german_excel_csv([row, f.german_row(1)], encoding="utf-8"))
    assert (device_import.created, device_import.rejected_rows) == (1, 1)
    assert device_import.errors[0]["column"] == "Seriennummer" and "A–Z" in device_import.errors[0]["message"]
