"""The installed base as bars per product line, for the applicant's wizard and the reviewer's evidence page."""

from accounts.models import ProductLine


def installed_base_chart(result) -> list[dict]:
    """Bars for the installed base by product line: counted of total, scaled to the largest line."""
    totals = result.counts["total_by_product_line"]
    counted = result.counts["by_product_line"]
    largest = max(totals.values()) if totals else 0
    return [
        {
            "line": line,
            "label": label,
            "total": totals.get(line, 0),
            "counted": counted.get(line, 0),
            "total_pct": round(100 * totals.get(line, 0) / largest) if largest else 0,
            "counted_pct": round(100 * counted.get(line, 0) / largest) if largest else 0,
        }
        for line, label in ProductLine.choices
    ]
