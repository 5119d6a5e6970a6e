from django.db import migrations

APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION accounts_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_auditentry_no_update BEFORE UPDATE OR DELETE ON accounts_auditentry
    FOR EACH ROW EXECUTE FUNCTION accounts_auditentry_append_only();
"""
DROP_SQL = """
DROP TRIGGER IF EXISTS accounts_auditentry_no_update ON accounts_auditentry;
DROP FUNCTION IF EXISTS accounts_auditentry_append_only();
"""


def append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_SQL)


def drop_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


def germany(apps, schema_editor):
    ProgrammeRules = apps.get_model("accounts", "ProgrammeRules")
    ProgrammeRules.objects.get_or_create(
        country="DE",
        defaults={"min_installed_base": 1000, "certification_days": 90, "free_vouchers": 2,
                  "reminder_days": [60, 30, 14, 7, 1], "expiry_notice_days": 30, "core_return_days": 15,
                  "overdue_cores_hold": 5, "invoice_payment_days": 30, "repeat_repair_days": 90},
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.RunPython(append_only, drop_append_only),
        migrations.RunPython(germany, migrations.RunPython.noop),
    ]
