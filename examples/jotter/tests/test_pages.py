"""Levels 2 and 3 of the recipe, for the example: the hub against Jotter's fake over real HTTP.

The list renders notes synced from the fake, a create goes through the outbox
to the fake, the dashboard and the navbar show Jotter, and adding it needed
no migration outside its own app.
"""

from __future__ import annotations

from html import escape
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from examples.jotter.models import Note
from examples.jotter.sync import NOTES
from integrations.models import OutboxItem
from integrations.sync.engine import sync_resource


@pytest.fixture
def jotter(sandbox_connection, immediate_tasks):
    """A Jotter connection to the sandbox's fake, its notes synced as a worker syncs them."""
    connection = sandbox_connection("jotter")
    run = sync_resource(connection=connection, resource=NOTES, full=True)
    assert run.status == "succeeded", run.error
    return connection


def test_the_list_shows_the_notes_synced_from_the_fake(jotter, logged_in_client, sandbox):
    assert Note.objects.filter(connection=jotter).count() == sandbox.count("jotter_notes") >= 30
    first = sandbox.record("SELECT payload FROM jotter_notes ORDER BY title LIMIT 1")
    html = logged_in_client.get("/notes/").content.decode()
    assert 'data-testid="note-table"' in html and escape(first["title"]) in html
    assert f'data-note-id="{first["id"]}"' in html


def test_search_finds_a_note_by_a_word_of_its_title(jotter, logged_in_client):
    note = Note.objects.filter(connection=jotter).order_by("pk").first()
    other = Note.objects.filter(connection=jotter).exclude(title__contains="Retro").first()
    html = logged_in_client.get("/notes/", {"q": note.title}).content.decode()
    assert note.title in html and (other.title == note.title or other.title not in html)


def test_create_goes_through_the_outbox_to_the_fake(jotter, logged_in_client, sandbox):
    page = logged_in_client.get("/notes/new/")
    key = page.context["form"].initial["submission_key"]
    answer = logged_in_client.post(
        "/notes/new/", {"title": "Recipe check", "body": "It works", "submission_key": key}
    )
    item = OutboxItem.objects.get(submission_key=key)
    assert item.operation == "jotter.note_create" and item.status == OutboxItem.Status.DONE
    note = Note.objects.get(pk=item.record_id)
    assert answer.status_code == 302 and answer["Location"] == f"/notes/{note.pk}/"
    stored = sandbox.record("SELECT payload FROM jotter_notes WHERE id = ?", (note.remote_id,))
    assert stored["title"] == "Recipe check" and stored["body"] == "It works"
    assert "Note created in Jotter." in logged_in_client.get(answer["Location"]).content.decode()


def test_a_refused_create_shows_jotter_message_on_the_field(jotter, logged_in_client):
    taken = Note.objects.filter(connection=jotter).first().title
    page = logged_in_client.get("/notes/new/")
    key = page.context["form"].initial["submission_key"]
    answer = logged_in_client.post("/notes/new/", {"title": taken, "submission_key": key})
    assert answer.status_code == 200  # the form again
    assert answer.context["form"].errors["title"] == ["has already been taken"]
    assert Note.objects.filter(connection=jotter, title=taken).count() == 1  # nothing left behind


def test_the_dashboard_and_the_navbar_show_jotter(jotter, logged_in_client):
    html = logged_in_client.get(reverse("core:dashboard")).content.decode()
    assert "Jotter" in html and 'href="/notes/"' in html
    nav = html.split("</nav>")[0]
    assert ">Notes</a>" in nav and ">Candidates</a>" in nav


def test_without_a_connection_the_pages_say_jotter_is_not_connected(logged_in_client):
    assert "Jotter is not connected" in logged_in_client.get("/notes/").content.decode()


def test_adding_the_provider_needs_no_migration_outside_its_app(db):
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
