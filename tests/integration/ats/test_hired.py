"""Hired placements synced from the sandbox over real HTTP (recruitee.md §7).

The sandbox holds every live shape of a hired placement (a `hire` stage with or without
`hired_at`, `hired_at` in another stage, `hired_in_this_placement` true or false); the hub
stores what Recruitee means by hired, whatever the flag says.
"""

import pytest

from ats.models import Placement

pytestmark = pytest.mark.django_db


def _sandbox_placements(sandbox) -> dict[tuple[str, str], dict]:
    offers = sandbox.store.payloads("SELECT payload FROM recruitee_offers")
    categories = {s["id"]: s["category"] for o in offers for s in o["pipeline_template"]["stages"]}
    return {
        (str(c["id"]), str(p["offer_id"])): {
            "hired": categories[p["stage_id"]] == "hire" or p["hired_at"] is not None,
            "flag": p["hired_in_this_placement"],
        }
        for c in sandbox.store.payloads("SELECT payload FROM recruitee_candidates")
        for p in c["placements"]
    }


def test_the_sync_stores_hired_as_recruitee_means_it(recruitee, sandbox_clean):
    expected = _sandbox_placements(sandbox_clean)
    stored = {
        (candidate, offer): hired
        for candidate, offer, hired in Placement.objects.values_list(
            "candidate__remote_id", "offer_remote_id", "is_hired"
        )
    }
    assert stored == {key: shape["hired"] for key, shape in expected.items()}
    hired_unflagged = [k for k, s in expected.items() if s["hired"] and not s["flag"]]
    assert hired_unflagged and all(stored[key] for key in hired_unflagged)


def test_the_live_detail_keeps_a_hired_placement_hired(recruitee, logged_in_client, sandbox_clean):
    expected = _sandbox_placements(sandbox_clean)
    candidate_id, offer_id = next(k for k, s in expected.items() if s["hired"] and not s["flag"])
    placement = Placement.objects.get(candidate__remote_id=candidate_id, offer_remote_id=offer_id)
    Placement.objects.filter(pk=placement.pk).update(is_hired=False)  # a stale copy
    response = logged_in_client.get(f"/candidates/{placement.candidate_id}/")
    assert response.context["detail"].live
    refreshed = Placement.objects.get(candidate__remote_id=candidate_id, offer_remote_id=offer_id)
    assert refreshed.is_hired
