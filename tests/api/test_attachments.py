"""Images sent with messages, over real HTTP: stored with the message, served back, sent
upstream as OpenRouter reads them (content parts with data URLs), kept by edits, and refused
with a clear 4xx when they are not what they say."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from openchat.chat.images import MAX_IMAGE_BYTES
from openchat.upstream.failures import NO_IMAGE_INPUT
from tests.conftest import completion_requests, new_conversation, post_message, unique
from tests.images import attachment, png
from tests.sse import read_stream

RED, BLUE = png(3, 2, (220, 30, 30)), png(2, 3, (30, 30, 220))


def _data_url(data: bytes, media_type: str = "image/png") -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"


def _sent_messages(sim: httpx.Client) -> list[dict[str, Any]]:
    """The `messages` of the newest completion request upstream."""
    messages: list[dict[str, Any]] = completion_requests(sim)[-1]["body"]["messages"]
    return messages


def test_an_image_is_stored_served_and_sent_upstream_as_a_data_url(
    api: httpx.Client, sim: httpx.Client
):
    cid = new_conversation(api)["id"]
    question = post_message(api, cid, "", attachments=[attachment(RED, "red square.png")])
    [listed] = question["attachments"]
    assert listed["name"] == "red square.png" and listed["media_type"] == "image/png"
    assert listed["size"] == len(RED) and listed["url"] == f"/attachments/{listed['id']}"

    answer = read_stream(api, cid)
    assert answer.last["type"] == "done" and answer.text.startswith("I see 1 image.")
    assert _sent_messages(sim) == [
        {"role": "user", "content": [{"type": "image_url", "image_url": {"url": _data_url(RED)}}]}
    ]
    served = api.get(listed["url"])
    assert served.status_code == 200 and served.content == RED
    assert served.headers["content-type"] == "image/png"
    assert served.headers["cache-control"] == "private, max-age=31536000, immutable"
    assert served.headers["x-content-type-options"] == "nosniff"
    chat = api.get(f"/conversations/{cid}").json()
    assert chat["title"] == "red square.png", "a chat of an image alone is named after it"
    assert chat["messages"][0]["attachments"] == [listed]
    assert chat["messages"][1]["attachments"] == []


def test_earlier_images_stay_in_the_history_and_a_regenerated_answer_sees_them(
    api: httpx.Client, sim: httpx.Client
):
    cid = new_conversation(api)["id"]
    post_message(
        api, cid, "Which is darker?", attachments=[attachment(RED), attachment(BLUE, "b.png")]
    )
    assert read_stream(api, cid).text.startswith("I see 2 images.")
    post_message(api, cid, "And brighter?")
    read_stream(api, cid)
    first, _, last = _sent_messages(sim)
    assert first["content"] == [
        {"type": "text", "text": "Which is darker?"},
        {"type": "image_url", "image_url": {"url": _data_url(RED)}},
        {"type": "image_url", "image_url": {"url": _data_url(BLUE)}},
    ]
    assert last == {"role": "user", "content": "And brighter?"}, "text alone stays a string"

    assert api.post(f"/conversations/{cid}/regenerate").status_code == 200
    read_stream(api, cid)
    assert _sent_messages(sim)[0] == first


def test_an_edit_keeps_replaces_or_drops_the_images(api: httpx.Client, sim: httpx.Client):
    cid = new_conversation(api)["id"]
    question = post_message(api, cid, "Two", attachments=[attachment(RED), attachment(BLUE)])
    read_stream(api, cid)
    red, blue = question["attachments"]
    edit = f"/conversations/{cid}/messages/{{}}/edit"

    kept = api.post(edit.format(question["id"]), json={"message": "Still two"}).json()
    assert kept["attachments"] == [red, blue], "without `attachments`, an edit keeps them all"
    assert read_stream(api, cid).text.startswith("I see 2 images.")

    body = {"message": "Blue and a new one", "attachments": [{"id": blue["id"]}, attachment(RED)]}
    mixed = api.post(edit.format(kept["id"]), json=body).json()
    assert mixed["attachments"][0]["id"] == blue["id"]
    assert mixed["attachments"][1]["id"] not in (red["id"], blue["id"])
    read_stream(api, cid)
    twice = {"message": "Blue twice", "attachments": [{"id": blue["id"]}, {"id": blue["id"]}]}
    repeated = api.post(edit.format(mixed["id"]), json=twice)
    assert repeated.status_code == 400 and "once" in repeated.json()["detail"]
    assert _sent_messages(sim)[-1]["content"][1:] == [
        {"type": "image_url", "image_url": {"url": _data_url(BLUE)}},
        {"type": "image_url", "image_url": {"url": _data_url(RED)}},
    ]

    dropped = api.post(edit.format(mixed["id"]), json={"message": "None", "attachments": []})
    assert dropped.json()["attachments"] == []
    read_stream(api, cid)
    assert _sent_messages(sim)[-1] == {"role": "user", "content": "None"}
    # Every version keeps its own images, and what they share is served once stored.
    versions = api.get(f"/conversations/{cid}/messages", params={"versions": "all"}).json()
    asked = [message for message in versions["data"] if message["role"] == "user"]
    assert [len(message["attachments"]) for message in asked] == [2, 2, 2, 0]
    assert api.get(red["url"]).content == RED

    elsewhere = new_conversation(api)["id"]
    another = post_message(api, elsewhere, "x", attachments=[attachment(RED)])
    read_stream(api, elsewhere)
    requests_before = len(completion_requests(sim))
    foreign = {"message": "Theirs", "attachments": [{"id": another["attachments"][0]["id"]}]}
    refused = api.post(edit.format(dropped.json()["id"]), json=foreign)
    assert refused.status_code == 400 and "edited message's" in refused.json()["detail"]
    by_id = api.post(f"/conversations/{cid}/messages", json=foreign)
    assert by_id.status_code == 400, "only an edit keeps an image by its id"
    blank = api.post(edit.format(dropped.json()["id"]), json={"message": " ", "attachments": []})
    assert blank.status_code == 422
    assert len(completion_requests(sim)) == requests_before, "a refusal asked upstream"


def test_an_image_listed_back_whole_is_kept_and_the_text_may_then_be_empty(
    api: httpx.Client, sim: httpx.Client
):
    cid = new_conversation(api)["id"]
    question = post_message(api, cid, "Look", attachments=[attachment(RED)])
    read_stream(api, cid)
    # As a client lists it back from the message: id, name, type, size and url.
    body = {"message": "", "attachments": question["attachments"]}
    edited = api.post(f"/conversations/{cid}/messages/{question['id']}/edit", json=body)
    assert edited.status_code == 200, edited.text
    assert edited.json()["attachments"] == question["attachments"]
    assert read_stream(api, cid).text.startswith("I see 1 image.")
    assert _sent_messages(sim)[-1]["content"] == [
        {"type": "image_url", "image_url": {"url": _data_url(RED)}}
    ]


def test_a_retried_post_stores_its_images_once(api: httpx.Client, sim: httpx.Client):
    cid = new_conversation(api)["id"]
    body = {"message": "Once", "client_message_id": unique(), "attachments": [attachment(RED)]}
    first = api.post(f"/conversations/{cid}/messages", json=body).json()
    read_stream(api, cid)
    requests_before = len(completion_requests(sim))
    again = api.post(f"/conversations/{cid}/messages", json=body)
    assert again.status_code == 200 and again.json() == first
    stored = api.get(f"/conversations/{cid}/messages", params={"versions": "all"}).json()["data"]
    assert [message["role"] for message in stored] == ["user", "assistant"]
    assert len(completion_requests(sim)) == requests_before


def test_a_model_that_reads_no_images_fails_the_answer_readably(api: httpx.Client):
    cid = new_conversation(api)["id"]
    post_message(
        api,
        cid,
        "What is it?",
        model="openai/gpt-4o-mini-search-preview",
        attachments=[attachment(RED)],
    )
    answer = read_stream(api, cid)
    assert answer.last["type"] == "error"
    assert answer.last["message"] == NO_IMAGE_INPUT and answer.last["code"] == 404
    stored = api.get(f"/conversations/{cid}").json()["messages"]
    assert stored[1]["status"] == "error" and stored[0]["attachments"][0]["size"] == len(RED)


BIG = b"\xff\xd8\xff" + bytes(MAX_IMAGE_BYTES - 2)  # a byte over the limit, JPEG by its start


@pytest.mark.parametrize(
    ("attachments", "says"),
    [
        ([attachment(RED, media_type="image/jpeg")], "not a JPEG image (they are a PNG)"),
        ([attachment(b"<svg xmlns='http://www.w3.org/2000/svg'/>")], "not a PNG image"),
        ([{**attachment(RED), "media_type": "image/svg+xml"}], "image/png"),
        ([{**attachment(RED), "data": "not base64!"}], "base64"),
        ([{**attachment(RED), "name": "two\nlines.png"}], "control characters"),
        ([{**attachment(RED), "name": ""}], "at least 1 character"),
        ([attachment(RED)] * 5, "at most 4 items"),
        ([attachment(BIG, "big.jpg", "image/jpeg")], "at most 5 MiB"),
        ([], "without an image"),
        ([{"name": "x.png", "media_type": "image/png"}], "Field required"),
    ],
)
def test_what_is_not_an_image_we_take_is_a_422_that_says_why(
    api: httpx.Client, sim: httpx.Client, attachments: list[dict[str, Any]], says: str
):
    cid = new_conversation(api)["id"]
    requests_before = len(completion_requests(sim))
    response = api.post(
        f"/conversations/{cid}/messages", json={"message": "", "attachments": attachments}
    )
    assert response.status_code == 422
    assert says in str(response.json()["detail"])
    assert len(response.content) < 5_000, "the refused image came back in the error"
    assert api.get(f"/conversations/{cid}").json()["messages"] == []
    assert len(completion_requests(sim)) == requests_before


def test_an_image_is_served_only_while_its_chat_exists(api: httpx.Client):
    cid = new_conversation(api)["id"]
    question = post_message(api, cid, "keep?", attachments=[attachment(BLUE)])
    read_stream(api, cid)
    url = question["attachments"][0]["url"]
    assert api.get(url).status_code == 200
    assert api.delete(f"/conversations/{cid}").status_code == 204
    gone = api.get(url)
    assert gone.status_code == 404 and gone.json() == {"detail": "Attachment not found."}
    assert api.get(f"/attachments/{unique()}").status_code == 404


def test_four_images_at_the_limit_fit_in_one_message(api: httpx.Client):
    # The largest message the limits allow: the body limit must let it through.
    largest = b"\xff\xd8\xff" + bytes(MAX_IMAGE_BYTES - 3)
    cid = new_conversation(api)["id"]
    question = post_message(
        api,
        cid,
        "x" * 50_000,
        attachments=[attachment(largest, f"{n}.jpg", "image/jpeg") for n in range(4)],
    )
    assert [item["size"] for item in question["attachments"]] == [MAX_IMAGE_BYTES] * 4
    read_stream(api, cid)
    assert api.get(question["attachments"][3]["url"]).content == largest
