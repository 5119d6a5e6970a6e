import datetime

import pytest

from eligibility import validation as v
from tests.eligibility.files import imei


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" c02xl0ghjgh5 ", "C02XL0GHJGH5"),  # trimmed, upper-case
        ("C02XL0GHJG", "C02XL0GHJG"),  # 10 characters
        ("SC02XL0GHJGH5", "C02XL0GHJGH5"),  # the barcode's S prefix
        ("DMPXK1ABCD12", "DMPXK1ABCD12"),
        ("C02-XL0-GHJGH5", "C02XL0GHJGH5"),
        (imei(1), imei(1)),
        (float(imei(2)), imei(2)),  # Excel made a number of it
    ],
)
def test_valid_serials_and_imeis(raw, expected):
    assert v.parse_serial(raw) == expected


@pytest.mark.parametrize("raw", ["", "ABC", "C02XL0GHJGH5X9", "C02XL0GHJ#H5", "356789012345678", "35678901234567"])
def test_invalid_serials_are_refused_with_a_message(raw):
    with pytest.raises(ValueError) as excinfo:
        v.parse_serial(raw)
    assert str(excinfo.value)


def test_imei_check_digit():
    good = imei(123)
    assert v.luhn_ok(good)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(ValueError, match="IMEI"):
        v.parse_serial(bad)


def test_lookup_candidates_try_as_given_then_without_s():
    assert v.serial_candidates("sC02XL0GHJGH5") == ["SC02XL0GHJGH5", "C02XL0GHJGH5"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("ja", True), ("Nein", False), ("TRUE", True), ("0", False), ("", False), (1, True), (False, False)],
)
def test_booleans_in_german_and_english(raw, expected):
    assert v.parse_bool(raw) is expected


@pytest.mark.parametrize(("raw", "expected"), [("Eigentum", "owned"), ("leasing", "leased"), ("OWNED", "owned")])
def test_ownership_words(raw, expected):
    assert v.parse_ownership(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("31.03.2024", datetime.date(2024, 3, 31)),
        ("2024-03-31", datetime.date(2024, 3, 31)),
        (datetime.datetime(2024, 3, 31, 0, 0), datetime.date(2024, 3, 31)),
        ("", None),
    ],
)
def test_dates_german_and_iso(raw, expected):
    assert v.parse_date(raw, today=datetime.date(2026, 1, 1)) == expected


@pytest.mark.parametrize("raw", ["31.02.2024", "2030-01-01", "gestern", "1980-01-01"])
def test_bad_dates(raw):
    with pytest.raises(ValueError):
        v.parse_date(raw, today=datetime.date(2026, 1, 1))


def test_product_lines_are_case_insensitive():
    assert v.parse_product_line("iPhone") == "iphone"
    with pytest.raises(ValueError, match="Mac, iPhone"):
        v.parse_product_line("Apple Watch")


@pytest.mark.parametrize(
    "raw",
    [
        "ß0123456789",  # would upper-case to SS0123456789
        "０１２３４５６７８９ＡＢ",  # full-width digits and letters
        "С02XL0GHJGH5",  # Cyrillic С
        "C02XL0GHJGH5\u0131",  # dotless ı would upper-case to I
        "\ufb00C02XL0GHJG",  # the ff ligature would upper-case to FF
        "３５６７８９０１２３４５６７８",  # 15 full-width digits
    ],
)
def test_serials_take_ascii_letters_and_digits_only(raw):
    with pytest.raises(ValueError, match="A–Z"):
        v.parse_serial(raw)
    assert not any(c.isascii() for c in v.serial_candidates(raw))  # nor does a lookup fold them to ASCII


@pytest.mark.django_db
def test_the_device_form_refuses_serials_outside_ascii(client_for, admin, organisation):
    from django_scopes import scope

    from eligibility.models import Device

    response = client_for(admin).post(
        f"/o/{organisation.slug}/inventory/",
        {
            "device-serial_number": "ß0123456789",
            "device-product_line": "mac",
            "device-purchase_source": "apple",
            "device-ownership": "owned",
        },
    )
    assert response.status_code == 200 and "A–Z" in response.content.decode()
    with scope(organisation=organisation):
        assert not Device.objects.exists()
