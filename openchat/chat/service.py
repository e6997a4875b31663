"""ChatService: conversations, messages and answers — what the API calls, nothing of HTTP."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from openchat.chat import threads
from openchat.chat.answers import SERVER_STOPPED, AnswerWriter, StreamChat
from openchat.chat.events import ANSWER_ID_SPAN, start_payload
from openchat.chat.generation import Generation, GenerationRegistry
from openchat.domain import (
    Attachment,
    Conversation,
    ConversationDraft,
    ConversationPatch,
    Message,
    Page,
    Sampling,
    Upload,
)
from openchat.errors import BadRequest, Conflict, NotFound, Unavailable
from openchat.storage.store import ChatStore, Checkpoint, MessageDraft

if TYPE_CHECKING:  # Redis's client loads only where servers share it (app.create_app)
    from openchat.chat.shared import Claim, SharedAnswers

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 5.0
CHECKPOINT_BATCH = 100  # answers per checkpoint transaction (a few ms of SQLite work)
# Finished messages added to the search index per transaction (some 2 ms of SQLite work for
# long answers), and at most per tick: a backlog (an import) is indexed over a few seconds.
INDEX_BATCH = 100
INDEX_BATCHES_PER_TICK = 20
# On a database several servers share, each checkpoints even its silent answers this often,
# and answers no checkpoint reached for STALE_AFTER are taken as left by a server that died.
# Their clocks must agree to well within the difference (NTP does).
HEARTBEAT_SECONDS = 10.0
STALE_AFTER_SECONDS = 60.0
TIMER_SLACK = 0.001  # a timer may fire up to a millisecond early
REMOTE_STOP_WAIT = 30.0  # seconds to wait for another server to store an answer it stops
RUNNING = "An answer is still being written. Stop it or wait for it to finish."
STARTING_ELSEWHERE = "The answer is still starting on another server. Try again shortly."
UNREACHED = "The server writing this answer cannot be reached now. Its text so far is shown."
STOP_UNREACHED = "The server writing this answer did not stop it. Try again shortly."
STORED_WAIT = 2.0  # seconds to wait for another server's final save after its answer's end
NO_CLAIM: AbstractAsyncContextManager[None] = nullcontext()  # one server: nothing to claim


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """An answer that already ended: a stream replays it, with no upstream call."""

    message: Message
    first_id: int


def _first_id(stored: list[Message], answer_id: str | None = None) -> int:
    """The id before an answer's first event: its place among the conversation's answers."""
    answers = [message.id for message in stored if message.role == "assistant"]
    place = answers.index(answer_id) if answer_id in answers else len(answers)
    return place * ANSWER_ID_SPAN


def _question_to_replace(
    stored: list[Message], thread: list[Message], message_id: str | None
) -> Message | None:
    """The question of the thread that an edit replaces (None: not an edit)."""
    if message_id is None:
        return None
    found = next((message for message in thread if message.id == message_id), None)
    if found is not None and found.role == "user":
        return found
    if found is None and all(message.id != message_id for message in stored):
        raise NotFound("Message not found.")
    raise BadRequest(
        "Only a message you wrote, in the conversation as it now reads, can be edited."
    )


def _names_the_chat(
    conversation: Conversation, thread: list[Message], replaced: Message | None
) -> bool:
    """Whether a question renames the chat: a new one while it has no name yet; an edit of
    the first question while the chat is still named after it."""
    if replaced is None:
        return conversation.title == threads.DEFAULT_TITLE
    first = next(message for message in thread if message.role == "user")
    return replaced.id == first.id and conversation.title == threads.title_of(
        replaced.content, replaced.attachments
    )


# What a question is sent with: new images, or (in an edit) the ids of the edited one's to
# keep; None keeps all of an edited message's, and is none for a new one.
AttachmentsAsked = Sequence[Upload | str] | None


def _attachments_of(
    replaced: Message | None, asked: AttachmentsAsked
) -> tuple[tuple[Attachment, ...], list[Upload]]:
    """The question's attachments, and those among them whose bytes are new."""
    kept = {item.id: item for item in replaced.attachments} if replaced else {}
    if asked is None:
        return tuple(kept.values()), []
    listed: list[Attachment] = []
    uploads: list[Upload] = []
    for item in asked:
        if isinstance(item, Upload):
            listed.append(item.attachment)
            uploads.append(item)
        elif item in kept and kept[item] not in listed:
            listed.append(kept[item])
        elif item in kept:
            raise BadRequest("An edit lists each image it keeps once.")
        else:
            raise BadRequest(
                "Only an edit keeps an image by its id, and only one of the edited message's."
            )
    return tuple(listed), uploads


AnswerSource = Generation | StoredAnswer  # a Generation may copy another server's


@dataclass(slots=True)
class _ConversationLock:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class ChatService:
    """Conversation CRUD and the life of answers: send, stream, regenerate, stop."""

    def __init__(
        self,
        store: ChatStore,
        stream_chat: StreamChat | None,
        default_model: str,
        checkpoint_interval: float = 1.0,
        registry: GenerationRegistry | None = None,
        ping_interval: float = 15.0,
        shared_database: bool = False,
        stale_after: float = STALE_AFTER_SECONDS,
        shared_answers: SharedAnswers | None = None,
    ) -> None:
        self._store = store
        self._default_model = default_model
        self._checkpoint_interval = checkpoint_interval
        self.ping_interval = ping_interval  # seconds of silence before a stream is pinged
        self._registry = registry or GenerationRegistry()
        self._writer = AnswerWriter(
            store, self._registry, stream_chat, shared_answers.release if shared_answers else None
        )
        self._locks: dict[str, _ConversationLock] = {}
        self._checkpoints: asyncio.Task[None] | None = None
        # Other servers' answers may be streaming there; with Redis, they always may.
        self._shared = shared_database or shared_answers is not None
        self._answers = shared_answers  # which server writes which answer, across servers
        self._stopping: set[asyncio.Task[Message | None]] = set()  # stops other servers asked
        self._stale_after = stale_after
        self._heartbeat = min(HEARTBEAT_SECONDS, stale_after / 6)

    # Life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Mark answers a crash left `streaming` as `interrupted`; start checkpointing.

        On a database of its own, every such answer is left over. On a shared one, only those
        no server has checkpointed lately: the others are another server's, still streaming.
        """
        await self._interrupt_orphans(at_start=True)
        if self._answers is not None:
            await self._answers.start(self._stop_asked)
        self._checkpoints = asyncio.create_task(self._checkpoint_loop())

    async def close(self) -> None:
        """Stop running answers (stored as `interrupted`) and the checkpoint loop."""
        running = self._registry.all_running()
        for generation in running:
            self._registry.request_stop(generation, "shutdown")
        tasks = [generation.task for generation in running if generation.task is not None]
        if tasks:
            await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE_SECONDS)
        # The final saves of answers whose task never ran (stopped, or cancelled just now).
        closings = [
            self._closing(generation)
            for generation in running
            if generation.task is not None and generation.task.cancelled()
        ]
        if closings:
            await asyncio.wait(closings, timeout=SHUTDOWN_GRACE_SECONDS)
        if self._stopping:  # stops other servers passed on
            await asyncio.wait(self._stopping, timeout=SHUTDOWN_GRACE_SECONDS)
        if self._checkpoints is not None:
            self._checkpoints.cancel()
            await asyncio.gather(self._checkpoints, return_exceptions=True)

    async def ping(self) -> None:
        """Raise when the database cannot be reached."""
        await self._store.ping()

    @property
    def shares_answers(self) -> bool:
        """Whether answers are shared with other servers (through Redis)."""
        return self._answers is not None

    async def ping_shared(self) -> None:
        """Raise when Redis, shared with other servers, cannot be reached."""
        if self._answers is not None:
            await self._answers.ping()

    # Conversations ----------------------------------------------------------------------

    async def create_conversation(
        self,
        owner_id: str,
        title: str | None,
        default_model: str | None,
        system_prompt: str | None,
        temperature: float | None = None,
    ) -> Conversation:
        draft = ConversationDraft(
            title=(title or "").strip() or threads.DEFAULT_TITLE,
            default_model=default_model or self._default_model,
            system_prompt=system_prompt or "",
            temperature=temperature,
        )
        conversation = await self._store.create_conversation(owner_id, draft)
        log.info(
            "Created conversation %s with model %s", conversation.id, conversation.default_model
        )
        return conversation

    async def get_conversation(self, owner_id: str, conversation_id: str) -> Conversation:
        return await self._store.get_conversation(owner_id, conversation_id)

    async def list_conversations(
        self, owner_id: str, limit: int, cursor: str | None, query: str | None
    ) -> Page:
        return await self._store.list_conversations(owner_id, limit, cursor, query)

    async def update_conversation(
        self, owner_id: str, conversation_id: str, patch: ConversationPatch
    ) -> Conversation:
        return await self._store.update_conversation(owner_id, conversation_id, patch)

    async def delete_conversation(self, conversation: Conversation) -> None:
        async with self._lock(conversation.id):
            running = self._registry.running(conversation.id)
            if running is not None:
                await self._cancel(running)
            elif (claim := await self._writing_elsewhere(conversation.id)) is not None:
                await self._stop_elsewhere(conversation, claim)
            await self._store.delete_conversation(conversation.owner_id, conversation.id)
        self._registry.forget_conversation(conversation.id)

    async def attachment(self, owner_id: str, attachment_id: str) -> tuple[str, bytes]:
        """An image sent with a message of the owner's: its media type and bytes."""
        return await self._store.attachment(owner_id, attachment_id)

    async def messages(
        self, conversation: Conversation, all_versions: bool = False
    ) -> list[Message]:
        """The current thread (newest answer versions), or every stored version."""
        stored = await self._store.list_messages(conversation.id)
        return stored if all_versions else threads.current_thread(stored)

    # Answers ----------------------------------------------------------------------------

    async def send(
        self,
        conversation: Conversation,
        text: str,
        model: str | None,
        client_message_id: str | None,
        attachments: AttachmentsAsked = None,
    ) -> Message:
        """Store a user message and start its answer; a repeated client id changes nothing."""
        async with self._lock(conversation.id):
            return await self._ask(conversation, text, model, client_message_id, None, attachments)

    async def edit(
        self,
        conversation: Conversation,
        message_id: str,
        text: str,
        model: str | None,
        client_message_id: str | None,
        attachments: AttachmentsAsked = None,
    ) -> Message:
        """Store a new version of a question of the thread and start its answer.

        The question it replaces and everything after it stay stored (listed with every
        version), out of the thread. It keeps that one's images unless `attachments` says
        otherwise. A repeated client id changes nothing.
        """
        async with self._lock(conversation.id):
            return await self._ask(
                conversation, text, model, client_message_id, message_id, attachments
            )

    async def _ask(
        self,
        conversation: Conversation,
        text: str,
        model: str | None,
        client_message_id: str | None,
        replaced_id: str | None,
        attachments: AttachmentsAsked,
    ) -> Message:
        """Store a question (new, or a version of `replaced_id`) and its answer's row, and
        start the answer. Called under the conversation's lock."""
        if client_message_id is not None:
            earlier = await self._store.find_by_client_id(conversation.id, client_message_id)
            if earlier is not None and earlier.parent_id != replaced_id:
                raise Conflict("This client_message_id was already used for another message.")
            if earlier is not None:
                return earlier
        if replaced_id is not None:
            # An edit of no message (404), or of one that is not a question of the thread
            # (400), fails as such whatever runs, here or elsewhere. Read again once claimed.
            stored = await self._store.list_messages(conversation.id)
            _question_to_replace(stored, threads.current_thread(stored), replaced_id)
        if self._registry.running(conversation.id) is not None:
            raise Conflict(RUNNING)
        async with self._claimed(conversation.id):
            return await self._ask_claimed(
                conversation, text, model, client_message_id, replaced_id, attachments
            )

    async def _ask_claimed(
        self,
        conversation: Conversation,
        text: str,
        model: str | None,
        client_message_id: str | None,
        replaced_id: str | None,
        attachments: AttachmentsAsked,
    ) -> Message:
        stored = await self._store.list_messages(conversation.id)
        thread = threads.current_thread(stored)
        replaced = _question_to_replace(stored, thread, replaced_id)
        listed, uploads = _attachments_of(replaced, attachments)
        if not text.strip() and not listed:
            raise BadRequest("A message needs text or an image.")
        chosen = model or (replaced.model if replaced else None) or conversation.default_model
        draft = MessageDraft(
            role="user",
            content=text,
            model=chosen,
            client_message_id=client_message_id,
            parent_id=replaced_id,
            attachments=listed,
        )
        title = (
            threads.title_of(text, listed)
            if _names_the_chat(conversation, thread, replaced)
            else None
        )
        question, answer = await self._store.add_exchange(
            conversation.id,
            draft,
            MessageDraft(role="assistant", content="", model=chosen, status="streaming"),
            title,
            uploads,
        )
        # DEBUG: the answer's start, logged next at INFO, says as much.
        log.debug("Added user message to conversation %s", conversation.id)
        before = thread[: thread.index(replaced)] if replaced else thread
        self._launch(conversation, [*before, question], question, answer, _first_id(stored))
        return question

    async def open_stream(
        self, owner_id: str, conversation_id: str, model: str | None
    ) -> AnswerSource:
        """What a stream request reads; a running answer is found without a database query."""
        running = self._registry.running(conversation_id)
        if running is not None and running.owner_id == owner_id:
            return running
        conversation = await self._store.get_conversation(owner_id, conversation_id)
        return await self.start_or_attach(conversation, model)

    async def start_or_attach(self, conversation: Conversation, model: str | None) -> AnswerSource:
        """The running answer (here or on another server), a stored one to replay, or a new
        one when none exists yet."""
        async with self._lock(conversation.id):
            running = self._registry.running(conversation.id)
            if running is not None:
                return running
            stored = await self._store.list_messages(conversation.id)
            thread = threads.current_thread(stored)
            question = threads.latest_user_message(thread)
            if question is None:
                raise BadRequest("There is no message to answer yet: post one first.")
            answer = threads.answer_to(thread, question)
            if answer is None:
                chosen = model or question.model
                try:
                    return await self._start(conversation, stored, question, chosen)
                except Conflict:  # another server started it meanwhile: read it from there
                    if (claim := await self._elsewhere(conversation.id)) is None:
                        raise
                    return await self._follow(conversation, claim)
            if answer.status == "streaming" and self._answers is not None:
                claim = await self._elsewhere(conversation.id)
                if claim is not None and claim.message_id in (answer.id, None):
                    return await self._follow(conversation, claim)
                # Its writer let it go since it was read: as stored now, it has ended.
                stored = await self._store.list_messages(conversation.id)
                found = next((message for message in stored if message.id == answer.id), None)
                if found is None:
                    raise NotFound("Conversation not found.")
                answer = found
                if answer.status == "streaming":  # no server writes it: replayed as it is now
                    answer = replace(answer, status="interrupted", error=UNREACHED)
            recent = self._registry.recent(conversation.id, answer.id)
            return recent or StoredAnswer(answer, _first_id(stored, answer.id))

    async def regenerate(self, conversation: Conversation, model: str | None) -> Message:
        """Start a new answer to the latest user message; earlier answers stay as versions."""
        async with self._lock(conversation.id):
            if self._registry.running(conversation.id) is not None:
                raise Conflict("An answer is still being written. Stop it before regenerating.")
            stored = await self._store.list_messages(conversation.id)
            question = threads.latest_user_message(threads.current_thread(stored))
            if question is None:
                raise BadRequest("There is no message to answer yet: post one first.")
            chosen = model or question.model or conversation.default_model
            generation = await self._start(conversation, stored, question, chosen)
        return Message(
            id=generation.message_id,
            conversation_id=conversation.id,
            role="assistant",
            content="",
            model=chosen,
            status="streaming",
            created_at=generation.created_at,
            parent_id=question.id,
        )

    async def stop(self, conversation: Conversation) -> Message:
        """Stop the running answer: the upstream request is closed, the partial text kept."""
        running = self._registry.running(conversation.id)
        if running is not None:
            message = await self._cancel(running)
        elif (claim := await self._writing_elsewhere(conversation.id)) is not None:
            message = await self._stop_elsewhere(conversation, claim)
        else:
            raise Conflict("No answer is being written in this conversation.")
        if message is None:
            raise NotFound("The answer could not be found after stopping it.")
        return message

    # Internals --------------------------------------------------------------------------

    async def _start(
        self,
        conversation: Conversation,
        stored: list[Message],
        question: Message,
        model: str | None,
    ) -> Generation:
        """Create the row of a new answer to `question` and launch it."""
        chosen = model or conversation.default_model
        async with self._claimed(conversation.id):
            answer = await self._store.add_answer(
                conversation.id,
                MessageDraft(
                    role="assistant",
                    content="",
                    model=chosen,
                    status="streaming",
                    parent_id=question.id,
                ),
            )
            thread = threads.current_thread(stored)
            return self._launch(conversation, thread, question, answer, _first_id(stored))

    def _launch(
        self,
        conversation: Conversation,
        thread: list[Message],
        question: Message,
        answer: Message,
        first_id: int,
    ) -> Generation:
        """Register the answer's generation and start the task that writes it."""
        model = answer.model or conversation.default_model
        generation = Generation(
            conversation.id, answer.id, model, answer.created_at, conversation.owner_id, first_id
        )
        generation.publish(start_payload(answer.id, model))
        self._registry.add(generation)
        turns = threads.history(conversation.system_prompt, thread, question)
        sampling = Sampling(temperature=conversation.temperature)
        generation.task = asyncio.create_task(self._writer.run(generation, turns, sampling))
        if self._answers is not None:
            self._answers.copy(generation)
        return generation

    async def _cancel(self, generation: Generation) -> Message | None:
        """Stop the generation (or let it finish storing) and return what was stored."""
        task = generation.task
        if task is None:
            return None
        self._registry.request_stop(generation, "stop")
        await asyncio.wait([task])
        if task.cancelled():
            return await asyncio.shield(self._closing(generation))
        return task.result()

    def _closing(self, generation: Generation) -> asyncio.Future[Message | None]:
        """The final save of an answer whose task was cancelled before its first step (nothing
        ran, so it is finished here), started once."""
        if generation.closing is None:
            generation.finishing = True
            update = self._writer.stopped_before_start(generation)
            generation.closing = asyncio.ensure_future(self._writer.finish(generation, update))
        return generation.closing

    def _claimed(self, conversation_id: str) -> AbstractAsyncContextManager[None]:
        """Hold the conversation's answer across servers while one is started (a Conflict if
        another server writes one); let it go if starting fails. Without Redis, nothing: the
        registry, checked under the lock, is enough for one server."""
        return NO_CLAIM if self._answers is None else self._claim(conversation_id)

    @asynccontextmanager
    async def _claim(self, conversation_id: str) -> AsyncIterator[None]:
        assert self._answers is not None
        if not await self._answers.claim(conversation_id):
            raise Conflict(RUNNING)
        try:
            yield
        except BaseException:
            await self._answers.release(conversation_id)
            raise

    async def _elsewhere(self, conversation_id: str) -> Claim | None:
        """The claim of another server writing the conversation's answer (named, unless it
        did not name it within NAMING_WAIT)."""
        if self._answers is None:
            return None
        claim = await self._answers.holder(conversation_id)
        if claim is None or self._answers.is_mine(claim):
            return None
        return claim

    async def _writing_elsewhere(self, conversation_id: str) -> Claim | None:
        """Another server's claim, if the conversation has an answer still streaming: Redis is
        asked only then."""
        if self._answers is None:
            return None
        stored = await self._store.list_messages(conversation_id)
        if not any(message.status == "streaming" for message in stored):
            return None
        return await self._elsewhere(conversation_id)

    async def _follow(self, conversation: Conversation, claim: Claim) -> Generation:
        """A copy of the answer another server writes, to read as any answer."""
        assert self._answers is not None
        if claim.message_id is None:  # its rows are slow to be stored there: not yet
            raise Unavailable(STARTING_ELSEWHERE)
        return await self._answers.follow(claim, conversation.id, conversation.owner_id)

    async def _stop_elsewhere(self, conversation: Conversation, claim: Claim) -> Message | None:
        """Have the server writing the answer stop it; wait until it is stored; return it."""
        assert self._answers is not None
        copy = await self._follow(conversation, claim)
        await self._answers.ask_to_stop(claim, conversation.id)
        try:
            async with asyncio.timeout(REMOTE_STOP_WAIT):
                async for _frames in copy.frames_after(0, self.ping_interval):
                    pass
        except TimeoutError:
            raise Unavailable(STOP_UNREACHED) from None
        # The copy may end without the answer's end (its writer gone, Redis lost): the stored
        # answer says, once the writer's final save is there.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STORED_WAIT
        while True:
            stored = await self._store.list_messages(conversation.id)
            message = next((message for message in stored if message.id == claim.message_id), None)
            if message is None or message.status != "streaming":
                return message
            if loop.time() > deadline:
                raise Unavailable(STOP_UNREACHED)
            await asyncio.sleep(0.1)

    def _stop_asked(self, conversation_id: str, message_id: str) -> None:
        """Another server passed on a stop (or a delete) of an answer this one writes."""
        running = self._registry.running(conversation_id)
        if running is not None and running.message_id == message_id:
            # As a stop asked here, which also finishes an answer stopped before it ran.
            stopping = asyncio.create_task(self._cancel(running))
            self._stopping.add(stopping)
            stopping.add_done_callback(self._stopping.discard)

    @asynccontextmanager
    async def _lock(self, conversation_id: str) -> AsyncIterator[None]:
        """One writer per conversation at a time; the lock is dropped when nobody holds it."""
        entry = self._locks.setdefault(conversation_id, _ConversationLock())
        entry.users += 1
        try:
            async with entry.lock:
                yield
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._locks[conversation_id]

    async def _checkpoint_loop(self) -> None:
        """Save every streaming answer's text once per interval, a batch per transaction, and
        add the messages that finished to the search index.

        On a shared database, also checkpoint the silent answers once per heartbeat (a model
        may think for minutes before its first token), whatever the interval, and interrupt
        the orphans of servers that stopped, once per half of the stale time.
        """
        loop = asyncio.get_running_loop()
        tick = min(self._checkpoint_interval, self._heartbeat) if self._shared else None
        last_text = last_beat = last_sweep = loop.time()
        while True:
            await asyncio.sleep(tick or self._checkpoint_interval)
            moment = loop.time()
            beat = self._shared and moment - last_beat >= self._heartbeat - TIMER_SLACK
            text = tick is None or moment - last_text >= self._checkpoint_interval - TIMER_SLACK
            if beat:
                last_beat = moment
            if text:
                last_text = moment
            due = self._registry.all_running() if beat else self._registry.dirty() if text else []
            for start in range(0, len(due), CHECKPOINT_BATCH):
                await self._checkpoint(due[start : start + CHECKPOINT_BATCH])
            if text:
                await self._index_new_messages()
            if self._shared and loop.time() - last_sweep >= self._stale_after / 2:
                last_sweep = loop.time()
                await self._interrupt_orphans(at_start=False)

    async def _interrupt_orphans(self, at_start: bool) -> None:
        """Mark `interrupted` the answers left streaming by a server that stopped."""
        stale_before = (
            datetime.now(UTC) - timedelta(seconds=self._stale_after) if self._shared else None
        )
        try:
            interrupted = await self._store.mark_streaming_interrupted(stale_before, SERVER_STOPPED)
        except Exception as error:
            if at_start:  # the database is not usable: the server cannot start
                raise
            log.error("Marking abandoned answers failed: %s", type(error).__name__)
            return
        if interrupted and at_start:
            log.warning(
                "Marked %d answers left streaming by a previous run as interrupted", interrupted
            )
        elif interrupted:
            log.warning(
                "Marked %d answers no server saved for %.0f s as interrupted",
                interrupted,
                self._stale_after,
            )

    async def _index_new_messages(self) -> None:
        """Add what finished since the last tick to the search index, a batch at a time."""
        for _ in range(INDEX_BATCHES_PER_TICK):
            try:
                indexed = await self._store.index_new_messages(INDEX_BATCH)
            except Exception as error:  # search finds them later (it indexes first)
                log.error("Indexing new messages failed: %s", type(error).__name__)
                return
            if indexed < INDEX_BATCH:
                return
            await asyncio.sleep(0)  # let streams move between batches

    async def _checkpoint(self, generations: list[Generation]) -> None:
        for generation in generations:
            generation.dirty = False
        checkpoints = [Checkpoint(g.message_id, g.text, g.reasoning or None) for g in generations]
        try:
            await self._store.checkpoint_answers(checkpoints)
        except Exception as error:  # keep streaming; the next tick retries
            log.error("Checkpoint of %d answers failed: %s", len(checkpoints), type(error).__name__)
            for generation in generations:
                generation.dirty = True
        # SQLite writes on the loop's thread: let streams move between batches.
        await asyncio.sleep(0)
