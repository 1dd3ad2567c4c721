"""Recruitee contract (../shared/providers/recruitee.md)."""

import requests

from .conftest import TIMEOUT

AUTH = {"Authorization": "Bearer sandbox-recruitee"}
# recruitee.md §2a: the keys a list item carries, in the observed order.
LIST_FIELDS = (
    "admin_id", "adminapp_url", "created_at", "emails", "example", "followed", "has_avatar",
    "id", "initials", "last_message_at", "my_last_rating", "my_pending_result_request",
    "my_upcoming_event", "name", "notes_count", "pending_result_request", "phones",
    "photo_thumb_url", "placements", "positive_ratings", "rating", "ratings", "ratings_count",
    "referrer", "source", "tasks_count", "unread_notifications", "upcoming_event", "updated_at",
    "viewed",
)  # fmt: skip
FULL_KEYS = {
    "admin_id",
    "admin_ids",
    "adminapp_url",
    "attachments_count",
    "cover_letter",
    "created_at",
    "custom_fields",
    "cv_original_url",
    "cv_processing_status",
    "cv_url",
    "duplicates",
    "emails",
    "example",
    "fields",
    "followed",
    "gdpr_consent_ever_given",
    "gdpr_consent_request_completed_at",
    "gdpr_consent_request_sent_at",
    "gdpr_consent_request_type",
    "gdpr_expires_at",
    "gdpr_scheduled_to_delete_at",
    "gdpr_status",
    "grouped_open_question_answers",
    "has_avatar",
    "id",
    "in_active_share",
    "initials",
    "last_activity_at",
    "last_message_at",
    "links",
    "mailbox_messages_count",
    "my_last_rating",
    "my_pending_result_request",
    "my_upcoming_event",
    "name",
    "notes_count",
    "online_data",
    "open_question_answers",
    "pending_request_link",
    "pending_result_request",
    "phones",
    "photo_thumb_url",
    "photo_url",
    "placements",
    "positive_ratings",
    "rating",
    "rating_visible",
    "ratings",
    "ratings_count",
    "referral_referrers_ids",
    "referrer",
    "social_links",
    "source",
    "sources",
    "sourcing_data",
    "sourcing_origin",
    "tags",
    "tasks_count",
    "unread_notifications",
    "upcoming_event",
    "updated_at",
    "viewed",
}


def get(sbx, path, **params):
    return requests.get(
        f"{sbx.url_for('recruitee')}/c/1{path}", headers=AUTH, params=params, timeout=TIMEOUT
    )


def create(sbx, body):
    url = f"{sbx.url_for('recruitee')}/c/1/candidates"
    return requests.post(url, headers=AUTH, json=body, timeout=TIMEOUT)


def test_wrong_token_gets_401_with_the_request_level_error(sbx):
    url = f"{sbx.url_for('recruitee')}/c/1/candidates"
    response = requests.get(url, headers={"Authorization": "Bearer nope"}, timeout=TIMEOUT)
    assert response.status_code == 401
    assert response.json() == {"error": "Token not found.", "error_code": "invalid_token"}
    assert requests.get(url, timeout=TIMEOUT).status_code == 401


def test_another_company_is_forbidden(sbx):
    response = requests.get(
        f"{sbx.url_for('recruitee')}/c/999/offers", headers=AUTH, timeout=TIMEOUT
    )
    assert response.status_code == 403
    assert response.json() == {"error": ["Forbidden"]}


def test_list_envelope_and_list_item_fields(sbx):
    body = get(sbx, "/candidates", limit=5).json()
    assert set(body) == {"candidates", "generated_at", "references"}
    assert body["generated_at"].endswith("Z")
    assert len(body["candidates"]) == 5
    for item in body["candidates"]:
        assert tuple(item) == LIST_FIELDS
        assert not {"tags", "links", "social_links", "cover_letter", "photo_url"} & set(item)
    types = {ref["type"] for ref in body["references"]}
    assert types <= {"Offer", "Stage", "Admin"} and "Admin" in types


def test_reference_shapes(sbx):
    refs = get(sbx, "/candidates").json()["references"]
    by_type = {ref["type"]: ref for ref in refs}
    assert set(by_type["Offer"]) == {
        "type",
        "id",
        "guid",
        "kind",
        "lang_code",
        "location",
        "position",
        "slug",
        "status",
        "title",
        "department_id",
    }
    assert set(by_type["Stage"]) == {
        "type",
        "id",
        "name",
        "category",
        "position",
        "locked",
        "group",
        "time_limit",
        "placements_count",
        "fair_evaluations_enabled",
        "created_at",
        "updated_at",
    }
    assert set(by_type["Admin"]) == {
        "type",
        "id",
        "email",
        "first_name",
        "last_name",
        "initials",
        "has_avatar",
        "photo_normal_url",
        "photo_thumb_url",
        "time_format24",
        "timezone",
    }


def test_no_limit_returns_everything_and_limit_offset_pages(sbx):
    everything = get(sbx, "/candidates").json()["candidates"]
    assert len(everything) == sbx.count("recruitee_candidates")
    first, second = (
        get(sbx, "/candidates", limit=10, offset=0),
        get(sbx, "/candidates", limit=10, offset=10),
    )
    ids = [c["id"] for c in first.json()["candidates"] + second.json()["candidates"]]
    assert ids == [c["id"] for c in everything[:20]]
    assert get(sbx, "/candidates", limit=10, offset=10_000).json()["candidates"] == []


def test_paging_on_one_connection_matches_the_whole_list_even_after_a_write(sbx):
    """Pages read on one keep-alive connection continue where the last ended; a write resets."""
    url = f"{sbx.url_for('recruitee')}/c/1/candidates"
    with requests.Session() as session:

        def page(offset: int, **params) -> list[int]:
            answer = session.get(
                url, headers=AUTH, params={"limit": 7, "offset": offset, **params}, timeout=TIMEOUT
            )
            return [c["id"] for c in answer.json()["candidates"]]

        everything = [c["id"] for c in get(sbx, "/candidates").json()["candidates"]]
        walked = [page(offset) for offset in range(0, len(everything) + 7, 7)]
        assert [i for ids in walked for i in ids] == everything
        assert page(0, query="a")[:3] == [
            c["id"] for c in get(sbx, "/candidates", query="a").json()["candidates"][:3]
        ]

        assert page(0) == everything[:7]
        created = create(sbx, {"candidate": {"name": "Newest Candidate"}}).json()["candidate"]
        assert page(7) == [created["id"], *everything][7:14]


def test_sorts_by_date_by_default_and_by_last_message(sbx):
    created = [c["created_at"] for c in get(sbx, "/candidates").json()["candidates"]]
    assert created == sorted(created, reverse=True)
    items = get(sbx, "/candidates", sort="by_last_message").json()["candidates"]
    dated = [c["last_message_at"] for c in items if c["last_message_at"]]
    assert dated == sorted(dated, reverse=True)
    assert items[-1]["last_message_at"] is None


def test_filters(sbx):
    everything = get(sbx, "/candidates").json()["candidates"]
    pick = everything[3]
    assert [
        c["id"]
        for c in get(sbx, "/candidates", ids=f"{pick['id']},{everything[5]['id']}").json()[
            "candidates"
        ]
    ] == [pick["id"], everything[5]["id"]]
    word = pick["name"].split()[0].lower()
    assert pick["id"] in {c["id"] for c in get(sbx, "/candidates", query=word).json()["candidates"]}
    with_offer = next(c for c in everything if c["placements"])
    offer_id = with_offer["placements"][0]["offer_id"]
    for item in get(sbx, "/candidates", offer_id=offer_id).json()["candidates"]:
        assert offer_id in {p["offer_id"] for p in item["placements"]}
    for item in get(sbx, "/candidates", disqualified="true").json()["candidates"]:
        assert any("disqualify_reason" in p for p in item["placements"])
    cutoff = everything[10]["created_at"][:19]
    after = get(sbx, "/candidates", created_after=cutoff).json()["candidates"]
    assert after and all(c["created_at"] > cutoff for c in after)


def test_bad_parameter_is_a_request_error(sbx):
    response = get(sbx, "/candidates", sort="by_magic")
    assert response.status_code == 400
    assert isinstance(response.json()["error"], str)


def test_detail_has_the_full_object(sbx):
    candidate_id = get(sbx, "/candidates", limit=1).json()["candidates"][0]["id"]
    body = get(sbx, f"/candidates/{candidate_id}").json()
    assert set(body) == {"candidate", "references"}
    assert set(body["candidate"]) == FULL_KEYS


def test_unknown_candidate_is_404(sbx):
    response = get(sbx, "/candidates/999999")
    assert response.status_code == 404
    assert response.json() == {"error": ["Not found"]}


def test_create_places_each_offer_at_its_first_stage(sbx):
    before = sbx.count("recruitee_candidates")
    offer = get(sbx, "/offers/1").json()["offer"]
    response = create(
        sbx,
        {
            "candidate": {
                "name": "Zoë Test",
                "emails": ["zoe@example.com"],
                "cover_letter": "<b>hi</b>",
            },
            "offers": [1],
            "offer_id": 2,
        },
    )
    assert response.status_code == 201
    body = response.json()
    candidate = body["candidate"]
    assert set(body) == {"candidate", "references"}
    assert candidate["source"] == "manual"
    assert candidate["cover_letter"] == "<b>hi</b>"
    assert [p["offer_id"] for p in candidate["placements"]] == [1, 2]
    first = min(offer["pipeline_template"]["stages"], key=lambda s: s["position"])
    assert candidate["placements"][0]["stage_id"] == first["id"]
    assert sbx.count("recruitee_candidates") == before + 1
    assert get(sbx, f"/candidates/{candidate['id']}").json()["candidate"]["name"] == "Zoë Test"


def test_create_without_name_is_422_with_field_errors(sbx):
    response = create(sbx, {"candidate": {"emails": ["a@b.co"]}})
    assert response.status_code == 422
    assert response.json() == {
        "error": ["Name can't be blank"],
        "error_fields": {"name": ["can't be blank"]},
    }


def test_create_with_a_bad_email_or_offer_is_422(sbx):
    response = create(
        sbx, {"candidate": {"name": "A", "emails": ["not-an-email"]}, "offers": [424242]}
    )
    assert response.status_code == 422
    assert response.json()["error_fields"] == {"emails": ["is invalid"], "offers": ["is invalid"]}


def test_patch_and_delete(sbx):
    candidate = create(sbx, {"candidate": {"name": "Patch Me"}}).json()["candidate"]
    url = f"{sbx.url_for('recruitee')}/c/1/candidates/{candidate['id']}"
    patched = requests.patch(
        url, headers=AUTH, json={"candidate": {"phones": ["+31 6 1"]}}, timeout=TIMEOUT
    )
    assert patched.status_code == 200
    assert patched.json()["candidate"]["phones"] == ["+31 6 1"]
    assert patched.json()["candidate"]["name"] == "Patch Me"
    blank = requests.patch(url, headers=AUTH, json={"candidate": {"name": " "}}, timeout=TIMEOUT)
    assert blank.status_code == 422
    deleted = requests.delete(url, headers=AUTH, timeout=TIMEOUT)
    assert deleted.status_code == 200
    assert deleted.json()["candidate"]["id"] == candidate["id"]
    assert requests.get(url, headers=AUTH, timeout=TIMEOUT).status_code == 404


def test_offers(sbx):
    offers = get(sbx, "/offers").json()["offers"]
    assert len(offers) == sbx.count("recruitee_offers")
    offer = get(sbx, f"/offers/{offers[0]['id']}").json()["offer"]
    for key in (
        "pipeline_template",
        "candidates_count",
        "location",
        "department",
        "status",
        "title",
    ):
        assert key in offer
    assert offer["pipeline_template"]["stages"][0]["category"] == "apply"
    assert len(get(sbx, "/offers", limit=2, offset=1).json()["offers"]) == 2
    assert {o["status"] for o in get(sbx, "/offers", scope="published").json()["offers"]} == {
        "published"
    }
    assert "description" not in get(sbx, "/offers", view_mode="brief").json()["offers"][0]
    assert get(sbx, "/offers/4242").status_code == 404


def test_awkward_seed_data_is_present(sbx):
    items = get(sbx, "/candidates").json()["candidates"]
    names = {c["name"] for c in items}
    assert any(ord(ch) > 0x2E80 for name in names for ch in name)  # CJK or emoji
    assert any("<" in name for name in names)
    assert any(not c["emails"] for c in items) and any(not c["phones"] for c in items)
    assert any(c["referrer"] is None for c in items) and any(
        c["photo_thumb_url"] is None for c in items
    )
    letters = [
        get(sbx, f"/candidates/{c['id']}").json()["candidate"]["cover_letter"] for c in items[-10:]
    ]
    assert any(letter and len(letter) > 10_000 for letter in letters)


def _stage_categories(sbx) -> dict[int, str]:
    offers = get(sbx, "/offers").json()["offers"]
    return {s["id"]: s["category"] for o in offers for s in o["pipeline_template"]["stages"]}


def test_live_value_types(sbx):
    """recruitee.md §7: booleans, never null, for `upcoming_event` and `pending_request_link`;
    a placement's `language` is null."""
    items = get(sbx, "/candidates").json()["candidates"]
    assert all(item["upcoming_event"] is False for item in items)
    assert all(p["language"] is None for item in items for p in item["placements"])
    placed = next(item for item in items if item["placements"])
    full = get(sbx, f"/candidates/{placed['id']}").json()["candidate"]
    assert full["upcoming_event"] is False and full["pending_request_link"] is False
    assert all(p["language"] is None for p in full["placements"])


def test_hired_placements_come_in_every_live_shape(sbx):
    """Hired means a `hire` stage or `hired_at` set; `hired_in_this_placement` may be false
    for such a placement (recruitee.md §7). The seed holds each shape."""
    categories = _stage_categories(sbx)
    items = get(sbx, "/candidates").json()["candidates"]
    shapes = set()
    for item in items:
        hired = [
            categories[p["stage_id"]] == "hire" or p["hired_at"] is not None
            for p in item["placements"]
        ]
        for index, p in enumerate(item["placements"]):
            in_hire_stage = categories[p["stage_id"]] == "hire"
            shapes.add((in_hire_stage, p["hired_at"] is not None, p["hired_in_this_placement"]))
            assert (p["hired_by_id"] is not None) == (p["hired_at"] is not None)
            assert p["hired_in_this_placement"] <= hired[index]  # the flag never lies "yes"
            assert p["hired_in_other_placement"] == any(hired[:index] + hired[index + 1 :])
    assert {
        (True, True, True),  # a hire stage, hired_at, the flag set
        (True, True, False),  # the same with the flag false, as live answers show
        (True, False, False),  # hired by its stage alone
        (False, True, False),  # hired_at set in another stage
    } <= shapes


def test_offers_count_hired_candidates_by_stage_or_hired_at(sbx):
    categories = _stage_categories(sbx)
    hired: dict[int, int] = {}
    flagged = 0
    for item in get(sbx, "/candidates").json()["candidates"]:
        for p in item["placements"]:
            flagged += p["hired_in_this_placement"]
            if categories[p["stage_id"]] == "hire" or p["hired_at"] is not None:
                hired[p["offer_id"]] = hired.get(p["offer_id"], 0) + 1
    offers = get(sbx, "/offers").json()["offers"]
    counts = {o["id"]: o["hired_candidates_count"] for o in offers}
    assert {k: v for k, v in counts.items() if v} == hired
    assert sum(hired.values()) > flagged  # not a count of the flag


def test_departments(sbx):
    """`GET /c/{id}/departments`: an array under `departments`, the keys and types Airbyte's
    Recruitee connector declares; each offer's `department_id` names one of them."""
    response = get(sbx, "/departments")
    assert response.status_code == 200
    departments = response.json()["departments"]
    assert set(response.json()) == {"departments"}
    assert departments and len(departments) == sbx.count("recruitee_departments")
    for department in departments:
        assert set(department) == {"id", "name", "status", "grouped_translations", "offers_count"}
        assert isinstance(department["id"], int) and isinstance(department["name"], str)
        assert department["status"] is None or isinstance(department["status"], str)
        assert department["grouped_translations"]["en"]["name"] == department["name"]
    offers = get(sbx, "/offers").json()["offers"]
    by_id = {d["id"]: d for d in departments}
    for offer in offers:
        assert by_id[offer["department_id"]]["name"] == offer["department"]
    counts = {d["id"]: d["offers_count"] for d in departments}
    assert sum(counts.values()) == len(offers)
    assert counts[offers[0]["department_id"]] == sum(
        o["department_id"] == offers[0]["department_id"] for o in offers
    )
    url = f"{sbx.url_for('recruitee')}/c/1/departments"
    assert requests.get(url, timeout=TIMEOUT).status_code == 401


def test_notes_are_added_and_listed_newest_first(sbx):
    """POST/GET candidates/{id}/notes, as public clients call them (not in recruitee.md)."""
    base = f"{sbx.url_for('recruitee')}/c/1/candidates"
    before = requests.get(f"{base}/1", headers=AUTH, timeout=TIMEOUT).json()["candidate"]

    def add(note):
        return requests.post(f"{base}/1/notes", json={"note": note}, headers=AUTH, timeout=TIMEOUT)

    first = add({"body": "First", "visibility": {"level": "public"}})
    second = add({"body": "Second"})
    assert first.status_code == second.status_code == 201
    assert first.json()["note"]["body"] == "First" and first.json()["note"]["id"]
    listed = requests.get(f"{base}/1/notes", headers=AUTH, timeout=TIMEOUT).json()["notes"]
    assert [n["body"] for n in listed[:2]] == ["Second", "First"]
    after = requests.get(f"{base}/1", headers=AUTH, timeout=TIMEOUT).json()["candidate"]
    assert after["notes_count"] == before["notes_count"] + 2

    blank = add({"body": "  "})
    assert blank.status_code == 422 and blank.json()["error_fields"] == {"body": ["can't be blank"]}
    assert add({"body": "x", "visibility": "team"}).status_code == 400
    missing = requests.get(f"{base}/999999/notes", headers=AUTH, timeout=TIMEOUT)
    assert missing.status_code == 404


def test_ids_filters_the_list_to_the_comma_separated_ids(sbx):
    """recruitee.md §2a: `ids` is comma-separated (`234221,4211412`); an unknown id is
    simply not listed (how a full sync asks about the candidates it did not see)."""
    listed = get(sbx, "/candidates", limit=3, offset=0).json()["candidates"]
    wanted = [listed[0]["id"], listed[2]["id"], 999_999_999]
    ids = ",".join(str(i) for i in wanted)
    found = get(sbx, "/candidates", ids=ids, limit=len(wanted)).json()["candidates"]
    assert sorted(c["id"] for c in found) == sorted(wanted[:2])
