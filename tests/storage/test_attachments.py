"""Images stored with their messages, on the real database (SQLite here; PostgreSQL when
DATABASE_URL says so): listed on each version, read back whole, kept to their owner, written
in the message's own transaction, and deleted with their chat."""

from __future__ import annotations

import pytest

from openchat.domain import Attachment, ConversationDraft, Upload
from openchat.errors import Conflict, NotFound
from openchat.storage.sql import SqlChatStore
from openchat.storage.store import MessageDraft
from tests.images import png

OWNER = "me"
RED, BLUE = png(4, 4, (255, 0, 0)), png(4, 4, (0, 0, 255))


def _upload(data: bytes, name: str) -> Upload:
    return Upload(Attachment(f"{name}-id", name, "image/png", len(data)), data)


async def _ask(
    store: SqlChatStore, chat: str, uploads: list[Upload], client_id: str | None = None
) -> str:
    listed = tuple(upload.attachment for upload in uploads)
    question, _ = await store.add_exchange(
        chat,
        MessageDraft(role="user", content="", attachments=listed, client_message_id=client_id),
        MessageDraft(role="assistant", content="", status="streaming"),
        None,
        uploads,
    )
    return question.id


async def test_images_are_listed_in_order_and_read_back_whole(store: SqlChatStore):
    chat = (await store.create_conversation(OWNER, ConversationDraft("t", "m"))).id
    red, blue = _upload(RED, "red.png"), _upload(BLUE, "blue.png")
    await _ask(store, chat, [red, blue])
    question, answer = await store.list_messages(chat)
    assert question.attachments == (red.attachment, blue.attachment)
    assert answer.attachments == ()
    assert await store.attachment(OWNER, "red.png-id") == ("image/png", RED)
    assert await store.attachment_data(["blue.png-id", "red.png-id", "none"]) == {
        "red.png-id": RED,
        "blue.png-id": BLUE,
    }
    with pytest.raises(NotFound):
        await store.attachment("someone else", "red.png-id")


async def test_a_refused_message_stores_none_of_its_images(store: SqlChatStore):
    chat = (await store.create_conversation(OWNER, ConversationDraft("t", "m"))).id
    await _ask(store, chat, [_upload(RED, "first.png")], client_id="k")
    with pytest.raises(Conflict):  # the same client id again: the whole exchange is undone
        await _ask(store, chat, [_upload(BLUE, "second.png")], client_id="k")
    assert await store.attachment_data(["second.png-id"]) == {}
    assert len(await store.list_messages(chat)) == 2


async def test_a_deleted_chat_takes_its_images_along(store: SqlChatStore):
    chat = (await store.create_conversation(OWNER, ConversationDraft("t", "m"))).id
    other = (await store.create_conversation(OWNER, ConversationDraft("u", "m"))).id
    await _ask(store, chat, [_upload(RED, "gone.png")])
    await _ask(store, other, [_upload(BLUE, "kept.png")])
    await store.delete_conversation(OWNER, chat)
    with pytest.raises(NotFound):
        await store.attachment(OWNER, "gone.png-id")
    assert await store.attachment(OWNER, "kept.png-id") == ("image/png", BLUE)
