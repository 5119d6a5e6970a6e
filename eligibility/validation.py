"""Parsing and validating device values, shared by the API, the forms and the inventory import.

Each parser takes the raw value (a string from a CSV cell, or what openpyxl gives) and returns the clean value
or raises ``ValueError`` with a message for the person who typed it.
"""

import datetime
import re

from django.utils.translation import gettext as _

SERIAL_RE = re.compile(r"^[A-Z0-9]{10,12}$")
IMEI_RE = re.compile(r"^[0-9]{15}$")
MAX_CELL = 200  # longer than any valid value; anything longer is reported, not stored


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalise_serial(raw) -> str:
    """Trimmed and upper-case, spaces and dashes removed: what a person or a barcode scanner typed. Only ASCII is
    upper-cased: Unicode's rules would turn ``ß`` into ``SS`` and a dotless ``ı`` into ``I``, so a value with other
    characters stays as it is, and matches no serial number."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():  # Excel turns an IMEI into a number
        raw = int(raw)
    text = str(raw).strip()
    if text.isascii():
        text = text.upper()
    return text.replace(" ", "").replace("-", "")


def parse_serial(raw) -> str:
    """A serial number (10–12 letters and digits) or an IMEI (15 digits, Luhn). A leading ``S`` that Apple's
    serial barcodes carry is dropped when the value is not valid with it."""
    value = normalise_serial(raw)
    if not value:
        raise ValueError(_("The serial number is missing."))
    if len(value) > MAX_CELL:
        raise ValueError(_("The serial number is too long."))
    if not value.isascii():
        raise ValueError(
            _(
                "%(value)s is not a valid serial number: use only the letters A–Z and the digits 0–9 (no ß, no "
                "full-width digits, no Cyrillic or Greek letters that look like Latin ones)."
            )
            % {"value": value[:40]}
        )
    if IMEI_RE.match(value):
        if not luhn_ok(value):
            raise ValueError(_("%(value)s is not a valid IMEI (check digit wrong).") % {"value": value})
        return value
    if SERIAL_RE.match(value):
        return value
    if value.startswith("S") and SERIAL_RE.match(value[1:]):
        return value[1:]
    if value.isdigit() and len(value) in (14, 16):
        raise ValueError(_("%(value)s is not a valid IMEI: an IMEI has 15 digits.") % {"value": value})
    raise ValueError(
        _("%(value)s is not a valid serial number: use 10 to 12 letters and digits, or a 15-digit IMEI.")
        % {"value": value[:40]}
    )


def serial_candidates(raw) -> list[str]:
    """What a lookup by serial tries: the value as given, then without a leading ``S``."""
    value = normalise_serial(raw)
    candidates = [value]
    if value.startswith("S") and len(value) > 1:
        candidates.append(value[1:])
    return candidates


def _words(raw) -> str:
    if raw is None:
        return ""
    return str(raw).strip().lower()


PRODUCT_LINES = {"mac": "mac", "iphone": "iphone", "ipad": "ipad", "ipod": "ipod"}
PURCHASE_SOURCES = {
    "apple": "apple",
    "apple store": "apple",
    "direkt": "apple",
    "direkt von apple": "apple",
    "reseller": "reseller",
    "händler": "reseller",
    "haendler": "reseller",
    "fachhändler": "reseller",
    "other": "other",
    "sonstige": "other",
    "andere": "other",
}
OWNERSHIP = {
    "owned": "owned",
    "own": "owned",
    "eigentum": "owned",
    "eigen": "owned",
    "leased": "leased",
    "lease": "leased",
    "leasing": "leased",
    "geleast": "leased",
}
BOOLEANS = {
    "yes": True,
    "ja": True,
    "true": True,
    "wahr": True,
    "1": True,
    "x": True,
    "no": False,
    "nein": False,
    "false": False,
    "falsch": False,
    "0": False,
    "": False,
}


def parse_product_line(raw) -> str:
    value = _words(raw)
    if value in PRODUCT_LINES:
        return PRODUCT_LINES[value]
    if not value:
        raise ValueError(_("The product line is missing (mac, iphone, ipad or ipod)."))
    raise ValueError(_("Unknown product line “%(value)s”: use Mac, iPhone, iPad or iPod.") % {"value": str(raw)[:40]})


def parse_purchase_source(raw) -> str:
    value = _words(raw)
    if value in PURCHASE_SOURCES:
        return PURCHASE_SOURCES[value]
    if not value:
        raise ValueError(_("The purchase source is missing (apple, reseller or other)."))
    raise ValueError(_("Unknown purchase source “%(value)s”: use Apple, reseller or other.") % {"value": str(raw)[:40]})


def parse_ownership(raw) -> str:
    value = _words(raw)
    if value in OWNERSHIP:
        return OWNERSHIP[value]
    if not value:
        raise ValueError(_("The ownership is missing (owned or leased)."))
    raise ValueError(
        _("Unknown ownership “%(value)s”: use owned, leased, Eigentum or Leasing.") % {"value": str(raw)[:40]}
    )


def parse_bool(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float):
        raw = str(int(raw))
    value = _words(raw)
    if value in BOOLEANS:
        return BOOLEANS[value]
    raise ValueError(_("“%(value)s” is neither yes nor no (ja/nein, true/false, 1/0).") % {"value": str(raw)[:40]})


DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y"]


def _quick_date(text: str) -> datetime.date | None:
    """2024-03-31 and 31.03.2024 without strptime (the import parses 100 000 of them)."""
    try:
        if len(text) == 10 and text[4] == "-" and text[7] == "-":
            return datetime.date(int(text[:4]), int(text[5:7]), int(text[8:]))
        if len(text) == 10 and text[2] == "." and text[5] == ".":
            return datetime.date(int(text[6:]), int(text[3:5]), int(text[:2]))
    except ValueError:
        return None
    return None


def parse_date(raw, *, today: datetime.date | None = None) -> datetime.date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime.datetime):
        value = raw.date()
    elif isinstance(raw, datetime.date):
        value = raw
    else:
        text = str(raw).strip()
        if not text:
            return None
        value = _quick_date(text)
        for fmt in DATE_FORMATS if value is None else ():
            try:
                value = datetime.datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        if value is None:
            raise ValueError(_("“%(value)s” is not a date: use 2024-03-31 or 31.03.2024.") % {"value": text[:40]})
    if today is None:
        today = datetime.date.today()
    if value > today:
        raise ValueError(_("The purchase date %(value)s lies in the future.") % {"value": value.isoformat()})
    if value.year < 1990:
        raise ValueError(_("The purchase date %(value)s is implausibly early.") % {"value": value.isoformat()})
    return value


def parse_text(raw, *, max_length: int, label: str) -> str:
    if raw.__class__ is str and len(raw) <= max_length:
        return raw.strip()
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    value = str(raw).strip()
    if len(value) > max_length:
        raise ValueError(
            _("%(label)s is too long (%(length)s characters; at most %(max)s).")
            % {"label": label, "length": len(value), "max": max_length}
        )
    return value


def device_parsers(*, today: datetime.date | None = None) -> dict:
    """Field name → parser, for everything a person states about a device. The form, the API and the import all
    parse through these; labels are translated once, here, not per value."""
    model_label, invoice_label = _("The model"), _("The invoice number")
    return {
        "serial_number": parse_serial,
        "product_line": parse_product_line,
        "model": lambda raw: parse_text(raw, max_length=100, label=model_label),
        "purchase_date": lambda raw: parse_date(raw, today=today),
        "purchase_source": parse_purchase_source,
        "ownership": parse_ownership,
        "third_party_warranty": parse_bool,
        "invoice_number": lambda raw: parse_text(raw, max_length=64, label=invoice_label),
    }
