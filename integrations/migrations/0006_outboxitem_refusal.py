"""Refused writes keep the provider's own message in `refusal`, read from the error.

Rows refused before the column existed only have the whole error line in
`last_error` (`Recruitee API 422 (POST /c/1/candidates): words [request r-1]`,
as `IntegrationError.__str__` wrote it); their words are copied over once, here.
"""

import re

from django.db import migrations, models

STORED_LINE = re.compile(
    r"^[^:]*? API(?: \d{3})?(?: \([A-Z]+ [^)]*\))?: (?P<words>.*?)(?: \[request [^\]]*\])?$", re.S
)


def copy_refusals(apps, schema_editor):
    OutboxItem = apps.get_model("integrations", "OutboxItem")
    for item in OutboxItem.objects.filter(status="failed").exclude(last_error="").iterator():
        if match := STORED_LINE.match(item.last_error.strip()):
            OutboxItem.objects.filter(pk=item.pk).update(refusal=match.group("words"))


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0005_openapi_source"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxitem",
            name="refusal",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(copy_refusals, migrations.RunPython.noop, elidable=True),
    ]
