"""Candidates' search text folded (accents, case, phone digits) and indexed (core.search)."""

from django.db import migrations

from core import search


def refold(apps, schema_editor):
    search.rewrite_documents(
        apps.get_model("ats", "Candidate"),
        ("name", "emails", "phones"),
        lambda name, emails, phones: search.search_document(name, *emails, phones=phones),
        schema_editor,
    )


class Migration(migrations.Migration):
    dependencies = [("ats", "0003_candidate_search_bits")]

    operations = [
        migrations.RunPython(refold, migrations.RunPython.noop),
        search.search_index("ats_candidate"),
    ]
