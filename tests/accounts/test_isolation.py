"""Tenant isolation and role checks, probed on every route the portal has.

The routes are read from the URL resolver, so a route added later is covered the moment it exists. Each is
called with every method as (a) anonymous, (b) a member of another organisation, (c) a technician where the
route's declared action needs an admin, and (d) a reviewer on tenant routes. Anything but the expected refusal
fails, and so does a tenant route that declares no action.

Then the object wall: (e) every route whose path names an object is called by an admin of organisation A, in
A's own URL, with the id of organisation B's object: 404, and nothing of B changed; (f) every write whose body
names another object (an email, an invoice number, a proof id …) is tried with B's: refused, or, where the value
is A's own free text, accepted without taking up B's object; and (g) members of two organisations working at
the same moment see only their own data.
"""

import datetime
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.models import ApiToken, Hold, Invitation, Membership, Organisation, User
from certification.models import Certification, ExamVoucher, TrainingModule, TrainingProgress
from core.decorators import action_for
from core.models import Notification
from core.permissions import can
from eligibility.models import Device, DeviceImport, EquipmentAttestation, ProofOfPurchase
from parts.models import CoreReturn, Invoice, PartsOrder
from parts.services import order_deliver, order_ship, order_submit
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.eligibility import files as f
from tests.parts.factories import PartFactory, approve, cart_of

METHODS = ["get", "post", "put", "patch", "delete"]
REFUSED = {302, 401, 403, 404}
PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")

# Routes that anyone may open without logging in. Everything else must refuse an anonymous caller.
PUBLIC = {
    "home",
    "healthz",
    "accounts:invitation_accept",
    "accounts:language_switch",
}
# allauth's own routes (login, signup, password reset …) and Django's admin guard themselves.
THIRD_PARTY_PREFIXES = ("accounts/", "admin/")
REVIEWER_PREFIXES = ("review/", "api/v1/review/")


def walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}" if entry.name else None, entry.callback


def routes():
    found = []
    for route, name, callback in walk(get_resolver().url_patterns):
        if route.startswith(THIRD_PARTY_PREFIXES) or "^" in route or "(?P" in route:
            continue
        found.append(pytest.param(route, name, callback, id=route or "/"))
    return found


ROUTES = routes()


def required_actions(callback) -> dict | None:
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None:
        return getattr(view_class, "required_actions", None)
    return getattr(callback, "required_actions", None)


@pytest.fixture
def values(organisation, admin, technician):
    """Path values that point at real objects of ``organisation``; unknown names get a placeholder."""
    with scopes_disabled():
        invitation = Invitation.objects.create(
            organisation=organisation,
            email="new@schulamt.example",
            role="technician",
            token_hash="x" * 64,
            invited_by=admin,
            expires_at="2999-01-01T00:00:00Z",
        )
    token = ApiToken.objects.create(user=admin, name="t", key_hash="y" * 64, hint="ssa_")
    return {
        "org": organisation.slug,
        "membership_id": Membership.objects.get(user=technician).pk,
        "invitation_id": invitation.pk,
        "token_id": token.pk,
    }


def build(route: str, values: dict) -> str:
    def fill(match):
        name, converter = match["name"], match["converter"] or "str"
        if name in values:
            return str(values[name])
        return "1" if converter == "int" else "zz-probe"

    return "/" + PARAM.sub(fill, route)


def is_tenant(route):
    return "<slug:org>" in route and not route.startswith(REVIEWER_PREFIXES)


def call(client, method, url):
    return (
        getattr(client, method)(url, data={} if method == "get" else None, content_type="application/json")
        if method != "get"
        else client.get(url)
    )


def test_the_walk_finds_the_portal_routes():
    names = {p.values[1] for p in ROUTES}
    assert {"accounts:members", "api_members", "api_organisations", "review:home"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name", "callback"), ROUTES)
def test_anonymous_is_refused(client, values, route, name, callback):
    if name in PUBLIC:
        return
    url = build(route, values)
    for method in METHODS:
        response = call(client, method, url)
        assert response.status_code in REFUSED | {405}, f"{method.upper()} {url} → {response.status_code}"
        if response.status_code == 405:
            continue
        if route.startswith("api/"):
            assert response.status_code in {401, 403, 404}, f"{method.upper()} {url} → {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name", "callback"), [r for r in ROUTES if is_tenant(r.values[0])])
def test_member_of_another_organisation_gets_404(client, api_client, values, outsider, route, name, callback):
    url = build(route, values)
    client.force_login(outsider)
    api_client.force_authenticate(outsider)
    for method in METHODS:
        assert call(client, method, url).status_code == 404, f"session {method.upper()} {url}"
    raw = ApiToken.generate()
    ApiToken.objects.create(user=outsider, name="probe", key_hash=ApiToken.hash_key(raw), hint=raw[:10])
    expected = {404} if route.startswith("api/") else REFUSED  # tokens count on the API only
    for method in METHODS:
        response = getattr(api_client.__class__(), method)(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code in expected, f"token {method.upper()} {url} → {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name", "callback"), [r for r in ROUTES if is_tenant(r.values[0])])
def test_technician_is_refused_where_an_admin_is_required(client, values, technician, route, name, callback):
    actions = required_actions(callback)
    assert actions, f"{route} declares no action: every tenant route must say what it does"
    membership = Membership.objects.get(user=technician)
    url = build(route, values)
    client.force_login(technician)
    for method in METHODS:
        action = action_for(actions, method.upper())
        if action is not None and can(membership, action):
            continue
        response = call(client, method, url)
        assert response.status_code == 403, f"{method.upper()} {url} ({action}) → {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name", "callback"), [r for r in ROUTES if is_tenant(r.values[0])])
def test_reviewer_reaches_tenants_only_through_review(client, values, reviewer, route, name, callback):
    url = build(route, values)
    client.force_login(reviewer)
    for method in METHODS:
        assert call(client, method, url).status_code == 404, f"{method.upper()} {url}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "name", "callback"), [r for r in ROUTES if r.values[0].startswith(REVIEWER_PREFIXES)]
)
def test_review_routes_are_hidden_from_members(client, values, admin, technician, route, name, callback):
    url = build(route, values)
    for user in (admin, technician):
        client.force_login(user)
        for method in METHODS:
            assert call(client, method, url).status_code == 404, f"{user} {method.upper()} {url}"


# --- (e) the object wall ------------------------------------------------------------------------------------------
#
# Organisation A (``organisation``, its ``admin`` and ``technician``) works in its own URL; organisation B
# (``other_organisation``, its admin ``outsider`` and a technician) owns one object of every kind a path can name.


@dataclass
class Side:
    """One organisation and what it owns in the probe."""

    organisation: Organisation
    admin: User
    technician: User
    objects: dict = field(default_factory=dict)


@dataclass
class World:
    a: Side
    b: Side
    module: TrainingModule  # the programme's training catalogue: no organisation's object

    def b_object(self, name):
        return self.b.objects[name]


def _save_file(instance, field_name: str, name: str, data: bytes) -> None:
    getattr(instance, field_name).save(name, ContentFile(data), save=False)


@pytest.fixture
def world(organisation, admin, technician, other_organisation, outsider) -> World:
    """B owns a device, a proof, an import, an equipment photo, a voucher, a certification, a hold, an invitation,
    an API token, a notification, training progress, and (approved) a parts order, a delivered order with its
    invoice, core return and stock; every file-serving object has its file, so that a 404 means "not yours" and
    never "nothing to serve". A owns a device and an unassigned voucher for the body writes.
    """
    b = other_organisation
    b_technician = UserFactory(email="tech@klinikum.example")
    b_membership = MembershipFactory(user=b_technician, organisation=b, role="technician")
    module = TrainingModule.objects.create(title="Probe module", kind="acmt", language="de")
    with scope(organisation=b):
        proof = ProofOfPurchase(
            organisation=b,
            invoice_number="RE-B-1",
            original_name="b.pdf",
            content_type="application/pdf",
            size=len(f.PDF),
            sha256="b" * 64,
            uploaded_by=outsider,
        )
        _save_file(proof, "file", "b.pdf", f.PDF)
        proof.save()
        device_values = {"product_line": "mac", "purchase_source": "apple", "ownership": "owned"}
        device = Device.objects.create(
            organisation=b, serial_number=f.serial(700, prefix="K01"), invoice_number="RE-B-1", proof=proof,
            **device_values,
        )  # fmt: skip
        # devices whose invoice B has not uploaded yet: A's upload of that invoice number must not link them
        Device.objects.create(
            organisation=b, serial_number=f.serial(701, prefix="K01"), invoice_number="RE-B-2", **device_values
        )
        device_import = DeviceImport(
            organisation=b, original_name="b.csv", size=10, status=DeviceImport.Status.SUCCEEDED, created_by=outsider
        )
        _save_file(device_import, "file", "b.csv", b"serial_number\n")
        _save_file(device_import, "error_report", "errors.csv", b"row;column;message\n2;serial;B only\n")
        device_import.save()
        attestation = EquipmentAttestation(
            organisation=b, item="diagnostic_server", present=True, detail="b-host", photo_content_type="image/png"
        )
        _save_file(attestation, "photo", "p.png", f.PNG)
        attestation.save()
        voucher = ExamVoucher.objects.create(organisation=b, code="SSA-BBBB-0001", kind="acmt", free=True)
        certification = Certification(
            organisation=b,
            technician=b_technician,
            kind="ios",
            credential_id="B-IOS-1",
            passed_on=datetime.date(2024, 1, 10),
            evidence_content_type="application/pdf",
        )
        _save_file(certification, "evidence", "c.pdf", f.PDF)
        certification.save()
        # Parts, before B's hold stops ordering: the catalogue is the programme's; B's orders, invoice, core return
        # and stock are B's.
        approve(b)
        part = PartFactory(part_number="661-80001", description="Display, probe", product_lines_key="|mac|")
        delivered = order_submit(order=cart_of(b, outsider, (part, 1, "exchange")), actor=outsider)
        delivered = order_ship(order=delivered, actor=outsider, carrier="DHL", tracking_number="B-1")
        delivered = order_deliver(order=delivered, actor=outsider)
        # Submitted, not yet shipped: the state in which an order's page, its confirmation, cancelling and (refused
        # with 409, not 404) changing or submitting it all apply, so an unchecked id shows as B's order changing.
        order = order_submit(order=cart_of(b, outsider, (part, 2, "stock"), reference="B's order"), actor=outsider)
        invoice = Invoice.objects.get(order=delivered)
        core = CoreReturn.objects.get(order_line__order=delivered)
        hold = Hold.objects.create(organisation=b, reason=Hold.Reason.MANUAL, note="B's hold")
        invitation = Invitation.objects.create(
            organisation=b,
            email="new@klinikum.example",
            role="technician",
            token_hash="b" * 64,
            invited_by=outsider,
            expires_at=timezone.now() + datetime.timedelta(days=7),
        )
        TrainingProgress.objects.create(organisation=b, user=b_technician, module=module)
    notification = Notification.objects.create(user=outsider, organisation=b, template="probe", title="B only")
    token = ApiToken.objects.create(user=outsider, name="b", key_hash="c" * 64, hint="ssa_b")
    with scope(organisation=organisation):
        a_device = Device.objects.create(organisation=organisation, serial_number=f.serial(1), **device_values)
        a_voucher = ExamVoucher.objects.create(organisation=organisation, code="SSA-AAAA-0001", kind="acmt", free=True)
    return World(
        a=Side(organisation, admin, technician, {"device": a_device, "voucher": a_voucher}),
        b=Side(
            b,
            outsider,
            b_technician,
            {
                "membership": b_membership,
                "invitation": invitation,
                "device": device,
                "proof": proof,
                "import": device_import,
                "attestation": attestation,
                "voucher": voucher,
                "certification": certification,
                "hold": hold,
                "token": token,
                "notification": notification,
                "order": order,
                "delivered_order": delivered,
                "invoice": invoice,
                "core": core,
                "part": part,
            },
        ),
        module=module,
    )


@dataclass(frozen=True)
class Kind:
    """How a path names one of B's objects, and what a write to it would carry if the object were the caller's,
    so that a missing check shows up as a change and not only as a wrong status."""

    value: Callable[[World], object]
    body: Callable[[World], dict] = lambda w: {}


# URL kwarg → B's object. A path kwarg that is in neither table fails the wall: add its kind here.
OBJECT_KINDS: dict[str, Kind] = {
    "membership_id": Kind(lambda w: w.b_object("membership").pk, body=lambda w: {"role": "admin"}),
    "invitation_id": Kind(lambda w: w.b_object("invitation").pk),
    "import_id": Kind(lambda w: w.b_object("import").pk),
    "serial_number": Kind(lambda w: w.b_object("device").serial_number, body=lambda w: {"model": "Probe"}),
    "proof_id": Kind(lambda w: w.b_object("proof").pk),
    "item": Kind(lambda w: w.b_object("attestation").item),
    "code": Kind(lambda w: w.b_object("voucher").code, body=lambda w: {"technician": w.b.technician.email}),
    "voucher_id": Kind(lambda w: w.b_object("voucher").pk, body=lambda w: {"technician": w.b.technician.email}),
    "certification_id": Kind(lambda w: w.b_object("certification").pk),
    "hold_id": Kind(lambda w: w.b_object("hold").pk),
    "token_id": Kind(lambda w: w.b_object("token").pk),
    # B's submitted order; a write that reached it would change its lines, reference or status
    "order_id": Kind(
        lambda w: w.b_object("order").pk,
        body=lambda w: {
            "lines": [{"part_number": w.b_object("part").part_number, "quantity": 5, "pricing": "stock"}],
            "reference": "Probe",
            "part_number": w.b_object("part").part_number,
            "quantity": 5,
        },
    ),
    # B's core return, due; a write that reached it would mark it returned
    "core_id": Kind(lambda w: w.b_object("core").pk, body=lambda w: {"tracking_number": "PROBE-1"}),
    "invoice_id": Kind(lambda w: w.b_object("invoice").pk),
}
# URL kwargs that name no organisation's object, with the reason; a route with only these need not answer 404,
# but B's data must stay unchanged all the same.
NOT_OBJECTS: dict[str, tuple[Callable[[World], object], str]] = {
    "module_id": (lambda w: w.module.pk, "the training catalogue is the programme's, the same for everyone"),
    "step": (lambda w: "complete", "a verb of the route (start, complete), not an object"),
    "part_number": (lambda w: w.b_object("part").part_number, "the catalogue is the programme's"),
    "month": (
        lambda w: f"{datetime.date.today():%Y-%m}",
        "a month of the organisation's own statement, not an object",
    ),
}


def path_kwargs(route: str) -> list[str]:
    return [m["name"] for m in PARAM.finditer(route) if m["name"] != "org"]


def object_routes():
    return [
        r
        for r in ROUTES
        if path_kwargs(r.values[0]) and r.values[1] not in PUBLIC and not r.values[0].startswith(REVIEWER_PREFIXES)
    ]


def view_methods(callback) -> list[str] | None:
    """The methods a class-based view answers; None for a function view (which says so only by a 405)."""
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is None:
        return None
    return [m for m in METHODS if hasattr(view_class, m)]


def send(client, method: str, url: str, body: dict, *, api: bool, multipart: bool = False):
    if multipart:
        response = client.post(url, data=body)
    elif api:
        response = client.generic(method.upper(), url, json.dumps(body), content_type="application/json")
    elif method == "get":
        response = client.get(url)
    elif method == "post":
        response = client.post(url, data=body)
    else:
        response = client.generic(
            method.upper(), url, urlencode(body), content_type="application/x-www-form-urlencoded"
        )
    if response.streaming:
        b"".join(response.streaming_content)  # closes the file it served (the test client's way, keeping the db)
    return response


def _rows(model, **lookup) -> dict:
    with scopes_disabled():  # the test reads both organisations
        return {(model._meta.label, row["id"]): row for row in model.objects.filter(**lookup).order_by("pk").values()}


def tenant_models():
    """Every model with a foreign key to the organisation (the scoped ones, memberships, notifications …):
    models added later are part of the snapshot the moment they exist."""
    for model in apps.get_models():
        for f_ in model._meta.concrete_fields:
            if f_.is_relation and f_.related_model is Organisation:
                yield model, f_.name


def snapshot(side: Side) -> dict:
    """Every row the organisation owns, its own record, and what its members own outside it."""
    rows = _rows(Organisation, pk=side.organisation.pk)
    for model, name in tenant_models():
        rows.update(_rows(model, **{name: side.organisation}))
    users = list(Membership.objects.filter(organisation=side.organisation).values_list("user_id", flat=True))
    rows.update(_rows(User, pk__in=users))
    rows.update(_rows(ApiToken, user__in=users))
    rows.update(_rows(EmailAddress, user__in=users))
    rows.update(_rows(Authenticator, user__in=users))
    return rows


def changes(before: dict, after: dict, allowed: frozenset = frozenset()) -> list[str]:
    """What differs, as readable lines; ``allowed`` names the (model label, field) pairs that may change."""
    found = []
    for key in sorted(before.keys() | after.keys(), key=str):
        old, new = before.get(key), after.get(key)
        if old is None or new is None:
            found.append(f"{key} {'added' if old is None else 'deleted'}")
            continue
        for name in old:
            if old[name] != new[name] and (key[0], name) not in allowed:
                found.append(f"{key}.{name}: {old[name]!r} → {new[name]!r}")
    return found


def test_the_wall_finds_the_routes_that_name_objects():
    kwargs = {k for r in object_routes() for k in path_kwargs(r.values[0])}
    assert {"membership_id", "invitation_id", "import_id", "serial_number", "proof_id", "code"} <= kwargs
    assert {"certification_id", "item", "token_id"} <= kwargs
    assert {"order_id", "core_id", "invoice_id", "part_number", "month"} <= kwargs


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name", "callback"), object_routes())
def test_another_organisations_object_is_not_found_in_my_organisation(client, world, route, name, callback):
    names = path_kwargs(route)
    unknown = [k for k in names if k not in OBJECT_KINDS and k not in NOT_OBJECTS]
    assert not unknown, (
        f"{route}: <{'>, <'.join(unknown)}> names an object of a kind the wall does not know; add a factory for "
        "B's object to OBJECT_KINDS (or, if it names no organisation's object, to NOT_OBJECTS with the reason)"
    )
    kinds = [OBJECT_KINDS[k] for k in names if k in OBJECT_KINDS]
    values = {k: (OBJECT_KINDS[k].value(world) if k in OBJECT_KINDS else NOT_OBJECTS[k][0](world)) for k in names}
    body = {k: v for kind in kinds for k, v in kind.body(world).items()}
    api = route.startswith("api/")
    methods = view_methods(callback) or METHODS

    client.force_login(world.a.admin)
    assert client.get(f"/o/{world.a.organisation.slug}/").status_code == 200  # A's admin is inside A's wall
    before = snapshot(world.b)
    refused = []
    for method in methods:
        url = build(route, {**values, "org": world.a.organisation.slug})
        status = send(client, method, url, body, api=api).status_code
        if not kinds:
            continue  # no object of anyone's: what the route answers is its own business, B's data is checked below
        allowed = {404} if view_methods(callback) else {404, 405}  # a function view refuses other methods itself
        assert status in allowed, f"A's admin: {method.upper()} {url} with B's object → {status}, not 404"
        if status == 404:
            refused.append(method)
    diff = changes(before, snapshot(world.b))
    assert not diff, f"{route}: A's admin changed B's data:\n" + "\n".join(diff)
    if not kinds:
        return
    assert refused, f"{route}: no method answered 404, so the wall proved nothing"

    # The control: B's owner reaches the same object in B's URL, so the 404 above meant "not yours".
    client.force_login(world.b.admin)
    for method in refused:
        url = build(route, {**values, "org": world.b.organisation.slug})
        status = send(client, method, url, body, api=api).status_code
        assert status != 404, f"B's admin: {method.upper()} {url} → 404: the factory's object is not reachable"


# --- (f) writes that name another organisation's object in their body ----------------------------------------------


def _a_voucher_unassigned(w: World):
    [row] = _rows(ExamVoucher, pk=w.a.objects["voucher"].pk).values()
    assert row["assigned_to_id"] is None, "A's voucher went to B's technician"


def _a_has_no_certification(w: World):
    assert not _rows(Certification, organisation=w.a.organisation), "a certification was recorded for B's member"


def _a_devices_link_no_proof(w: World):
    linked = {row["serial_number"]: row["proof_id"] for row in _rows(Device, organisation=w.a.organisation).values()}
    assert not any(linked.values()), f"A's devices link to B's proof: {linked}"  # A has no proof of its own


def _a_has_the_new_devices(w: World):
    _a_devices_link_no_proof(w)
    assert len(_rows(Device, organisation=w.a.organisation)) > 1


def _a_claim_of_bs_serial_is_under_review(w: World):
    _a_has_the_new_devices(w)
    [row] = _rows(Device, organisation=w.a.organisation, serial_number=w.b_object("device").serial_number).values()
    assert row["serial_conflict"], "A's later claim of B's serial counts"


def _a_has_one_cart_of_its_own(w: World):
    orders = _rows(PartsOrder, organisation=w.a.organisation).values()
    assert [(row["status"], row["number"]) for row in orders] == [("draft", "")], orders


@dataclass(frozen=True)
class ForeignWrite:
    """One write, made by A's admin in A's URL, whose body names B's object.

    ``answers`` are the statuses it may give: 400/404 where the body names B's object by an id, a code or a
    member's email; 201/200/202 where the value is A's own free text that merely matches B's (an invoice number,
    a serial), and then ``a_side`` checks that A's rows did not take up B's object. ``b_may_change`` lists the
    (model label, field) pairs the design lets change on B's side.
    """

    method: str
    path: str  # formatted with org (A's slug), a_serial, a_voucher
    body: Callable[[World], dict]
    answers: frozenset
    a_side: Callable[[World], None] | None = None
    b_may_change: frozenset = frozenset()
    api: bool = True
    multipart: bool = False


def _certification_body(w):
    return {"technician": w.b.technician.email, "kind": "acmt", "credential_id": "A-PROBE-1", "passed_on": "2024-02-01"}


def _device_body(serial: str, invoice: str = ""):
    return {
        "serial_number": serial,
        "product_line": "mac",
        "purchase_source": "apple",
        "ownership": "owned",
        "invoice_number": invoice,
    }


def _inventory_naming_b(w):
    rows = [
        f.german_row(0, invoice="RE-B-1"),  # A's new device with B's invoice number: no link to B's proof
        [w.b_object("device").serial_number, *f.german_row(1, invoice="RE-B-1")[1:]],  # B's serial: a conflict
        [w.a.objects["device"].serial_number, *f.german_row(2, invoice="RE-B-2")[1:]],  # A's own, updated
    ]
    return {"file": SimpleUploadedFile("inventar.csv", f.german_excel_csv(rows))}


# A serial listed by two organisations is a conflict, but only the later claim (A's here) is flagged: B listed it
# first, so nothing of B may change (issue #9, finding 1) and the rows below allow B no change at all.

# To extend: add a row. When parts/ and repairs/ arrive, give ``world`` B's order and a part only B has in stock
# (``b.objects["order"]``, ``b.objects["part_number"]``) and add e.g.
#   ForeignWrite("post", "/api/v1/orgs/{org}/repairs/{a_repair}/parts/",
#                lambda w: {"part_number": w.b_object("part_number"), "quantity": 1}, frozenset({400, 409})),
#   ForeignWrite("post", "/api/v1/orgs/{org}/orders/", lambda w: {"lines": [...], "order": w.b_object("order").pk}, …)
# Order ids in a path (``orders/<int:order_id>/submit/``) belong to OBJECT_KINDS above, not here.
FOREIGN_WRITES = {
    "api voucher assigned to B's technician": ForeignWrite(
        "post",
        "/api/v1/orgs/{org}/vouchers/{a_voucher}/assign/",
        lambda w: {"technician": w.b.technician.email},
        frozenset({400}),
        a_side=_a_voucher_unassigned,
    ),
    "html voucher assigned to B's technician": ForeignWrite(
        "post",
        "/o/{org}/certification/vouchers/{a_voucher}/assign/",
        lambda w: {"technician": w.b.technician.email},
        frozenset({302}),  # the page refuses with a message and sends the admin back
        a_side=_a_voucher_unassigned,
        api=False,
    ),
    "api certification recorded for B's technician": ForeignWrite(
        "post", "/api/v1/orgs/{org}/certifications/", _certification_body, frozenset({400}), _a_has_no_certification
    ),
    "html certification recorded for B's technician": ForeignWrite(
        "post", "/o/{org}/certification/", _certification_body, frozenset({400}), _a_has_no_certification, api=False
    ),
    "api device patched to B's proof id": ForeignWrite(
        "patch",
        "/api/v1/orgs/{org}/devices/{a_serial}/",
        lambda w: {"proof": w.b_object("proof").pk},
        frozenset({200, 400}),  # ``proof`` is derived from the invoice number, not written
        a_side=_a_devices_link_no_proof,
    ),
    "api device patched to B's invoice number": ForeignWrite(
        "patch",
        "/api/v1/orgs/{org}/devices/{a_serial}/",
        lambda w: {"invoice_number": "RE-B-1"},
        frozenset({200}),
        a_side=_a_devices_link_no_proof,
    ),
    "api device created with B's invoice number": ForeignWrite(
        "post",
        "/api/v1/orgs/{org}/devices/",
        lambda w: _device_body(f.serial(2), "RE-B-1"),
        frozenset({201}),
        a_side=_a_has_the_new_devices,
    ),
    "html device created with B's invoice number": ForeignWrite(
        "post",
        "/o/{org}/inventory/",
        lambda w: {f"device-{k}": v for k, v in _device_body(f.serial(2), "RE-B-1").items()},
        frozenset({302}),
        a_side=_a_has_the_new_devices,
        api=False,
    ),
    "api device created with B's serial": ForeignWrite(
        "post",
        "/api/v1/orgs/{org}/devices/",
        lambda w: _device_body(w.b_object("device").serial_number, "RE-B-1"),
        frozenset({201}),
        a_side=_a_claim_of_bs_serial_is_under_review,
    ),
    "api proof uploaded for B's invoice number": ForeignWrite(
        "post",
        "/api/v1/orgs/{org}/proofs/",
        lambda w: {"file": SimpleUploadedFile("a.pdf", f.PDF), "invoice_number": "RE-B-2"},
        frozenset({201}),  # B's devices with RE-B-2 must not link to A's proof: the snapshot shows it
        multipart=True,
    ),
    "api import naming B's serial and invoice numbers": ForeignWrite(
        "post",
        "/api/v1/orgs/{org}/device-imports/",
        _inventory_naming_b,
        frozenset({202}),
        a_side=_a_claim_of_bs_serial_is_under_review,
        multipart=True,
    ),
    "api member invited by the email of B's technician": ForeignWrite(
        "post",
        "/api/v1/orgs/{org}/members/",
        lambda w: {"email": w.b.technician.email, "role": "admin"},
        frozenset({201}),  # API.md: an existing user is added at once; their role in B stays as it is
    ),
    "html member invited by the email of B's admin": ForeignWrite(
        "post",
        "/o/{org}/members/",
        lambda w: {"email": w.b.admin.email, "role": "technician"},
        frozenset({302}),
        api=False,
    ),
    "api order created naming B's order and organisation": ForeignWrite(
        "post",
        "/api/v1/orgs/{org}/orders/",
        lambda w: {
            "lines": [{"part_number": w.b_object("part").part_number, "quantity": 1}],
            "id": w.b_object("order").pk,
            "order": w.b_object("order").pk,
            "organisation": w.b.organisation.slug,
        },
        frozenset({201}),  # a new cart of A's own: ids and organisations in the body are not read
        a_side=_a_has_one_cart_of_its_own,
    ),
    "notification of B's admin marked read": ForeignWrite(
        "post",
        "/notifications/read/",
        lambda w: {"notification": w.b_object("notification").pk},
        frozenset({302}),
        api=False,
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", FOREIGN_WRITES.values(), ids=FOREIGN_WRITES.keys())
def test_a_write_naming_another_organisations_object_does_not_reach_it(client, world, committed, case):
    url = case.path.format(
        org=world.a.organisation.slug,
        a_serial=world.a.objects["device"].serial_number,
        a_voucher=world.a.objects["voucher"].code,
    )
    body = case.body(world)
    client.force_login(world.a.admin)
    before = snapshot(world.b)
    with committed():  # the jobs a write queues (an import) run, so their effects are seen too
        response = send(client, case.method, url, body, api=case.api, multipart=case.multipart)
    assert response.status_code in case.answers, (response.status_code, getattr(response, "content", b"")[:300])
    diff = changes(before, snapshot(world.b), case.b_may_change)
    assert not diff, "A's write changed B's data:\n" + "\n".join(diff)
    if case.a_side:
        case.a_side(world)


# --- (g) two organisations at the same moment -----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_members_of_two_organisations_working_at_the_same_moment_see_only_their_own(
    organisation, technician, other_organisation
):
    """Each request opens its organisation's scope in a context variable: two threads serving two organisations
    at once must not see each other's scope, rows or cached pages."""
    b_technician = UserFactory(email="tech@klinikum.example")
    MembershipFactory(user=b_technician, organisation=other_organisation, role="technician")
    own = {}
    for side, (org, prefix) in {"a": (organisation, "A01"), "b": (other_organisation, "B01")}.items():
        with scope(organisation=org):
            Device.objects.bulk_create(
                Device(
                    organisation=org,
                    serial_number=f.serial(i, prefix=prefix),
                    product_line="mac",
                    purchase_source="apple",
                    ownership="owned",
                )
                for i in range(30)
            )
        own[side] = {f.serial(i, prefix=prefix) for i in range(30)}
    clients = {}
    for side, user in {"a": technician, "b": b_technician}.items():
        clients[side] = Client()
        clients[side].force_login(user)
    slugs = {"a": organisation.slug, "b": other_organisation.slug}
    barrier = threading.Barrier(2)
    findings: list[str] = []

    def work(side: str, other: str):
        try:
            barrier.wait()
            for _ in range(15):
                response = clients[side].get(f"/api/v1/orgs/{slugs[side]}/devices/?page_size=100")
                seen = {d["serial_number"] for d in response.json()["results"]}
                if response.status_code != 200 or seen != own[side]:
                    findings.append(f"{side} saw {len(seen - own[side])} foreign, missed {len(own[side] - seen)}")
                page = clients[side].get(f"/o/{slugs[side]}/inventory/").content.decode()
                if not any(s in page for s in own[side]) or any(s in page for s in own[other]):
                    findings.append(f"{side}'s inventory page showed {other}'s devices, or not its own")
                if clients[side].get(f"/api/v1/orgs/{slugs[other]}/devices/").status_code != 404:
                    findings.append(f"{side} reached {other}'s devices")
        except Exception as exc:  # any failure is a finding: the test reports it
            findings.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=pair) for pair in (("a", "b"), ("b", "a"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert findings == []
