from django.db import migrations

MODULES = [
    ("Mac-Service-Grundlagen: Sicherheit, ESD und Werkzeuge", "mac", "acmt", 90, "de", 1),
    ("Mac service fundamentals: safety, ESD and tools", "mac", "acmt", 90, "en", 2),
    ("Mac-Diagnose mit Apple Diagnostics und dem Diagnoseserver", "mac", "acmt", 120, "de", 3),
    ("macOS troubleshooting for technicians", "mac", "acmt", 150, "en", 4),
    ("iPhone-Reparatur: Displays, Akkus und Kameras", "iphone", "ios", 120, "de", 5),
    ("iOS device service fundamentals", "", "ios", 90, "en", 6),
    ("iPad-Service: Gehäuse, Displays und Anschlüsse", "ipad", "ios", 90, "de", 7),
    ("Teileversand und Altteil-Rückgabe im SSA-Programm", "", "", 30, "de", 8),
]


def catalogue(apps, schema_editor):
    TrainingModule = apps.get_model("certification", "TrainingModule")
    for title, line, kind, minutes, language, position in MODULES:
        TrainingModule.objects.get_or_create(
            title=title,
            defaults={"product_line": line, "kind": kind, "duration_minutes": minutes, "language": language,
                      "position": position,
                      "content": "Selbstlernkurs – der Inhalt wird im Apple-Schulungsportal bereitgestellt."
                      if language == "de" else "Self-paced course — content is provided in Apple's training portal."},
        )


class Migration(migrations.Migration):
    dependencies = [("certification", "0003_training")]
    operations = [migrations.RunPython(catalogue, migrations.RunPython.noop)]
