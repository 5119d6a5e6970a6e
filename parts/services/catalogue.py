"""The parts catalogue: loaded from Apple's CSV (``load_parts_catalogue``) and kept current by reviewers. Every
price change is a dated entry of the price list, so what was ordered before keeps its price."""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ProductLine
from core.audit import audit_changes, audit_record, snapshot
from core.money import NotAnAmount, money
from core.prices import part_item, price_set
from core.text import CONTROL_CHARACTERS

from ..audit_actions import CATALOGUE_LOADED, PART_CHANGED, PART_CREATED
from ..models import Part

COLUMNS = [
    "part_number",
    "description",
    "product_lines",
    "stock_price",
    "exchange_price",
    "core_return",
    "available",
    "kind",
]
YES = {"yes", "ja", "true", "1", "y"}
NO = {"no", "nein", "false", "0", "n", ""}
EDITABLE = [
    "description",
    "product_lines_key",
    "fits_models",
    "kind",
    "stock_price",
    "exchange_price",
    "core_return",
    "available",
    "active",
]


def _text(value, name: str, *, max_length: int, required: bool = True) -> str:
    value = str(value if value is not None else "").strip()
    if CONTROL_CHARACTERS.search(value):
        raise ValidationError({name: [_("Control characters are not allowed.")]})
    if required and not value:
        raise ValidationError({name: [_("This field is required.")]})
    if len(value) > max_length:
        raise ValidationError({name: [_("At most %(n)s characters.") % {"n": max_length}]})
    return value


def _amount(value, name: str, *, required: bool) -> Decimal | None:
    text = str(value if value is not None else "").strip().replace(",", ".")
    if not text:
        if required:
            raise ValidationError({name: [_("Give a price.")]})
        return None
    try:
        amount = money(text)
    except NotAnAmount:
        raise ValidationError({name: [_("Not a price: %(value)s") % {"value": text[:30]}]}) from None
    if amount < 0 or amount >= Decimal("1000000"):
        raise ValidationError({name: [_("A price between 0 and 999999.99.")]})
    return amount


def _flag(value, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValidationError({name: [_("yes or no.")]})


def _lines(value) -> list[str]:
    lines = value if isinstance(value, list | tuple) else str(value or "").split("|")
    lines = [str(line).strip().lower() for line in lines if str(line).strip()]
    unknown = [line for line in lines if line not in ProductLine.values]
    if unknown or not lines:
        raise ValidationError({"product_lines": [_("Product lines are mac, iphone, ipad and ipod, separated by |.")]})
    return lines


def _default(value, default):
    return default if value is None or (isinstance(value, str) and not value.strip()) else value


def part_values(data: dict) -> dict:
    """A catalogue entry's values, validated; ``ValidationError`` by field otherwise."""
    errors: dict = {}
    values: dict = {}
    checks = {
        "part_number": lambda: _text(data.get("part_number"), "part_number", max_length=20).upper(),
        "description": lambda: _text(data.get("description"), "description", max_length=300),
        "product_lines": lambda: _lines(data.get("product_lines")),
        "fits_models": lambda: _text(data.get("fits_models", ""), "fits_models", max_length=2000, required=False),
        "stock_price": lambda: _amount(data.get("stock_price"), "stock_price", required=True),
        "exchange_price": lambda: _amount(data.get("exchange_price"), "exchange_price", required=False),
        "core_return": lambda: _flag(data.get("core_return", "no"), "core_return"),
        "available": lambda: _flag(_default(data.get("available"), "yes"), "available"),  # an empty cell: yes
        "kind": lambda: _text(data.get("kind") or "part", "kind", max_length=10).lower(),
    }
    for name, check in checks.items():
        try:
            values[name] = check()
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "kind" in values and values["kind"] not in Part.Kind.values:
        errors["kind"] = [_("part or unit.")]
    if values.get("core_return") and values.get("exchange_price") is None and "exchange_price" not in errors:
        errors["exchange_price"] = [_("A part with a core return needs an exchange price.")]
    if errors:
        raise ValidationError(errors)
    return values


def _apply(part: Part, values: dict) -> None:
    for name, value in values.items():
        if name == "product_lines":
            part.product_lines = value
        elif name != "part_number":
            setattr(part, name, value)


def _record_prices(part: Part, today) -> int:
    changed = price_set(item=part_item(part.part_number), kind="stock", amount=part.stock_price, valid_from=today)
    if part.exchange_price is not None:
        changed += price_set(
            item=part_item(part.part_number), kind="exchange", amount=part.exchange_price, valid_from=today
        )
    return int(changed)


@transaction.atomic
def part_create(*, actor, data: dict) -> Part:
    values = part_values(data)
    if Part.objects.filter(part_number=values["part_number"]).exists():
        raise ValidationError({"part_number": [_("This part number is already in the catalogue.")]})
    part = Part(part_number=values["part_number"])
    _apply(part, values)
    part.save()
    _record_prices(part, timezone.localdate())
    audit_record(actor=actor, action=PART_CREATED, obj=part, after=snapshot(part, EDITABLE))
    return part


@transaction.atomic
def part_update(*, part: Part, actor, data: dict) -> Part:
    part = Part.objects.select_for_update().get(pk=part.pk)
    values = part_values({**data, "part_number": part.part_number})
    before = snapshot(part, EDITABLE)
    _apply(part, values)
    if "active" in data:
        part.active = _flag(data["active"], "active")
    part.updated_at = timezone.now()
    part.save()
    _record_prices(part, timezone.localdate())
    audit_changes(actor=actor, action=PART_CHANGED, obj=part, before=before, after=snapshot(part, EDITABLE))
    return part


@dataclass
class CatalogueResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    prices: int = 0
    errors: list[tuple[int, dict]] = field(default_factory=list)


def catalogue_load(*, data: bytes | str, actor=None) -> CatalogueResult:
    """Load or update the catalogue from Apple's CSV. Valid rows are stored, each invalid row is reported with its
    line number; nothing is silently dropped. A file that is no CSV table fails as a whole."""
    if isinstance(data, bytes):
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                data = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    if isinstance(data, bytes) or "\x00" in data:
        raise ValidationError({"file": [_("This is not a CSV text file (UTF-8 or Windows encoding).")]})
    sample = data[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    result = CatalogueResult()
    try:
        reader = csv.DictReader(io.StringIO(data), delimiter=delimiter)
        headers = [str(h).strip().lower() for h in (reader.fieldnames or [])]
        missing = [c for c in ("part_number", "description", "product_lines", "stock_price") if c not in headers]
        if missing:
            raise ValidationError({"file": [_("Columns missing: %(columns)s.") % {"columns": ", ".join(missing)}]})
        with transaction.atomic():
            _load_rows(reader, result, timezone.localdate())
            audit_record(
                actor=actor,
                action=CATALOGUE_LOADED,
                after={"created": result.created, "updated": result.updated, "prices": result.prices},
            )
    except csv.Error as exc:
        raise ValidationError(
            {"file": [_("The file is not a readable CSV table: %(error)s") % {"error": exc}]}
        ) from None
    return result


def _load_rows(reader, result: CatalogueResult, today) -> None:
    existing = {p.part_number: p for p in Part.objects.all()}
    for number, row in enumerate(reader, start=2):
        row = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
        try:
            values = part_values(row)
        except ValidationError as exc:
            result.errors.append((number, exc.message_dict))
            continue
        part = existing.get(values["part_number"])
        if part is None:
            part = Part(part_number=values["part_number"])
            _apply(part, values)
            part.save()
            existing[part.part_number] = part
            result.created += 1
        else:
            before = snapshot(part, EDITABLE)
            _apply(part, values)
            part.active = True
            if snapshot(part, EDITABLE) != before:
                part.updated_at = timezone.now()
                part.save()
                result.updated += 1
            else:
                result.unchanged += 1
        result.prices += _record_prices(part, today)
