"""The candidates list: a fixed number of queries, and what changed shows at once."""

from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ats.models import Candidate, Offer, Placement
from ats.sync import candidate_search_fields
from integrations.models import SyncRun, SyncState
from integrations.models.synced import SyncStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(connection):
    cache.clear()
    Offer.objects.create(connection=connection, remote_id="5", title="Data Scientist")
    SyncState.objects.create(
        connection=connection, resource="recruitee.candidates", last_success_at=timezone.now()
    )
    for n in range(30):
        candidate = Candidate.objects.create(
            connection=connection, remote_id=str(n), name=f"Candidate {n}",
            remote_created_at=datetime(2023, 1, 1 + n % 28, tzinfo=UTC),
        )  # fmt: skip
        Placement.objects.create(candidate=candidate, offer_remote_id="5", stage_name="Applied")
    yield connection
    cache.clear()


def test_the_page_costs_the_same_queries_whatever_the_rows(
    logged_in_client, listed, django_assert_max_num_queries
):
    # The session, the user and their rights (3), the page's own, one for the navbar's
    # APIs menu (the user may see the connected APIs); the sync bar's query also gives
    # the "changed since" stamp the list polls from: none of them grows with the rows.
    with django_assert_max_num_queries(16):
        response = logged_in_client.get("/candidates/")
    assert response.content.decode().count("data-candidate-id=") == 25


def test_the_page_reads_its_sync_state_once(logged_in_client, listed):
    """The "changed since" stamp the list polls from and the sync bar's last success
    and run come from one query, read before the rows."""
    SyncRun.objects.create(
        connection=listed, resource="recruitee.candidates", status=SyncRun.Status.SUCCEEDED
    )
    SyncState.objects.filter(connection=listed).update(changed_at=timezone.now())
    with CaptureQueriesContext(db) as queries:
        html = logged_in_client.get("/candidates/").content.decode()
    reads = [q["sql"] for q in queries.captured_queries if "integrations_syncstate" in q["sql"]]
    assert len(reads) == 1, reads
    stamp = SyncState.objects.get(connection=listed).changed_at.isoformat()
    assert f"?since={stamp.replace(':', '%3A').replace('+', '%2B')}" in html
    assert "Last synced <time" in html


def test_a_changed_candidate_or_offer_shows_at_once(logged_in_client, listed):
    # Candidate 27 is the newest, so the first page shows it.
    assert "Candidate 27" in logged_in_client.get("/candidates/").content.decode()

    Candidate.objects.filter(remote_id="27").update(
        name="Renamed by a sync", synced_at=timezone.now()
    )
    html = logged_in_client.get("/candidates/").content.decode()
    assert "Renamed by a sync" in html and "Candidate 27" not in html

    Candidate.objects.filter(remote_id="27").update(sync_status=SyncStatus.PENDING)
    assert 'data-testid="pending-badge"' in logged_in_client.get("/candidates/").content.decode()

    Offer.objects.filter(remote_id="5").update(title="Machine Learning Engineer")
    html = logged_in_client.get("/candidates/").content.decode()
    assert "Machine Learning Engineer" in html and "Data Scientist" not in html


def test_a_page_past_the_end_of_a_search_says_so_and_links_back_to_its_results(
    logged_in_client, listed
):
    Candidate.objects.filter(remote_id="3").update(
        **candidate_search_fields("Ann Jansen", ["ann@example.com"])
    )
    html = logged_in_client.get("/candidates/", {"q": "jansen", "page": 4}).content.decode()
    assert "There is no page 4 of these results." in html
    assert 'href="/candidates/?q=jansen"' in html
    assert "No candidates match" not in html
    nothing = logged_in_client.get("/candidates/", {"q": "nobody", "page": 4}).content.decode()
    assert "No candidates match these filters." in nothing


def test_a_row_shows_each_cell_as_a_person_reads_it(logged_in_client, listed):
    """Every shape a list row's cells take: a photo or initials, "(no name)", the sync
    badges, emails that may wrap, unsynced offers and disqualified stages, the referrer
    over the source, a missing time, and provider text escaped."""
    rows = [
        Candidate(connection=listed, remote_id="a", name="<b>Ann</b>", initials="AN",
                  photo_thumb_url="https://img.example/a.png", emails=["ann.lee@example.com"],
                  phones=["+31 6 1234 5678"], referrer="Bob", source="career_site",
                  sync_status=SyncStatus.PENDING,
                  remote_created_at=datetime(2030, 1, 2, 9, 30, tzinfo=UTC)),
        Candidate(connection=listed, remote_id="b", name="", photo_thumb_url="javascript:x",
                  source="career_site", sync_status=SyncStatus.FAILED,
                  remote_created_at=datetime(2030, 1, 1, tzinfo=UTC)),
    ]  # fmt: skip
    for candidate in rows:
        candidate.save()
    Placement.objects.create(candidate=rows[0], offer_remote_id="9", stage_name="Hired")
    Placement.objects.create(
        candidate=rows[0], offer_remote_id="5", stage_name="Offer", is_disqualified=True
    )
    html = logged_in_client.get("/candidates/").content.decode()
    ann, nameless = (
        " ".join(html.split(f'data-candidate-id="{c.pk}"')[1].split("</tr>")[0].split())
        for c in rows
    )
    assert '<img class="avatar" src="https://img.example/a.png" alt="" data-initials="AN"' in ann
    assert "&lt;b&gt;Ann&lt;/b&gt;</a>" in ann and 'data-testid="pending-badge"' in ann
    assert '<span class="email">ann.<wbr>lee@<wbr>example.<wbr>com</span>' in ann
    assert "<div>+31 6 1234 5678</div>" in ann
    assert 'Offer 9 <span class="badge text-bg-light border">Hired</span>' in ann
    assert 'Data Scientist <span class="badge text-bg-secondary">Offer · disqualified</span>' in ann
    assert ">Bob</td>" in ann and "Career site" not in ann
    assert '<time datetime="2030-01-02T09:30:00+00:00" title="Jan. 2, 2030, 9:30 a.m. UTC">' in ann
    assert '<span class="avatar" aria-hidden="true">?</span>' in nameless
    assert "(no name)</a>" in nameless and ">Failed</span>" in nameless
    assert nameless.count('<span class="text-body-secondary">—</span>') == 4  # emails to activity
    assert ">Career site</td>" in nameless
