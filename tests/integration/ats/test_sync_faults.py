"""A candidates sync against the sandbox when Recruitee pushes back mid-way."""

import pytest

from ats.models import Candidate
from ats.sync import CANDIDATES
from integrations.http.client import ApiClient
from integrations.models import SyncRun
from integrations.sync.engine import sync_resource

pytestmark = pytest.mark.django_db


def test_a_429_in_the_middle_of_a_sync_slows_it_down_without_failing_it(
    sandbox_connection, sandbox_clean, monkeypatch
):
    waits: list[float] = []
    monkeypatch.setattr(ApiClient, "sleep", waits.append)
    monkeypatch.setattr("ats.sync.CANDIDATE_PAGE_SIZE", 20)
    connection = sandbox_connection("recruitee")
    original = ApiClient.request
    calls = {"n": 0}

    def push_back_after_two_pages(self, method, path, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # two answers of 429 with Retry-After: 2, then normal again
            sandbox_clean.set_faults(
                "recruitee", error_rate=1, error_statuses=[429], retry_after=2, max_faults=2
            )
        return original(self, method, path, **kwargs)

    monkeypatch.setattr(ApiClient, "request", push_back_after_two_pages)
    run = sync_resource(connection=connection, resource=CANDIDATES, full=True)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert run.pages > 2
    assert Candidate.objects.filter(is_deleted=False).count() == sandbox_clean.count(
        "recruitee_candidates"
    )
    # The client waited as long as Recruitee asked, twice (Retry-After is rounded to the ms).
    assert sum(1 for wait in waits if wait >= 1.9) >= 2, f"Retry-After not honoured: {waits}"


def test_a_sync_that_runs_out_of_retries_fails_and_the_next_one_resumes(
    sandbox_connection, sandbox_clean, monkeypatch
):
    monkeypatch.setattr(ApiClient, "sleep", lambda seconds: None)
    monkeypatch.setattr("ats.sync.CANDIDATE_PAGE_SIZE", 20)
    connection = sandbox_connection("recruitee")
    pages_before_failure = 2
    calls = {"n": 0}
    original = ApiClient.request

    def fail_third_page_for_good(self, method, path, **kwargs):
        calls["n"] += 1
        if calls["n"] == pages_before_failure + 1:
            sandbox_clean.set_faults("recruitee", error_rate=1, error_statuses=[503])
        return original(self, method, path, **kwargs)

    monkeypatch.setattr(ApiClient, "request", fail_third_page_for_good)
    first = sync_resource(connection=connection, resource=CANDIDATES, full=True)
    assert first.status == SyncRun.Status.FAILED
    assert first.pages == pages_before_failure
    assert first.checkpoint

    sandbox_clean.reset_faults()
    second = sync_resource(connection=connection, resource=CANDIDATES, full=True)
    assert second.pk == first.pk, "the interrupted run resumes"
    assert second.status == SyncRun.Status.SUCCEEDED
    assert Candidate.objects.filter(is_deleted=False).count() == sandbox_clean.count(
        "recruitee_candidates"
    )
