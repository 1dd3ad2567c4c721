"""Projects' search text folded (accents, case) and indexed (core.search)."""

from django.db import migrations

from core import search


def refold(apps, schema_editor):
    search.rewrite_documents(
        apps.get_model("projects", "Project"),
        ("name", "description"),
        lambda name, description: search.search_document(name, description),
        schema_editor,
    )


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_import_batch")]

    operations = [
        migrations.RunPython(refold, migrations.RunPython.noop),
        search.search_index("projects_project"),
    ]
