"""Nothing is lost: a SIGKILL mid-answer leaves the partial text, marked `interrupted`; a
server starting on a shared database leaves another's answers alone; 50 conversations
streaming at once all complete and are stored."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.conftest import completion_requests, last_message, new_conversation, post_message
from tests.servers import AppServer
from tests.sse import read_stream


def test_sigkill_mid_answer_keeps_the_partial_text_as_interrupted(start_server):
    server: AppServer = start_server(checkpoint_interval="0.2")
    with httpx.Client(base_url=server.url, timeout=30) as api:
        conversation = new_conversation(api)
        post_message(api, conversation["id"], "a long one [[sim tokens=500 tps=50]]")
        partial = read_stream(api, conversation["id"], max_chunks=20)
        time.sleep(0.5)  # past at least one checkpoint
        server.kill()
    restarted = start_server(database_url=server.env["DATABASE_URL"])
    with httpx.Client(base_url=restarted.url, timeout=30) as api:
        messages = api.get(f"/conversations/{conversation['id']}").json()["messages"]
        assert [m["role"] for m in messages] == ["user", "assistant"]
        answer = messages[1]
        assert answer["status"] == "interrupted"
        assert answer["error"] == (
            "The server stopped while this answer was being written. The partial answer is kept."
        )  # as after a clean stop
        assert answer["content"].startswith(partial.text)
        replay = read_stream(api, conversation["id"])
        assert replay.last["status"] == "interrupted"
        assert "interrupted" in restarted.log()


def test_on_a_shared_database_a_starting_server_leaves_the_others_answers_streaming(
    start_server,
):
    first: AppServer = start_server(checkpoint_interval="0.2", shared_database="true")
    with httpx.Client(base_url=first.url, timeout=30) as api:
        conversation = new_conversation(api)
        post_message(api, conversation["id"], "a long one [[sim tokens=250 tps=50]]")
        read_stream(api, conversation["id"], max_chunks=5)
        second = start_server(database_url=first.env["DATABASE_URL"], shared_database="true")
        with httpx.Client(base_url=second.url, timeout=30) as other:
            answer = other.get(f"/conversations/{conversation['id']}").json()["messages"][1]
        assert answer["status"] == "streaming"  # not taken for a crash's leftover
        assert "interrupted" not in second.log()
        finished = read_stream(api, conversation["id"])
        assert finished.last["status"] == "complete"


def test_fifty_conversations_stream_at_once(api: httpx.Client, sim: httpx.Client):
    conversations = [new_conversation(api)["id"] for _ in range(50)]

    def chat(conversation_id: str) -> str:
        with httpx.Client(base_url=str(api.base_url), timeout=60) as client:
            post_message(client, conversation_id, f"{conversation_id} [[sim reply=echo tps=50]]")
            return read_stream(client, conversation_id).text

    with ThreadPoolExecutor(max_workers=50) as pool:
        texts = list(pool.map(chat, conversations))
    for conversation_id, text in zip(conversations, texts, strict=True):
        assert text.strip() == conversation_id
        stored = last_message(api, conversation_id)
        assert stored["status"] == "complete" and stored["content"] == text
    assert len(completion_requests(sim)) == 50
