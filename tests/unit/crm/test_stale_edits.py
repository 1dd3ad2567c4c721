"""An edit saved from a page opened before someone else's edit keeps the other change.

Ana and Ben open the same edit page; Ben saves a change; Ana saves hers. What Ana left as
it was must keep Ben's value, locally and at Affinity (a stateful Affinity mocked with
`responses`: the PUT bodies are what the hub sent); the same field changed by both is a
conflict shown on the form, and saving again replaces Ben's value on purpose.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core import signing
from django.utils import timezone

from core.forms import EDIT_BASE_SALT
from crm.models import Organization, Person
from integrations.models import AuditEntry, Connection, OutboxItem

BASE = "https://api.affinity.co"

pytestmark = pytest.mark.django_db


class FakeAffinity:
    """One Affinity record behind GET and PUT, PUT applying only the fields it was sent."""

    def __init__(self, rsps: Any, kind: str, record: dict[str, Any]) -> None:
        self.record, self.puts, self.down = record, [], False
        url = re.compile(rf"{BASE}/{kind}/{record['id']}(\?.*)?$")
        rsps.add_callback("GET", url, callback=lambda request: (200, {}, json.dumps(self.record)))
        rsps.add_callback("PUT", url, callback=self.put)

    def put(self, request: Any) -> tuple[int, dict, str]:
        if self.down:
            return 503, {}, "{}"
        body = json.loads(request.body)
        self.puts.append(body)
        self.record = {**self.record, **body}
        return 200, {}, json.dumps(self.record)


@pytest.fixture
def connection(db):
    return Connection.objects.create(provider="affinity", name="t", base_url=BASE, api_token="k")


@pytest.fixture
def acme(connection, rsps):
    Organization.objects.create(
        connection=connection, name="Acme", domain="acme.io", domains=["acme.io"],
        remote_id="7", links_loaded_at=timezone.now(),
    )  # fmt: skip
    return FakeAffinity(
        rsps,
        "organizations",
        {"id": 7, "name": "Acme", "domain": "acme.io", "domains": ["acme.io"], "person_ids": []},
    )


@pytest.fixture
def jane(connection, rsps):
    Person.objects.create(
        connection=connection, first_name="Jane", last_name="Doe", emails=["jane@acme.io"],
        primary_email="jane@acme.io", remote_id="9", links_loaded_at=timezone.now(),
    )  # fmt: skip
    record = {"id": 9, "first_name": "Jane", "last_name": "Doe", "emails": ["jane@acme.io"],
              "primary_email": "jane@acme.io", "organization_ids": []}  # fmt: skip
    return FakeAffinity(rsps, "persons", record)


def _opened(client, url: str) -> dict[str, Any]:
    """The edit page's form as a browser would send it back untouched."""
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    return {name: value for name, value in data.items() if value not in (None, False)}


def _edit_url(model: type, remote_id: str) -> str:
    path = "organizations" if model is Organization else "persons"
    return f"/{path}/{model.objects.get(remote_id=remote_id).pk}/edit/"


def test_an_edit_from_a_page_opened_before_another_keeps_the_other_change(logged_in_client, acme):
    url = _edit_url(Organization, "7")
    ana, ben = _opened(logged_in_client, url), _opened(logged_in_client, url)
    logged_in_client.post(url, {**ben, "domain": "example.org"})
    page = logged_in_client.post(url, {**ana, "name": "Acme Inc"}, follow=True)

    assert page.status_code == 200 and "form" not in page.context
    stored = Organization.objects.get(remote_id="7")
    assert (stored.name, stored.domain) == ("Acme Inc", "example.org")
    assert acme.puts[-1] == {"person_ids": [], "name": "Acme Inc"}  # only Ana's change
    assert (acme.record["name"], acme.record["domain"]) == ("Acme Inc", "example.org")


def test_a_person_edit_from_an_old_page_keeps_the_other_change(logged_in_client, jane):
    url = _edit_url(Person, "9")
    ana, ben = _opened(logged_in_client, url), _opened(logged_in_client, url)
    logged_in_client.post(url, {**ben, "last_name": "Smith"})
    logged_in_client.post(url, {**ana, "first_name": "Janet"})

    stored = Person.objects.get(remote_id="9")
    assert (stored.first_name, stored.last_name) == ("Janet", "Smith")
    assert "last_name" not in jane.puts[-1] and jane.puts[-1]["first_name"] == "Janet"
    assert (jane.record["first_name"], jane.record["last_name"]) == ("Janet", "Smith")


def test_an_old_page_saved_while_affinity_is_down_keeps_the_emails_added_meanwhile(
    logged_in_client, jane
):
    """The local row merges the lists as delivery will: Ana's page never showed Ben's email,
    so leaving the list as she saw it removes nothing, here or in the audit."""
    url = _edit_url(Person, "9")
    ana, ben = _opened(logged_in_client, url), _opened(logged_in_client, url)
    logged_in_client.post(url, {**ben, "emails": "jane@acme.io\nj@x.io"})
    assert jane.record["emails"] == ["jane@acme.io", "j@x.io"]  # delivered
    jane.down = True
    logged_in_client.post(url, {**ana, "first_name": "Janet"})

    stored = Person.objects.get(remote_id="9")
    assert (stored.first_name, stored.emails) == ("Janet", ["jane@acme.io", "j@x.io"])
    assert "j@x.io" in stored.search_text
    entry = AuditEntry.objects.filter(changes__icontains="Janet").get()
    assert "j@x.io" not in json.dumps(entry.changes)


def test_an_old_organization_page_keeps_the_persons_linked_meanwhile(logged_in_client, acme):
    url = _edit_url(Organization, "7")
    ana = _opened(logged_in_client, url)
    Organization.objects.filter(remote_id="7").update(person_ids=["5"], persons_count=1)
    acme.down = True
    logged_in_client.post(url, {**ana, "name": "Acme Inc"})

    stored = Organization.objects.get(remote_id="7")
    assert (stored.name, stored.person_ids, stored.persons_count) == ("Acme Inc", ["5"], 1)


def test_the_same_field_changed_by_both_is_a_conflict_and_saving_again_replaces_it(
    logged_in_client, acme
):
    url = _edit_url(Organization, "7")
    ana, ben = _opened(logged_in_client, url), _opened(logged_in_client, url)
    logged_in_client.post(url, {**ben, "domain": "example.org", "name": "Acme Ltd"})
    sent, writes = len(acme.puts), OutboxItem.objects.count()

    page = logged_in_client.post(url, {**ana, "domain": "acme.com"})

    form = page.context["form"]
    assert form.errors["domain"] == [
        "Changed by someone else since you opened this page: now “example.org”. "
        "Save again to replace it."
    ]
    assert "name" not in form.errors
    assert "now “example.org”" in page.content.decode()
    assert (len(acme.puts), OutboxItem.objects.count()) == (sent, writes)  # nothing sent
    assert Organization.objects.get(remote_id="7").domain == "example.org"
    # The page now shows Ben's name (Ana left it as it was) and her own domain.
    assert (form["name"].value(), form["domain"].value()) == ("Acme Ltd", "acme.com")

    again = {name: form[name].value() for name in ("name", "domain", "base", "submission_key")}
    logged_in_client.post(url, again)

    stored = Organization.objects.get(remote_id="7")
    assert (stored.name, stored.domain) == ("Acme Ltd", "acme.com")
    assert acme.puts[-1] == {"person_ids": [], "domain": "acme.com"}


def test_both_changing_a_field_to_the_same_value_is_no_conflict(logged_in_client, acme):
    url = _edit_url(Organization, "7")
    ana, ben = _opened(logged_in_client, url), _opened(logged_in_client, url)
    logged_in_client.post(url, {**ben, "domain": "example.org"})
    page = logged_in_client.post(url, {**ana, "domain": "example.org"}, follow=True)
    assert "form" not in page.context
    assert Organization.objects.get(remote_id="7").domain == "example.org"


@pytest.mark.parametrize("base", ["", "garbled", "eyJuYW1lIjoiQWNtZSJ9:1x:forged"])
def test_a_garbled_or_forged_base_is_a_form_error_and_changes_nothing(logged_in_client, acme, base):
    url = _edit_url(Organization, "7")
    data = {**_opened(logged_in_client, url), "name": "Acme Inc", "base": base}
    page = logged_in_client.post(url, data)
    assert page.status_code == 200
    assert "Reload the page and make your change again." in page.content.decode()
    assert Organization.objects.get(remote_id="7").name == "Acme"
    assert acme.puts == [] and not OutboxItem.objects.exists()


def test_a_base_of_other_fields_is_refused(logged_in_client, acme):
    """Signed by the hub, but another form's (the person edit's): not this page's copy."""
    person_base = signing.dumps({"first_name": "Jane", "last_name": "Doe"}, salt=EDIT_BASE_SALT)
    url = _edit_url(Organization, "7")
    data = {**_opened(logged_in_client, url), "name": "Acme Inc", "base": person_base}
    page = logged_in_client.post(url, data)
    assert "Reload the page" in page.content.decode()
    assert Organization.objects.get(remote_id="7").name == "Acme"


def test_a_double_submit_of_the_edit_writes_once(logged_in_client, acme):
    url = _edit_url(Organization, "7")
    data = {**_opened(logged_in_client, url), "name": "Acme Inc"}
    logged_in_client.post(url, data)
    logged_in_client.post(url, data)
    assert OutboxItem.objects.count() == 1 and len(acme.puts) == 1


def test_an_edit_submitted_again_with_another_value_is_refused_and_kept(logged_in_client, acme):
    """Save, Back, change the name, save again with the page's key: nothing is sent, and the
    form says so with the person's value and a new key."""
    url = _edit_url(Organization, "7")
    data = _opened(logged_in_client, url)
    logged_in_client.post(url, {**data, "name": "Acme Inc"})
    page = logged_in_client.post(url, {**data, "name": "Acme Labs"})
    form = page.context["form"]
    assert "This form was already submitted with different values" in page.content.decode()
    assert form["name"].value() == "Acme Labs"
    assert form["submission_key"].value() != data["submission_key"]
    assert OutboxItem.objects.count() == 1 and acme.puts == [{"person_ids": [], "name": "Acme Inc"}]
    assert Organization.objects.get(remote_id="7").name == "Acme Inc"


def test_a_create_form_has_no_base(logged_in_client, connection):
    page = logged_in_client.get("/organizations/new/")
    assert "base" not in page.context["form"].fields
