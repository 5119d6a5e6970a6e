import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from eligibility import services
from eligibility.models import Device, DeviceImport
from tests.eligibility import files as f


@pytest.fixture
def in_scope(organisation):
    with scope(organisation=organisation):
        yield organisation


@pytest.fixture
def run_import(organisation, admin, committed):
    """``run_import(bytes, name)`` imports a file as the admin would and returns the finished import."""

    def run(data: bytes, name: str = "inventar.csv") -> DeviceImport:
        with scope(organisation=organisation), committed():
            device_import = services.device_import_start(
                organisation=organisation, actor=admin, upload=SimpleUploadedFile(name, data)
            )
        with scope(organisation=organisation):
            device_import.refresh_from_db()
        return device_import

    return run


@pytest.fixture
def devices(organisation):
    """``devices(n, **fields)`` creates counted-looking devices quickly."""

    def make(n: int, start: int = 0, **fields):
        values = {"product_line": "mac", "purchase_source": "apple", "ownership": "owned", "invoice_number": ""}
        values.update(fields)
        with scope(organisation=organisation):
            Device.objects.bulk_create(
                [Device(organisation=organisation, serial_number=f.serial(start + i), **values) for i in range(n)]
            )

    return make
