"""The certification rule, computed in one place: every product line in an organisation's installed base needs at
least one technician with a valid qualifying certification (ACMT for Mac, the iOS qualification for iPhone, iPad
and iPod). The dashboard, the API and the daily deadline job all ask these functions, for one organisation or for
ten thousand at once (a fixed number of queries either way)."""

import datetime
from collections import defaultdict

from eligibility.models import Device

from .models import QUALIFIES, Certification, valid_certification_filter


def required_lines(*, organisation_ids) -> dict[int, set[str]]:
    """The product lines in each organisation's installed base."""
    found: dict[int, set[str]] = defaultdict(set)
    for org_id, line in (
        Device.objects.filter(organisation_id__in=organisation_ids)
        .values_list("organisation_id", "product_line")
        .distinct()
    ):
        found[org_id].add(line)
    return found


def certified_kinds(*, organisation_ids, today: datetime.date) -> dict[int, set[str]]:
    """The certification kinds each organisation holds validly today."""
    found: dict[int, set[str]] = defaultdict(set)
    for org_id, kind in (
        Certification.objects.filter(organisation_id__in=organisation_ids)
        .filter(valid_certification_filter(today))
        .values_list("organisation_id", "kind")
        .distinct()
    ):
        found[org_id].add(kind)
    return found


def line_certified(line: str, kinds: set[str]) -> bool:
    return QUALIFIES[line] in kinds


def missing_lines(required: set[str], kinds: set[str]) -> list[str]:
    """The required product lines no valid certification covers, sorted."""
    return sorted(line for line in required if not line_certified(line, kinds))


def lines_missing_certification(*, organisation_ids, today: datetime.date) -> dict[int, list[str]]:
    """Per organisation: the product lines that still need a certified technician."""
    required = required_lines(organisation_ids=organisation_ids)
    kinds = certified_kinds(organisation_ids=organisation_ids, today=today)
    return {org_id: missing_lines(required[org_id], kinds[org_id]) for org_id in organisation_ids}
