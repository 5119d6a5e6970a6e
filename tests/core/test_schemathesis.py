"""The OpenAPI schema is true: schemathesis generates requests for every operation from the schema the app serves
(drf-spectacular, generated in-process) and checks every answer against it (issue #9, finding 12).

Bounded: a few derandomized examples per operation, so the whole run stays within a few minutes on two cores. The
organisation routes run with an organisation admin's token, the review routes with a reviewer's (both with TOTP).
"""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django_scopes import scope
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import (  # the registry of built-in checks
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import api_token_create
from eligibility import services as eligibility_services
from parts.services import order_deliver, order_ship, order_submit
from tests.eligibility import files as f
from tests.parts.factories import PartFactory, approve, cart_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ORG = "schulamt-nord"

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


@pytest.fixture
def app():
    """The portal as WSGI, in the test's transaction: like Django's test client, a request must not close the
    connection the test's transaction lives on."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(organisation, admin, reviewer):
    with scope(organisation=organisation):
        eligibility_services.proof_upload(
            organisation=organisation, actor=admin, upload=SimpleUploadedFile("r.pdf", f.PDF), invoice_number="RE-1"
        )
        eligibility_services.device_create(
            organisation=organisation,
            actor=admin,
            data={
                "serial_number": f.serial(1),
                "product_line": "mac",
                "purchase_source": "apple",
                "ownership": "owned",
                "invoice_number": "RE-1",
            },
        )
        # Parts in every state the lists show, so their answers are checked against the schema with rows in them:
        # a delivered order (invoice, core return, stock), a submitted one (the reviewers' queue) and a cart.
        approve(organisation)
        display = PartFactory(part_number="661-30001", description="Display")
        battery = PartFactory(part_number="661-30002", description="Battery", exchange_price=None, core_return=False)
        delivered = order_submit(order=cart_of(organisation, admin, (display, 1, "exchange"), (battery, 1, "stock")),
                                 actor=admin)  # fmt: skip
        order_ship(order=delivered, actor=reviewer, carrier="DHL", tracking_number="1")
        order_deliver(order=delivered, actor=reviewer)
        order_submit(order=cart_of(organisation, admin, (battery, 2, "stock")), actor=admin)
        cart_of(organisation, admin, (display, 1, "stock"))
    return {
        "admin": api_token_create(user=admin, name="schemathesis")[1],
        "reviewer": api_token_create(user=reviewer, name="schemathesis")[1],
    }


@schema.parametrize()
@settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_the_schema_says(case, app, tokens):
    if "org" in (case.path_parameters or {}):
        case.path_parameters["org"] = ORG
    who = "reviewer" if case.path.startswith("/api/v1/review/") else "admin"
    cache.clear()  # the rate limits would otherwise answer most of a run with 429
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {tokens[who]}"}, checks=CHECKS)
