"""ISO 3166-1 alpha-2 country codes: the assigned ones, as the IANA time zone database lists them (249 today), so a
country field accepts ``DE`` and refuses ``ÄÖ`` or ``XX``. The list is read from the ``tzdata`` package's
``iso3166.tab`` (a tab-separated table: code, name; ``#`` starts a comment), so it moves with the pinned tzdata."""

from importlib.resources import files

COUNTRY_CODES = frozenset(
    line.split("\t", 1)[0]
    for line in files("tzdata").joinpath("zoneinfo/iso3166.tab").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
)


def is_country_code(value: str) -> bool:
    """``value`` is an assigned ISO 3166-1 alpha-2 code (upper case, as the portal stores it)."""
    return value in COUNTRY_CODES
