# The kernel takes over the audit trail and the notifications from ``accounts``: same tables, new owner
# (state only), plus the numbering sequences and the VAT rates.

import datetime
from decimal import Decimal

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def seed_vat(apps, schema_editor):
    VatRate = apps.get_model("core", "VatRate")
    VatRate.objects.bulk_create(
        [
            VatRate(country="DE", kind="standard", rate=Decimal("0.1900"), valid_from=datetime.date(2007, 1, 1)),
            VatRate(country="DE", kind="reduced", rate=Decimal("0.0700"), valid_from=datetime.date(1983, 7, 1)),
        ]
    )


def seed_account_numbers(apps, schema_editor):
    """Account numbers issued before the sequence existed: the counter starts after the highest one."""
    Account = apps.get_model("accounts", "Account")
    NumberSequence = apps.get_model("core", "NumberSequence")
    highest = 100000
    for number in Account.objects.filter(account_number__startswith="SSA-").values_list("account_number", flat=True):
        tail = number.split("-", 1)[1]
        if tail.isdigit():
            highest = max(highest, int(tail))
    NumberSequence.objects.create(name="account", year=0, last_value=highest)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0004_holds_and_messages"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("actor_label", models.CharField(blank=True, help_text="The actor's email when it happened.", max_length=254)),
                        ("action", models.CharField(db_index=True, max_length=80)),
                        ("object_type", models.CharField(blank=True, max_length=80)),
                        ("object_id", models.CharField(blank=True, max_length=64)),
                        ("object_repr", models.CharField(blank=True, max_length=200)),
                        ("before", models.JSONField(blank=True, null=True)),
                        ("after", models.JSONField(blank=True, null=True)),
                        ("ip_address", models.GenericIPAddressField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False)),
                        ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("organisation", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="audit_entries", to="accounts.organisation")),
                    ],
                    options={
                        "verbose_name": "audit entry",
                        "verbose_name_plural": "audit entries",
                        "db_table": "accounts_auditentry",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [models.Index(fields=["organisation", "-created_at"], name="accounts_au_organis_1a75f3_idx")],
                    },
                ),
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("template", models.CharField(max_length=80)),
                        ("context", models.JSONField(blank=True, default=dict)),
                        ("title", models.CharField(max_length=300)),
                        ("url", models.CharField(blank=True, max_length=500)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        ("send_email", models.BooleanField(default=True)),
                        ("email_sent_at", models.DateTimeField(blank=True, null=True)),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="notifications", to=settings.AUTH_USER_MODEL)),
                        ("organisation", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="accounts.organisation")),
                    ],
                    options={
                        "verbose_name": "notification",
                        "verbose_name_plural": "notifications",
                        "db_table": "accounts_notification",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [models.Index(fields=["user", "read_at"], name="accounts_no_user_id_780bd6_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.CreateModel(
            name="NumberSequence",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=40)),
                ("year", models.PositiveIntegerField(default=0)),
                ("last_value", models.PositiveBigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "number sequence",
                "verbose_name_plural": "number sequences",
                "constraints": [models.UniqueConstraint(fields=("name", "year"), name="number_sequence_unique")],
            },
        ),
        migrations.CreateModel(
            name="VatRate",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("country", models.CharField(max_length=2, verbose_name="country")),
                ("kind", models.CharField(choices=[("standard", "Standard rate"), ("reduced", "Reduced rate")], default="standard", max_length=10, verbose_name="kind")),
                ("rate", models.DecimalField(decimal_places=4, help_text="0.1900 for 19 %", max_digits=5, verbose_name="rate")),
                ("valid_from", models.DateField(verbose_name="valid from")),
            ],
            options={
                "verbose_name": "VAT rate",
                "verbose_name_plural": "VAT rates",
                "ordering": ["country", "kind", "-valid_from"],
                "constraints": [models.UniqueConstraint(fields=("country", "kind", "valid_from"), name="vat_rate_unique")],
            },
        ),
        migrations.RunPython(seed_vat, migrations.RunPython.noop),
        migrations.RunPython(seed_account_numbers, migrations.RunPython.noop),
    ]
