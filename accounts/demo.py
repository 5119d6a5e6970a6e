"""Demo data for ``seed_demo``. Idempotent: running it again changes nothing that is already there."""

from accounts.models import Membership, Organisation, ProgrammeRules, User
from accounts.services import organisation_create, reviewer_set, user_create

DEMO_PASSWORD = "demo-portal-2026"

ORGANISATIONS = [
    {
        "slug": "schulamt-nord",
        "name": "Schulamt Nord",
        "federal_state": "HH",
        "address": "Schulweg 1\n20095 Hamburg",
        "vat_id": "DE811111111",
        "admin": ("it-leitung@schulamt-nord.example", "Jana", "Krüger", "de"),
        "technicians": [("technik@schulamt-nord.example", "Murat", "Yilmaz", "de")],
    },
    {
        "slug": "klinikum-sued",
        "name": "Klinikum Süd",
        "federal_state": "BY",
        "address": "Klinikstraße 5\n80331 München",
        "vat_id": "DE822222222",
        "admin": ("it@klinikum-sued.example", "Thomas", "Berger", "en"),
        "technicians": [("werkstatt@klinikum-sued.example", "Lena", "Hofmann", "de")],
    },
]


def _user(email, first="", last="", language="de") -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = user_create(email=email, password=DEMO_PASSWORD, first_name=first, last_name=last, language=language)
    return user


def seed_accounts() -> list[tuple[str, str]]:
    ProgrammeRules.objects.get_or_create(country="DE")
    people = []
    reviewer = _user("reviewer@apple.example", "Rita", "Reviewer")
    reviewer_set(user=reviewer)
    people.append(("Apple reviewer", reviewer.email))
    for spec in ORGANISATIONS:
        email, first, last, language = spec["admin"]
        admin = _user(email, first, last, language)
        organisation = Organisation.objects.filter(slug=spec["slug"]).first()
        if organisation is None:
            organisation = organisation_create(
                creator=admin,
                name=spec["name"],
                federal_state=spec["federal_state"],
                address=spec["address"],
                vat_id=spec["vat_id"],
                language="de",
            )
            if organisation.slug != spec["slug"]:
                organisation.slug = spec["slug"]
                organisation.save(update_fields=["slug"])
        people.append((f"{spec['name']}: administrator", admin.email))
        for t_email, t_first, t_last, t_language in spec["technicians"]:
            technician = _user(t_email, t_first, t_last, t_language)
            Membership.objects.get_or_create(
                user=technician, organisation=organisation, defaults={"role": Membership.Role.TECHNICIAN}
            )
            people.append((f"{spec['name']}: technician", technician.email))
    return people
