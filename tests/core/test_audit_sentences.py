"""An audit entry reads as one sentence in the reader's language, with its values in the reader's format."""

import datetime

import pytest
from django.utils import translation

from accounts.audit_actions import ACCOUNT_APPROVED, ACCOUNT_REVIEW_STARTED, ACCOUNT_UPDATED, HOLD_PLACED, HOLD_RELEASED
from certification.audit_actions import VOUCHERS_ISSUED_FREE, VOUCHERS_REQUESTED
from core.audit import BOOL, CHOICE, DATE, DATETIME, LIST, MONEY, audit_change_rows, audit_sentence, format_value
from core.models import AuditEntry
from eligibility.audit_actions import DEVICE_IMPORT_FINISHED, EQUIPMENT_UPDATED, PROOF_REVIEWED
from tests.accounts.factories import UserFactory

NBSP = "\xa0"


def entry(action, *, before=None, after=None, actor=None, actor_label="system", object_repr="") -> AuditEntry:
    """An entry as the trail reads it (unsaved: the sentence needs nothing from the database)."""
    return AuditEntry(
        action=str(action),
        actor=actor,
        actor_label=actor.email if actor else actor_label,
        before=before,
        after=after,
        object_repr=object_repr,
    )


# --- format_value ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"), [("de", f"50.000,00{NBSP}€"), ("en", "€50,000.00")], ids=["de", "en"]
)
def test_money_reads_as_the_reader_writes_it(language, expected):
    with translation.override(language):
        assert format_value("50000.00", MONEY) == expected
        assert format_value(50000, MONEY) == expected


@pytest.mark.parametrize(("language", "expected"), [("de", "31.03.2025"), ("en", "03/31/2025")], ids=["de", "en"])
def test_dates_read_in_the_locales_format(language, expected):
    with translation.override(language):
        assert format_value("2025-03-31", DATE) == expected
        assert format_value(datetime.date(2025, 3, 31), DATE) == expected


def test_a_moment_reads_in_the_portals_time_zone():
    with translation.override("de"):
        # 22:30 UTC on 31 March is already 1 April in Berlin (summer time)
        assert format_value("2025-03-31T22:30:00+00:00", DATETIME) == "01.04.2025 00:30"


def test_booleans_read_as_words():
    with translation.override("de"):
        assert (format_value(True, BOOL), format_value(False, BOOL), format_value(True)) == ("ja", "nein", "ja")
    with translation.override("en"):
        assert (format_value(True, BOOL), format_value(False, BOOL)) == ("yes", "no")


def test_lists_read_item_by_item_and_an_empty_one_as_a_dash():
    assert format_value(["ACMT-1", "IOS-2"], LIST) == "ACMT-1, IOS-2"
    assert format_value([], LIST) == "–"
    with translation.override("de"):
        lines = {"mac": "Mac", "iphone": "iPhone"}
        assert format_value(["mac", "iphone"], CHOICE, lines) == "Mac, iPhone"


def test_a_choice_reads_as_its_label_in_the_readers_language():
    from accounts.models import Account

    choices = dict(Account.Status.choices)
    with translation.override("de"):
        assert format_value("in_review", CHOICE, choices) == "In Prüfung"
    with translation.override("en"):
        assert format_value("in_review", CHOICE, choices) == "In review"
    assert format_value("unheard_of", CHOICE, choices) == "unheard_of"


def test_counts_have_thousands_separators_and_nothing_reads_as_a_dash():
    with translation.override("de"):
        assert format_value(12345) == "12.345"
        assert format_value(0) == "0"
    with translation.override("en"):
        assert format_value(12345) == "12,345"
    assert format_value(None) == format_value("") == "–"


# --- sentences ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_approval_reads_with_the_reviewers_name_the_credit_line_and_the_number():
    rita = UserFactory(email="rita@apple.example", first_name="Rita", last_name="Reviewer", is_reviewer=True)
    approved = entry(
        ACCOUNT_APPROVED,
        actor=rita,
        before={"status": "in_review", "credit_limit": None, "account_number": ""},
        after={"status": "approved", "credit_limit": "50000.00", "account_number": "SSA-100001"},
    )
    with translation.override("de"):
        assert audit_sentence(approved) == (
            f"Rita Reviewer hat den Antrag genehmigt; Kreditrahmen 50.000,00{NBSP}€, Accountnummer SSA-100001"
        )
    with translation.override("en"):
        assert audit_sentence(approved) == (
            "Rita Reviewer approved the application; credit line €50,000.00, account number SSA-100001"
        )
    assert audit_change_rows(approved) == []  # a decision reads as its sentence, not as a diff


def test_a_job_is_the_portal_and_a_hold_without_a_product_line_has_no_empty_brackets():
    job_hold = entry(HOLD_PLACED, after={"reason": "certification", "product_line": "iphone"})
    account_hold = entry(HOLD_PLACED, after={"reason": "credit", "product_line": "", "note": ""})
    manual = entry(HOLD_PLACED, actor_label="rita@apple.example", after={"reason": "manual", "note": "Mahnung offen"})
    with translation.override("de"):
        assert (
            audit_sentence(job_hold) == "Das Portal hat eine Sperre verhängt: Zertifizierung fehlt; Produktlinie iPhone"
        )
        assert audit_sentence(account_hold) == "Das Portal hat eine Sperre verhängt: Kredit"
        assert (
            audit_sentence(manual) == "rita@apple.example hat eine Sperre verhängt: manuell; Begründung: Mahnung offen"
        )
    with translation.override("en"):
        assert audit_sentence(job_hold) == "The portal placed a hold: Certification missing; product line iPhone"
        assert audit_sentence(account_hold) == "The portal placed a hold: Credit"


def test_a_release_by_the_job_reads_without_the_holds_details():
    by_job = entry(HOLD_RELEASED, after={"released": True})
    by_hand = entry(
        HOLD_RELEASED,
        actor_label="rita@apple.example",
        before={"reason": "certification", "product_line": "mac"},
        after={"released": True},
    )
    with translation.override("de"):
        assert audit_sentence(by_job) == "Das Portal hat eine Sperre aufgehoben"
        assert audit_sentence(by_hand) == (
            "rita@apple.example hat eine Sperre aufgehoben; Grund: Zertifizierung fehlt; Produktlinie Mac"
        )


def test_a_missing_value_reads_as_a_dash():
    with translation.override("en"):
        assert audit_sentence(entry(ACCOUNT_APPROVED, after={"account_number": "SSA-1"})) == (
            "The portal approved the application; credit line –, account number SSA-1"
        )


def test_an_unknown_action_still_reads_who_and_what():
    with translation.override("de"):
        assert audit_sentence(entry("legacy.thing", actor_label="alt@example.org")) == "alt@example.org: legacy.thing"


def test_lists_money_and_counts_in_sentences():
    issued = entry(VOUCHERS_ISSUED_FREE, after={"codes": ["ACMT-AB12", "IOS-CD34"]})
    ordered = entry(
        VOUCHERS_REQUESTED,
        after={"kind": "acmt", "quantity": 3, "price_each": "150.00", "total": "450.00", "codes": ["X", "Y", "Z"]},
    )
    finished = entry(DEVICE_IMPORT_FINISHED, after={"rows": 12000, "created": 11990, "updated": 0, "errors": 10})
    with translation.override("de"):
        assert (
            audit_sentence(issued) == "Das Portal hat die kostenlosen Prüfungsgutscheine ACMT-AB12, IOS-CD34 ausgegeben"
        )
        assert audit_sentence(ordered) == (
            f"Das Portal hat Prüfungsgutscheine für ACMT (Mac) bestellt: 3 zu je 150,00{NBSP}€, zusammen 450,00{NBSP}€"
        )
        assert "12.000" in audit_sentence(finished) and "11.990" in audit_sentence(finished)
    with translation.override("en"):
        assert audit_sentence(finished) == (
            "Inventory import finished – rows read: 12,000, new: 11,990, updated: 0, with errors: 10"
        )


def test_a_proof_verdict_reads_as_a_verb_with_the_reason():
    rejected = entry(
        PROOF_REVIEWED,
        actor_label="rita@apple.example",
        object_repr="RE-2024-102",
        before={"status": "pending", "rejection_reason": ""},
        after={"status": "rejected", "rejection_reason": "unleserlich"},
    )
    with translation.override("de"):
        assert audit_sentence(rejected) == (
            "rita@apple.example hat den Kaufbeleg zur Rechnung RE-2024-102 abgelehnt; Begründung: unleserlich"
        )
    with translation.override("en"):
        assert audit_sentence(rejected) == (
            "rita@apple.example rejected the proof of purchase for invoice RE-2024-102; reason: unleserlich"
        )


# --- change rows ----------------------------------------------------------------------------------------------


def test_an_edit_lists_its_changed_fields_by_label_and_formatted():
    edit = entry(
        ACCOUNT_UPDATED,
        before={"terms_accepted": False, "contact_name": "", "apple_customer_number": "DE-1"},
        after={"terms_accepted": True, "contact_name": "Petra Schulze", "apple_customer_number": "DE-1"},
    )
    with translation.override("de"):
        assert audit_change_rows(edit) == [
            {"field": "Programmbedingungen angenommen", "before": "nein", "after": "ja"},
            {"field": "Ansprechperson", "before": "–", "after": "Petra Schulze"},
        ]


def test_equipment_reads_in_place_or_missing_not_as_a_dict():
    edit = entry(
        EQUIPMENT_UPDATED,
        before={},
        after={"workbench": {"present": True, "detail": "2 Plätze"}, "esd_tester": {"present": False, "detail": ""}},
    )
    with translation.override("de"):
        assert audit_change_rows(edit) == [
            {"field": "Werkbank", "before": "–", "after": "vorhanden (2 Plätze)"},
            {"field": "ESD-Prüfgerät", "before": "–", "after": "fehlt"},
        ]


def test_a_transition_lists_no_rows_and_a_creation_none_either():
    started = entry(ACCOUNT_REVIEW_STARTED, before={"status": "submitted"}, after={"status": "in_review"})
    assert audit_change_rows(started) == []
    assert audit_change_rows(entry(HOLD_PLACED, after={"reason": "credit"})) == []
