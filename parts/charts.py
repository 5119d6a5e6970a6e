"""The credit page's utilisation chart as server-rendered SVG: coordinates computed here, drawn by the template
(no JavaScript, no external library)."""

import math

CHART_WIDTH, CHART_HEIGHT = 600, 230
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 70, 16, 28, 36


def utilisation_chart(snapshots) -> dict | None:
    """The daily snapshots as an SVG line over an area: the share of the limit in use, the limit as a dashed line
    at 100 %. None with fewer than two days (a line needs two points)."""
    if len(snapshots) < 2:
        return None
    days = [
        (s.day, float(s.exposure * 100 / s.limit) if s.limit else 0.0, s)
        for s in snapshots  # already in day order
    ]
    top = max(100, math.ceil(max(pct for _day, pct, _s in days) / 25) * 25)
    first, last = days[0][0], days[-1][0]
    span = max((last - first).days, 1)
    width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    base = CHART_TOP + height

    # Coordinates are strings with a decimal point: a template would render a float with the reader's comma.
    def x(day) -> str:
        return f"{CHART_LEFT + (day - first).days / span * width:.1f}"

    def y(pct) -> str:
        return f"{CHART_TOP + height - pct / top * height:.1f}"

    coords = [(x(day), y(pct)) for day, pct, _s in days]
    line = " ".join(f"{a},{b}" for a, b in coords)
    area = f"M{coords[0][0]},{base} L" + " L".join(f"{a},{b}" for a, b in coords) + f" L{coords[-1][0]},{base} Z"
    peak_day, peak, _s = max(days, key=lambda d: d[1])
    return {
        "viewbox": f"0 0 {CHART_WIDTH} {CHART_HEIGHT}",
        "left": str(CHART_LEFT),
        "label_x": str(CHART_LEFT - 8),
        "right": str(CHART_WIDTH - CHART_RIGHT),
        "date_y": str(CHART_HEIGHT - 6),
        "line": line,
        "area": area,
        "last": coords[-1],
        "limit_y": y(100),
        "limit_label_y": f"{float(y(100)) - 6:.1f}",
        "ticks": [{"value": v, "y": y(v), "label_y": f"{float(y(v)) + 4.5:.1f}"} for v in sorted({0, 50, 100, top})],
        "first_day": first,
        "last_day": last,
        "first_pct": round(days[0][1]),
        "last_pct": round(days[-1][1]),
        "peak_pct": round(peak),
        "peak_day": peak_day,
        "rows": [{"day": day, "exposure": s.exposure, "limit": s.limit, "pct": round(pct)} for day, pct, s in days],
    }
