"""Messages: posting starts one answer, idempotent retries, history and headers upstream,
regenerate keeps versions, 409 while an answer runs."""

from __future__ import annotations

import re

import httpx

from tests.conftest import completion_requests, new_conversation, post_message, unique
from tests.servers import AppServer
from tests.sse import read_stream


def test_post_stores_the_message_and_the_stream_answers_it(api: httpx.Client, sim: httpx.Client):
    conversation = new_conversation(api)
    posted = post_message(api, conversation["id"], "Hello [[sim reply=echo]]")
    assert posted["role"] == "user" and posted["status"] == "complete"
    assert posted["message_id"] == posted["id"]
    assert posted["model"] == "openai/gpt-4o-mini"
    stream = read_stream(api, conversation["id"])
    assert stream.types[0] == "start" and stream.types[-1] == "done"
    assert stream.text == "Hello "
    messages = api.get(f"/conversations/{conversation['id']}/messages").json()["data"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    answer = messages[1]
    assert answer["content"] == stream.text
    assert answer["status"] == "complete"
    assert answer["parent_id"] == posted["id"]
    assert answer["usage"]["completion_tokens"] > 0 and answer["usage"]["cost"] > 0
    assert stream.last["usage"] == answer["usage"]
    assert len(completion_requests(sim)) == 1


def test_full_history_with_system_prompt_and_attribution_headers_reach_upstream(
    api: httpx.Client, sim: httpx.Client
):
    conversation = new_conversation(api, system_prompt="You are terse.")
    post_message(api, conversation["id"], "first [[sim reply=echo]]")
    read_stream(api, conversation["id"])
    post_message(api, conversation["id"], "second", model="anthropic/claude-3.5-sonnet")
    read_stream(api, conversation["id"])
    requests = completion_requests(sim)
    assert len(requests) == 2
    last = requests[-1]
    assert last["body"]["model"] == "anthropic/claude-3.5-sonnet"
    assert last["body"]["stream"] is True
    assert [(m["role"], m["content"]) for m in last["body"]["messages"]] == [
        ("system", "You are terse."),
        ("user", "first [[sim reply=echo]]"),
        ("assistant", "first "),
        ("user", "second"),
    ]
    headers = last["headers"]
    assert headers["authorization"] == "Bearer sk-or-v1-test"
    assert headers["http-referer"] == "https://openchat.test"
    assert headers["x-title"] == "Open Chat Tests"


def test_same_client_message_id_stores_one_message_and_starts_one_answer(
    api: httpx.Client, sim: httpx.Client
):
    conversation = new_conversation(api)
    client_id = unique()
    first = post_message(
        api, conversation["id"], "once [[sim tokens=30 tps=100]]", client_message_id=client_id
    )
    second = post_message(
        api, conversation["id"], "once [[sim tokens=30 tps=100]]", client_message_id=client_id
    )
    assert first["id"] == second["id"]
    read_stream(api, conversation["id"])
    third = post_message(api, conversation["id"], "once", client_message_id=client_id)
    assert third["id"] == first["id"]
    messages = api.get(f"/conversations/{conversation['id']}/messages").json()["data"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert len(completion_requests(sim)) == 1


def test_posting_while_an_answer_runs_is_409(api: httpx.Client):
    conversation = new_conversation(api)
    post_message(api, conversation["id"], "slow [[sim tokens=40 tps=20]]")
    busy = api.post(f"/conversations/{conversation['id']}/messages", json={"message": "again"})
    assert busy.status_code == 409
    assert "still being written" in busy.json()["detail"]
    assert api.post(f"/conversations/{conversation['id']}/regenerate").status_code == 409
    api.post(f"/conversations/{conversation['id']}/stop")


def test_regenerate_keeps_earlier_versions(api: httpx.Client, sim: httpx.Client):
    conversation = new_conversation(api)
    question = post_message(api, conversation["id"], "pick a number")
    first = read_stream(api, conversation["id"])
    regenerated = api.post(
        f"/conversations/{conversation['id']}/regenerate", json={"model": "x-ai/grok-4"}
    )
    assert regenerated.status_code == 200
    new_answer = regenerated.json()
    assert new_answer["status"] == "streaming" and new_answer["parent_id"] == question["id"]
    assert new_answer["model"] == "x-ai/grok-4"
    second = read_stream(api, conversation["id"])
    assert second.events[0][1]["message_id"] == new_answer["id"]
    current = api.get(f"/conversations/{conversation['id']}").json()["messages"]
    assert [m["id"] for m in current] == [question["id"], new_answer["id"]]
    assert current[1]["content"] == second.text and current[1]["status"] == "complete"
    every = api.get(
        f"/conversations/{conversation['id']}/messages", params={"versions": "all"}
    ).json()["data"]
    answers = [m for m in every if m["role"] == "assistant"]
    assert len(answers) == 2 and answers[0]["content"] == first.text
    assert [r["body"]["model"] for r in completion_requests(sim)] == [
        "openai/gpt-4o-mini",
        "x-ai/grok-4",
    ]


def test_regenerate_and_stream_need_a_question(api: httpx.Client):
    conversation = new_conversation(api)
    assert api.post(f"/conversations/{conversation['id']}/regenerate").status_code == 400
    response = api.get(f"/conversations/{conversation['id']}/stream")
    assert response.status_code == 400
    assert "no message" in response.json()["detail"]


def test_stop_when_nothing_runs_is_409(api: httpx.Client):
    conversation = new_conversation(api)
    response = api.post(f"/conversations/{conversation['id']}/stop")
    assert response.status_code == 409
    assert response.json()["detail"]


def test_logs_say_what_happened_without_text_or_key(api: httpx.Client, server: AppServer):
    conversation = new_conversation(api)
    secret_text = f"my secret plan {unique()}"
    post_message(api, conversation["id"], secret_text)
    read_stream(api, conversation["id"])
    log = server.log()
    cid = conversation["id"]
    # Time, level, logger, message: as `openchat serve` configures them (openchat.logs).
    assert re.search(
        rf"^\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d,\d{{3}} INFO openchat\.chat\.service: "
        rf"Created conversation {cid} with model",
        log,
        re.MULTILINE,
    )
    assert f"Created conversation {cid} with model openai/gpt-4o-mini" in log
    assert re.search(
        rf"Answer for conversation {cid}: complete after \d+\.\d s with model openai/gpt-4o-mini",
        log,
    )
    assert log.count(cid) == 2  # the conversation, and its answer as it ended: one line each
    for forbidden in (secret_text, "sk-or-v1-test", "Traceback"):
        assert forbidden not in log


def edit_message(api: httpx.Client, conversation_id: str, message_id: str, text: str) -> dict:
    response = api.post(
        f"/conversations/{conversation_id}/messages/{message_id}/edit", json={"message": text}
    )
    assert response.status_code == 200, response.text
    edited: dict = response.json()
    return edited


def test_an_edited_message_is_answered_with_the_thread_before_it(
    api: httpx.Client, sim: httpx.Client
):
    conversation = new_conversation(api, system_prompt="Be brief.")
    cid = conversation["id"]
    first = post_message(api, cid, "first [[sim reply=echo]]", model="x-ai/grok-4")
    read_stream(api, cid)
    typo = post_message(api, cid, "secnod [[sim reply=echo]]")
    read_stream(api, cid)
    post_message(api, cid, "third [[sim reply=echo]]")
    read_stream(api, cid)

    edited = edit_message(api, cid, typo["id"], "second [[sim reply=echo]]")
    assert edited["role"] == "user" and edited["parent_id"] == typo["id"]
    assert edited["model"] == typo["model"] == "openai/gpt-4o-mini"
    stream = read_stream(api, cid)
    assert stream.types[-1] == "done" and stream.text == "second "

    assert [
        (m["role"], m["content"]) for m in completion_requests(sim)[-1]["body"]["messages"]
    ] == [
        ("system", "Be brief."),
        ("user", "first [[sim reply=echo]]"),
        ("assistant", "first "),
        ("user", "second [[sim reply=echo]]"),
    ]
    current = api.get(f"/conversations/{cid}").json()["messages"]
    assert [m["content"] for m in current] == [
        "first [[sim reply=echo]]",
        "first ",
        "second [[sim reply=echo]]",
        "second ",
    ]
    assert current[0]["id"] == first["id"] and current[3]["parent_id"] == edited["id"]
    every = api.get(f"/conversations/{cid}/messages", params={"versions": "all"}).json()["data"]
    assert len(every) == 8, "the edited message and what followed it are still stored"
    assert api.get(f"/conversations/{cid}").json()["title"] == "first [[sim reply=echo]]"

    # The thread goes on from the edit; an edit of the first message starts over.
    post_message(api, cid, "fourth")
    read_stream(api, cid)
    assert len(api.get(f"/conversations/{cid}").json()["messages"]) == 6
    again = edit_message(api, cid, first["id"], "only this")
    assert again["model"] == "x-ai/grok-4"
    read_stream(api, cid)
    after = api.get(f"/conversations/{cid}").json()
    assert [m["role"] for m in after["messages"]] == ["user", "assistant"]
    assert after["messages"][0]["content"] == "only this"
    assert after["title"] == "only this", "named after its first message, the chat follows it"
    assert completion_requests(sim)[-1]["body"]["messages"][1:] == [
        {"role": "user", "content": "only this"}
    ]


def test_an_edit_is_refused_while_an_answer_runs_and_for_what_cannot_be_edited(
    api: httpx.Client, sim: httpx.Client
):
    conversation = new_conversation(api)
    cid = conversation["id"]
    question = post_message(api, cid, "slow [[sim tokens=40 tps=20]]")
    edit = f"/conversations/{cid}/messages/{question['id']}/edit"
    busy = api.post(edit, json={"message": "faster"})
    assert busy.status_code == 409 and "still being written" in busy.json()["detail"]
    no_message = api.post(f"/conversations/{cid}/messages/{unique()}/edit", json={"message": "x"})
    assert no_message.status_code == 404, "an edit of no message is a 404 while an answer runs"
    api.post(f"/conversations/{cid}/stop")
    requests_before = len(completion_requests(sim))

    answer = api.get(f"/conversations/{cid}").json()["messages"][1]
    assert api.post(edit, json={"message": "   "}).status_code == 422
    unknown = api.post(f"/conversations/{cid}/messages/{unique()}/edit", json={"message": "x"})
    assert unknown.status_code == 404 and unknown.json()["detail"] == "Message not found."
    not_mine = api.post(f"/conversations/{cid}/messages/{answer['id']}/edit", json={"message": "x"})
    assert not_mine.status_code == 400 and "you wrote" in not_mine.json()["detail"]
    elsewhere = new_conversation(api)
    other = api.post(
        f"/conversations/{elsewhere['id']}/messages/{question['id']}/edit", json={"message": "x"}
    )
    assert other.status_code == 404
    assert len(completion_requests(sim)) == requests_before, "a refused edit asked upstream"

    assert api.patch(f"/conversations/{cid}", json={"title": "Named by hand"}).status_code == 200
    client_id = unique()
    body = {"message": "edited once", "client_message_id": client_id}
    first = api.post(edit, json=body).json()
    assert api.post(edit, json=body).json()["id"] == first["id"]
    reused = api.post(f"/conversations/{cid}/messages", json=body)
    assert reused.status_code == 409 and "already used" in reused.json()["detail"]
    read_stream(api, cid)
    sent_id = unique()
    api.post(
        f"/conversations/{cid}/messages", json={"message": "more", "client_message_id": sent_id}
    )
    read_stream(api, cid)
    current = api.get(f"/conversations/{cid}").json()["messages"]
    for message_id, used in ((current[0]["id"], sent_id), (current[2]["id"], client_id)):
        again = api.post(
            f"/conversations/{cid}/messages/{message_id}/edit",
            json={"message": "another", "client_message_id": used},
        )
        assert again.status_code == 409 and "already used" in again.json()["detail"]
    assert api.get(f"/conversations/{cid}").json()["title"] == "Named by hand"
    replaced = api.post(edit, json={"message": "an old version"})
    assert replaced.status_code == 400, "the replaced message is no longer in the thread"
    every = api.get(f"/conversations/{cid}/messages", params={"versions": "all"}).json()["data"]
    assert [m["role"] for m in every] == ["user", "assistant"] * 3
