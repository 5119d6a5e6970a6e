# The audit trail and the notifications now belong to the kernel (``core``); their tables stay as they are.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_holds_and_messages"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AuditEntry"),
                migrations.DeleteModel(name="Notification"),
            ],
            database_operations=[],
        ),
    ]
