"""Organizations' and persons' search text folded (accents, case) and indexed (core.search)."""

from django.db import migrations

from core import search


def refold(apps, schema_editor):
    search.rewrite_documents(
        apps.get_model("crm", "Organization"),
        ("name", "domains"),
        lambda name, domains: search.search_document(name, *domains),
        schema_editor,
    )
    search.rewrite_documents(
        apps.get_model("crm", "Person"),
        ("first_name", "last_name", "emails"),
        lambda first, last, emails: search.search_document(first, last, *emails),
        schema_editor,
    )


class Migration(migrations.Migration):
    dependencies = [("crm", "0002_links_loaded_at")]

    operations = [
        migrations.RunPython(refold, migrations.RunPython.noop),
        search.search_index("crm_organization"),
        search.search_index("crm_person"),
    ]
