"""Demo installed bases for ``seed_demo``: one organisation ready to submit, one far from eligible."""

import datetime

from django.core.files.base import ContentFile

from accounts.lifecycle import account_get, account_update
from accounts.models import Membership, Organisation

from .linking import devices_link_proofs
from .models import Device, EquipmentAttestation, ProofOfPurchase

DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 60>>stream\nBT /F1 18 Tf 72 760 Td (Rechnung / Invoice - Apple Demo) Tj ET\nendstream endobj\n"
    b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LINES = ["mac", "ipad", "ipad", "iphone", "iphone", "mac", "ipad", "ipod"]
MODELS = {"mac": "MacBook Air 13", "ipad": "iPad 10. Generation", "iphone": "iPhone 15", "ipod": "iPod touch"}


def _serial(prefix: str, n: int) -> str:
    chars = []
    for _ in range(8):
        n, r = divmod(n, len(ALPHABET))
        chars.append(ALPHABET[r])
    return prefix + "".join(reversed(chars))


def _seed(organisation: Organisation, *, devices: int, invoices_with_proof: int, prefix: str, complete: bool):
    if Device.objects.filter(organisation=organisation).exists():
        return
    admin = Membership.objects.filter(organisation=organisation, role="admin").select_related("user").first().user
    per_invoice = 100
    rows = []
    for i in range(devices):
        line = LINES[i % len(LINES)]
        rows.append(
            Device(
                organisation=organisation,
                serial_number=_serial(prefix, i),
                product_line=line,
                model=MODELS[line],
                purchase_date=datetime.date(2023, 1 + i % 12, 1 + i % 27),
                purchase_source="reseller" if i % 97 == 0 else "apple",
                ownership="leased" if i % 5 == 0 else "owned",
                third_party_warranty=i % 211 == 0,
                invoice_number=f"RE-2023-{i // per_invoice + 1:04d}",
            )
        )
    Device.objects.bulk_create(rows, batch_size=2000)
    for n in range(1, invoices_with_proof + 1):
        proof = ProofOfPurchase(
            organisation=organisation,
            invoice_number=f"RE-2023-{n:04d}",
            invoice_date=datetime.date(2023, 1, n % 28 + 1),
            supplier="Apple Distribution International",
            original_name=f"Rechnung-RE-2023-{n:04d}.pdf",
            content_type="application/pdf",
            size=len(DEMO_PDF),
            sha256="demo",
            uploaded_by=admin,
        )
        proof.file.save(proof.original_name, ContentFile(DEMO_PDF), save=False)
        proof.save()
    devices_link_proofs(organisation=organisation)
    if complete:
        for item in EquipmentAttestation.Item.values:
            EquipmentAttestation.objects.get_or_create(
                organisation=organisation,
                item=item,
                defaults={"present": True, "detail": "Diagnoseserver diag01" if item == "diagnostic_server" else ""},
            )
        account_update(
            account=account_get(organisation=organisation),
            actor=admin,
            terms_accepted=True,
            contact_name=admin.get_full_name(),
            contact_email=admin.email,
        )


def seed_eligibility():
    """Schulamt Nord: 1 300 devices, proofs for nearly all, equipment and terms done, submitted for review.
    Klinikum Süd: 400 devices, few proofs — it sees its shortfall and the alternative channels."""
    nord = Organisation.objects.filter(slug="schulamt-nord").first()
    sued = Organisation.objects.filter(slug="klinikum-sued").first()
    if nord:
        _seed(nord, devices=1300, invoices_with_proof=12, prefix="DMQ", complete=True)
    if sued:
        _seed(sued, devices=400, invoices_with_proof=1, prefix="FVH", complete=False)
