"""The columns of an inventory file, recognised by header in English or German, case-insensitive."""

from django.utils.translation import gettext as _

from .reader import NotATable

COLUMN_NAMES = {
    "serial_number": ["serial_number", "seriennummer", "serial", "serial_no", "imei", "serial_number_/_imei"],
    "product_line": ["product_line", "produktlinie"],
    "model": ["model", "modell"],
    "purchase_date": ["purchase_date", "kaufdatum"],
    "purchase_source": ["purchase_source", "bezugsquelle"],
    "ownership": ["ownership", "eigentum", "eigentumsverhältnis"],
    "third_party_warranty": ["third_party_warranty", "fremdgarantie"],
    "invoice_number": ["invoice_number", "rechnungsnummer"],
}
REQUIRED = ["serial_number", "product_line", "purchase_source", "ownership"]
LOOKUP = {name: field for field, names in COLUMN_NAMES.items() for name in names}


def _key(header: str) -> str:
    return "_".join(str(header).replace("\ufeff", "").strip().lower().replace("-", " ").split())


def map_header(header: list[str]) -> dict[str, int]:
    """Field name → column index. Fails the file when no known column or a required one is missing."""
    mapping: dict[str, int] = {}
    for index, name in enumerate(header):
        field = LOOKUP.get(_key(name))
        if field and field not in mapping:
            mapping[field] = index
    if not mapping:
        shown = ", ".join(f"“{h[:30]}”" for h in header[:8] if str(h).strip()) or _("nothing")
        raise NotATable(
            _(
                "No known column in the first row (found %(found)s). The first row must name the columns, "
                "such as Seriennummer, Produktlinie, Bezugsquelle, Eigentum."
            )
            % {"found": shown}
        )
    missing = [field for field in REQUIRED if field not in mapping]
    if missing:
        names = ", ".join(f"{COLUMN_NAMES[f][0]}/{COLUMN_NAMES[f][1].capitalize()}" for f in missing)
        raise NotATable(_("Required columns are missing: %(names)s.") % {"names": names})
    return mapping
