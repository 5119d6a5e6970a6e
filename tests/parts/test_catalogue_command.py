"""``load_parts_catalogue FILE.csv``: the demo catalogue loads, rejected rows are named with their line, a file
without the columns is refused, Windows-1252 with semicolons is read, a second run adds nothing, and a price change
is a new dated entry of the price list beside the old one."""

import datetime
import io
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line
from django_scopes import scopes_disabled

from core.models import AuditEntry, Price
from core.prices import part_item, price_history, price_on
from parts.models import Part

pytestmark = pytest.mark.django_db
DEMO = Path(__file__).resolve().parents[2] / "parts" / "fixtures" / "catalogue.csv"
HEADER = "part_number,description,product_lines,stock_price,exchange_price,core_return,available,kind\n"


def load(path) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("load_parts_catalogue", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def load_failing(path) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("load_parts_catalogue", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue() + str(failure.value)


def write(tmp_path, text: str, *, encoding="utf-8", name="catalogue.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def catalogue_entries() -> int:
    with scopes_disabled():
        return AuditEntry.objects.filter(action="catalogue.loaded").count()


def test_the_demo_catalogue_loads_every_row():
    rows = DEMO.read_text(encoding="utf-8").splitlines()[1:]
    assert 40 <= len(rows) <= 60

    out, err = load(DEMO)

    exchange = sum(1 for p in Part.objects.all() if p.exchange_price is not None)
    assert err == ""
    assert out.strip() == (
        f"Catalogue loaded: {len(rows)} created, 0 updated, 0 unchanged, {len(rows) + exchange} new prices."
    )
    assert Part.objects.count() == len(rows)
    lines = {line for p in Part.objects.all() for line in p.product_lines}
    assert lines == {"mac", "iphone", "ipad", "ipod"}
    for line in lines:  # a replacement unit for every product line
        assert Part.objects.filter(kind="unit", product_lines_key__contains=f"|{line}|").exists()
    board = Part.objects.get(part_number="661-29367")
    assert board.description.startswith("Logic board, MacBook Pro 14-inch")
    assert (board.stock_price, board.exchange_price, board.core_return) == (Decimal("1349.00"), Decimal("879.00"), True)
    assert board.fits_models == "MacBook Pro (14-inch, Nov 2023)"
    assert Part.objects.get(part_number="923-10012").product_lines == ["iphone", "ipad"]
    assert Part.objects.filter(available=False).count() >= 3
    assert all(p.exchange_price is not None for p in Part.objects.filter(core_return=True))
    assert not Part.objects.filter(kind="unit", core_return=False).exists()
    assert price_on(item=part_item("661-29367"), on=datetime.date.today(), kind="exchange") == Decimal("879.00")
    assert catalogue_entries() == 1


def test_loading_the_same_file_again_adds_nothing():
    load(DEMO)
    parts, prices = Part.objects.count(), Price.objects.count()

    out, err = load(DEMO)

    assert out.strip() == f"Catalogue loaded: 0 created, 0 updated, {parts} unchanged, 0 new prices."
    assert (Part.objects.count(), Price.objects.count(), err) == (parts, prices, "")


def test_rejected_rows_are_named_with_their_line_and_the_others_are_loaded(tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "661-40001,Battery iPhone 15,iphone,95.00,,no,yes,part\n"
        + "661-40002,Display iPhone 15,iphone,abc,,no,yes,part\n"
        + "661-40003,Display Apple Watch,watch,100.00,,no,yes,part\n"
        + "661-40004,Logic board MacBook Air,mac,789.00,,yes,yes,part\n"
        + ",No number,mac,1.00,,no,yes,gadget\n",
    )

    out, err = load_failing(path)

    assert "1 created" in out
    assert "line 3: stock_price: Not a price: abc" in err
    assert "line 4: product_lines: Product lines are mac, iphone, ipad and ipod, separated by |." in err
    assert "line 5: exchange_price: A part with a core return needs an exchange price." in err
    assert "line 6: part_number: This field is required.; kind: part or unit." in err
    assert "4 rows were rejected" in err
    assert list(Part.objects.values_list("part_number", flat=True)) == ["661-40001"]


def test_a_rejected_row_makes_the_exit_code_one(tmp_path, capsys):
    path = write(tmp_path, HEADER + "661-40002,Display iPhone 15,iphone,-5,,no,yes,part\n")
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "load_parts_catalogue", str(path)])
    assert exited.value.code == 1
    assert "line 2: stock_price: A price between 0 and 999999.99." in capsys.readouterr().err


def test_a_good_file_exits_normally(tmp_path, capsys):
    path = write(tmp_path, HEADER + "661-40001,Battery iPhone 15,iphone,95.00,,no,yes,part\n")
    execute_from_command_line(["manage.py", "load_parts_catalogue", str(path)])  # no SystemExit: exit code 0
    assert "1 created" in capsys.readouterr().out


def test_a_file_without_the_columns_is_not_a_catalogue(tmp_path):
    path = write(tmp_path, "serial_number,product_line\nC02XK0AAJGH5,mac\n")
    _out, err = load_failing(path)
    assert "is not a catalogue: Columns missing: part_number, description, product_lines, stock_price." in err
    assert Part.objects.count() == 0 and catalogue_entries() == 0


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"\x81\x8d\x90\x9d;;\n", "This is not a CSV text file"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x00", "This is not a CSV text file"),
        (b"", "Columns missing"),
    ],
)
def test_binary_or_empty_files_are_refused(tmp_path, content, why):
    path = tmp_path / "catalogue.csv"
    path.write_bytes(content)
    _out, err = load_failing(path)
    assert "is not a catalogue" in err and why in err
    assert Part.objects.count() == 0


def test_a_missing_file_is_named(tmp_path):
    _out, err = load_failing(tmp_path / "nowhere.csv")
    assert "nowhere.csv" in err


def test_windows_1252_with_semicolons_and_decimal_commas(tmp_path):
    path = write(
        tmp_path,
        "part_number;description;product_lines;stock_price;exchange_price;core_return;available;kind;fits_models\r\n"
        '661-41001;Gehäuse unten, MacBook Air 13" – Mitternacht;mac;89,50;;nein;ja;part;MacBook Air (M2, 2022)\r\n'
        "661-41002;Austauschgerät iPad (10. Generation), 64 GB;ipad;449,00;299,00;ja;ja;unit;iPad (10. Generation)\r\n",
        encoding="cp1252",
    )

    out, err = load(path)

    assert "2 created" in out and err == ""
    case = Part.objects.get(part_number="661-41001")
    assert case.description == 'Gehäuse unten, MacBook Air 13" – Mitternacht'
    assert (case.stock_price, case.exchange_price, case.core_return) == (Decimal("89.50"), None, False)
    unit = Part.objects.get(part_number="661-41002")
    assert (unit.kind, unit.exchange_price, unit.core_return, unit.product_lines) == (
        "unit",
        Decimal("299.00"),
        True,
        ["ipad"],
    )
    assert unit.fits_models == "iPad (10. Generation)"


def test_a_price_change_is_a_new_dated_entry_and_the_old_price_stays(tmp_path):
    monday, friday = datetime.date(2026, 3, 2), datetime.date(2026, 3, 6)
    row = "661-40001,Battery iPhone 15,iphone,{price},,no,yes,part\n"
    with mock.patch("django.utils.timezone.localdate", return_value=monday):
        load(write(tmp_path, HEADER + row.format(price="95.00")))
    with mock.patch("django.utils.timezone.localdate", return_value=friday):
        out, _err = load(write(tmp_path, HEADER + row.format(price="99.00")))

    assert "0 created, 1 updated, 0 unchanged, 1 new prices" in out
    assert Part.objects.get(part_number="661-40001").stock_price == Decimal("99.00")
    history = [(p.valid_from, p.amount) for p in price_history(item=part_item("661-40001"))]
    assert history == [(friday, Decimal("99.00")), (monday, Decimal("95.00"))]
    assert price_on(item=part_item("661-40001"), on=datetime.date(2026, 3, 4)) == Decimal("95.00")
    assert price_on(item=part_item("661-40001"), on=friday) == Decimal("99.00")
