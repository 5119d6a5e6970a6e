"""The daily certification-deadline job: reminders before the deadline, holds after it, releases when certified,
notices of expiring certifications. Set-based over every organisation at once: a fixed number of queries however
many there are, all in one transaction, and idempotent (unique keys decide what was already sent or placed)."""

import datetime
from collections import defaultdict

from django.db import connection, transaction
from django_scopes import scopes_disabled

from accounts.audit_actions import HOLD_PLACED, HOLD_RELEASED
from accounts.holds import holds_place_bulk, holds_release_bulk
from accounts.models import Account, Hold, Membership, Organisation
from accounts.selectors import programme_rules_by_country
from core.audit import audit_record_bulk
from core.jobs import register_job
from core.notifications import notify_bulk

from .models import Certification, ExamVoucher
from .rules import lines_missing_certification

DEFAULT_REMINDER_DAYS = [60, 30, 14, 7, 1]


def _insert_returning(sql: str, rows: list[tuple]) -> list[tuple]:
    """One multi-row INSERT … ON CONFLICT DO NOTHING RETURNING: what was new this time, in one statement."""
    if not rows:
        return []
    width = len(rows[0])
    values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(sql.format(values=values), [v for row in rows for v in row])
        return cursor.fetchall()


@register_job("certification_deadlines")
def certification_deadlines(*, today: datetime.date) -> dict:
    with scopes_disabled(), transaction.atomic():  # a cross-tenant job; every query names its organisations
        return _run(today)


def _run(today: datetime.date) -> dict:
    accounts = {
        a["organisation_id"]: a
        for a in Account.objects.filter(status=Account.Status.APPROVED, certification_deadline__isnull=False).values(
            "organisation_id", "certification_deadline", "organisation__country"
        )
    }
    rules = programme_rules_by_country({a["organisation__country"] for a in accounts.values()})
    open_holds = list(
        Hold.objects.filter(reason=Hold.Reason.CERTIFICATION, released_at__isnull=True).values(
            "id", "organisation_id", "product_line"
        )
    )

    missing = lines_missing_certification(organisation_ids=list(accounts), today=today)

    # Reminders: the most urgent reminder day already reached, once per deadline and day.
    reminder_rows = []
    for org_id, account in accounts.items():
        if not missing[org_id]:
            continue
        programme = rules[account["organisation__country"]]
        days = sorted(programme.reminder_days or DEFAULT_REMINDER_DAYS)
        days_left = (account["certification_deadline"] - today).days
        reached = [d for d in days if 0 < days_left <= d]
        if reached:
            key = f"{account['certification_deadline'].isoformat()}:{reached[0]}"
            reminder_rows.append((org_id, "deadline", key, today))
    sent = _insert_returning(
        "INSERT INTO certification_remindersent (organisation_id, kind, key, sent_on) VALUES {values} "
        "ON CONFLICT (organisation_id, kind, key) DO NOTHING RETURNING organisation_id, key",
        reminder_rows,
    )

    # Holds: from the day after the deadline, for each required line without a certified technician; placed and
    # released through the account app's hold services, in bulk.
    placed = holds_place_bulk(
        rows=[
            (org_id, Hold.Reason.CERTIFICATION.value, line)
            for org_id, account in accounts.items()
            if today > account["certification_deadline"]
            for line in missing[org_id]
        ]
    )
    # Releases: open certification holds whose line is certified now (or whose account no longer runs a deadline).
    to_release = [
        h
        for h in open_holds
        if h["organisation_id"] not in accounts or h["product_line"] not in missing.get(h["organisation_id"], [])
    ]
    holds_release_bulk(hold_ids=[h["id"] for h in to_release], note="certification recorded")

    # Certifications expiring within the notice window, announced once each.
    expiring = list(
        Certification.objects.filter(
            organisation_id__in=accounts,
            expires_on__gte=today,
            expires_on__lte=today
            + datetime.timedelta(days=max([r.expiry_notice_days for r in rules.values()] or [30])),
        ).values("id", "organisation_id", "kind", "credential_id", "expires_on", "technician_id")
    )
    announced = _insert_returning(
        "INSERT INTO certification_remindersent (organisation_id, kind, key, sent_on) VALUES {values} "
        "ON CONFLICT (organisation_id, kind, key) DO NOTHING RETURNING organisation_id, key",
        [(c["organisation_id"], "expiry", str(c["id"]), today) for c in expiring],
    )

    # Vouchers past their validity expire (one update).
    expired_vouchers = ExamVoucher.objects.filter(status=ExamVoucher.Status.ISSUED, expires_on__lt=today).update(
        status=ExamVoucher.Status.EXPIRED
    )

    _tell(today, accounts, missing, sent, placed, to_release, expiring, announced)
    return {
        "reminders": len(sent),
        "holds_placed": len(placed),
        "holds_released": len(to_release),
        "expiry_notices": len(announced),
        "vouchers_expired": expired_vouchers,
    }


def _tell(today, accounts, missing, sent, placed, released, expiring, announced) -> None:
    """Audit entries and notifications for what changed, in two inserts whatever the number."""
    concerned = (
        {org for org, _key in sent}
        | {org for _id, org, _line in placed}
        | {h["organisation_id"] for h in released}
        | {org for org, _key in announced}
    )
    if not concerned:
        return
    organisations = Organisation.objects.in_bulk(list(concerned))
    admins: dict[int, list] = defaultdict(list)
    for m in Membership.objects.filter(organisation_id__in=concerned, role=Membership.Role.ADMIN).select_related(
        "user"
    ):
        admins[m.organisation_id].append(m.user)
    notes, audit = [], []
    for org_id, key in sent:
        deadline, day = key.split(":")
        for user in admins[org_id]:
            notes.append(
                {
                    "user": user,
                    "organisation": organisations[org_id],
                    "template": "certification_reminder",
                    "context": {
                        "deadline": deadline,
                        "days_left": (accounts[org_id]["certification_deadline"] - today).days,
                        "missing": ", ".join(missing[org_id]),
                    },
                    "url": f"/o/{organisations[org_id].slug}/certification/",
                }
            )
    for hold_id, org_id, line in placed:
        audit.append(
            {
                "organisation_id": org_id,
                "action": HOLD_PLACED,
                "object_type": "accounts.hold",
                "object_id": hold_id,
                "object_repr": f"certification {line}",
                "after": {"reason": "certification", "product_line": line},
            }
        )
        for user in admins[org_id]:
            notes.append(
                {
                    "user": user,
                    "organisation": organisations[org_id],
                    "template": "certification_hold",
                    "context": {"product_line": line},
                    "url": f"/o/{organisations[org_id].slug}/account/",
                }
            )
    for h in released:
        audit.append(
            {
                "organisation_id": h["organisation_id"],
                "action": HOLD_RELEASED,
                "object_type": "accounts.hold",
                "object_id": h["id"],
                "object_repr": f"certification {h['product_line']}",
                "before": {"reason": Hold.Reason.CERTIFICATION.value, "product_line": h["product_line"]},
                "after": {"released": True},
            }
        )
    by_id = {str(c["id"]): c for c in expiring}
    for org_id, key in announced:
        c = by_id[key]
        for user in admins[org_id]:
            notes.append(
                {
                    "user": user,
                    "organisation": organisations[org_id],
                    "template": "certification_expiring",
                    "context": {"credential_id": c["credential_id"], "expires_on": c["expires_on"].isoformat()},
                    "url": f"/o/{organisations[org_id].slug}/certification/",
                }
            )
    audit_record_bulk(audit)
    notify_bulk(notes)
