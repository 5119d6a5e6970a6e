import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from accounts.lifecycle import account_get, account_update
from eligibility import linking, services
from eligibility.engine import eligibility_evaluate
from eligibility.models import Device, EquipmentAttestation, ProofOfPurchase
from tests.eligibility import files as f

pytestmark = pytest.mark.django_db


def evaluate(organisation):
    with scope(organisation=organisation):
        return eligibility_evaluate(organisation=organisation)


def test_only_owned_apple_devices_with_proof_and_no_other_warranty_count(organisation, admin, devices):
    with scope(organisation=organisation):
        services.proof_upload(
            organisation=organisation, actor=admin, upload=SimpleUploadedFile("a.pdf", f.PDF), invoice_number="RE-1"
        )
    devices(10, invoice_number="RE-1")  # count
    devices(3, start=100, invoice_number="RE-1", purchase_source="reseller")
    devices(2, start=200, invoice_number="RE-1", third_party_warranty=True)
    devices(4, start=300, invoice_number="RE-MISSING")
    devices(1, start=400, invoice_number="RE-1", ownership="")
    with scope(organisation=organisation):
        linking.devices_link_proofs(organisation=organisation)
    result = evaluate(organisation)
    assert result.counts["total"] == 20
    assert result.counts["counted"] == 10
    assert result.counts["not_bought_from_apple"] == 3
    assert result.counts["third_party_warranty"] == 2
    assert result.counts["without_proof"] == 4
    assert result.counts["not_owned"] == 1
    assert result.shortfall == 990
    assert result.invoices_without_proof == [{"invoice_number": "RE-MISSING", "devices": 4}]
    rule = result.rule("installed_base")
    assert not rule.passed and rule.figures == {"counted": 10, "required": 1000, "shortfall": 990, "total": 20}
    assert any("RE-MISSING" in m for m in result.rule("proof_of_purchase").missing)


def test_a_rejected_proof_stops_its_devices_counting(organisation, admin, devices):
    with scope(organisation=organisation):
        proof = services.proof_upload(
            organisation=organisation, actor=admin, upload=SimpleUploadedFile("a.pdf", f.PDF), invoice_number="RE-1"
        )
    devices(5, invoice_number="RE-1")
    with scope(organisation=organisation):
        linking.devices_link_proofs(organisation=organisation)
    assert evaluate(organisation).counts["counted"] == 5
    with scope(organisation=organisation):
        ProofOfPurchase.objects.filter(pk=proof.pk).update(status="rejected")
    result = evaluate(organisation)
    assert result.counts["counted"] == 0 and result.counts["proof_rejected"] == 5


def test_a_later_claim_of_a_serial_needs_clarification_and_does_not_count(
    organisation, other_organisation, admin, devices
):
    with scope(organisation=other_organisation):  # the other organisation lists the serial first
        services.device_create(
            organisation=other_organisation,
            actor=None,
            data={
                "serial_number": f.serial(0),
                "product_line": "mac",
                "purchase_source": "apple",
                "ownership": "owned",
            },
        )
    with scope(organisation=organisation):
        services.proof_upload(
            organisation=organisation, actor=admin, upload=SimpleUploadedFile("a.pdf", f.PDF), invoice_number="RE-1"
        )
    devices(3, invoice_number="RE-1")
    with scope(organisation=organisation):
        linking.devices_link_proofs(organisation=organisation)
        linking.devices_refresh_conflicts(serials=[f.serial(0)])
    result = evaluate(organisation)
    assert result.counts["needs_clarification"] == 1 and result.counts["counted"] == 2
    # the earlier claim keeps counting: the other organisation's figures are not touched
    assert evaluate(other_organisation).counts["needs_clarification"] == 0


def test_every_rule_passes_for_a_complete_applicant(organisation, admin, devices, settings):
    from accounts.models import ProgrammeRules

    ProgrammeRules.objects.filter(country="DE").update(min_installed_base=5)
    with scope(organisation=organisation):
        services.proof_upload(
            organisation=organisation, actor=admin, upload=SimpleUploadedFile("a.pdf", f.PDF), invoice_number="RE-1"
        )
    devices(5, invoice_number="RE-1")
    with scope(organisation=organisation):
        linking.devices_link_proofs(organisation=organisation)
        services.equipment_save(
            organisation=organisation,
            actor=admin,
            items={i: {"present": True, "detail": "ok"} for i in EquipmentAttestation.Item.values},
        )
        account_update(account=account_get(organisation=organisation), actor=admin, terms_accepted=True)
    result = evaluate(organisation)
    assert [r.code for r in result.rules if r.passed] == ["installed_base", "proof_of_purchase", "equipment", "terms"]
    assert result.applicant_rules_passed and not result.eligible  # the reviewer's two rules stay open
    assert result.rule("service_history").passed is None


def test_programme_rules_are_data_per_country(organisation, devices):
    from accounts.models import ProgrammeRules

    ProgrammeRules.objects.create(country="AU", min_installed_base=500)
    organisation.country = "AU"
    organisation.save()
    assert evaluate(organisation).required == 500
    organisation.country = "FR"  # no rules of its own: Germany's
    organisation.save()
    assert evaluate(organisation).required == 1000


def test_eligibility_takes_the_same_queries_for_ten_or_a_thousand_devices(
    organisation, devices, django_assert_num_queries, django_assert_max_num_queries
):
    devices(10)
    with scope(organisation=organisation), django_assert_num_queries(5) as few:
        eligibility_evaluate(organisation=organisation)
    devices(1000, start=1000)
    with scope(organisation=organisation), django_assert_num_queries(len(few)):
        eligibility_evaluate(organisation=organisation)
    with scope(organisation=organisation):
        assert Device.objects.count() == 1010
