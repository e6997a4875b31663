/** One message of the thread: the person's text (to copy or edit), or an answer with its
 * thinking, errors and actions. */
import {
  type FormEvent,
  type KeyboardEvent,
  memo,
  type ReactNode,
  useEffect,
  useId,
  useRef,
  useState,
} from "react";
import type { Attachment, Message } from "@/api/types";
import { CopyButton } from "@/components/copy-button";
import {
  AlertIcon,
  ChevronLeftIcon,
  ChevronRightIcon,
  EditIcon,
  RefreshIcon,
} from "@/components/icons";
import { Markdown } from "@/components/markdown/lazy-markdown";
import { describeAnswerError } from "@/features/chat/answer-errors";
import type { Connection } from "@/features/chat/answer-state";
import { ImageTile } from "@/features/chat/image-tile";
import { MessageImages } from "@/features/chat/message-images";
import { usePickedVersion, useRestoreOnSwitch } from "@/features/chat/version-view";
import { isComposing } from "@/lib/composing";
import { formatUsage } from "@/lib/format-usage";
import { useFittedHeight } from "@/lib/use-fitted-height";

export interface MessageControls {
  /** Ask again for the last answer (optionally with another model). */
  regenerate: (model?: string) => void;
  /** After a failure: regenerate, or reattach when the connection was lost. */
  retry: (message: Message) => void;
  modelName: (id: string | null | undefined) => string;
  /** A control to pick another model for one answer (calls `onPick`). */
  renderModelSwitch?: (onPick: (modelId: string) => void, current: string | null) => ReactNode;
  /** Send a new version of a message the person wrote; true once it is stored (absent:
   * editing is not offered). */
  edit?: (message: Message, text: string, keptImages?: readonly Attachment[]) => Promise<boolean>;
}

interface MessageItemProps {
  message: Message;
  /** The thread's last answer: the one Regenerate replaces. */
  isLastAnswer: boolean;
  /** Some answer of this conversation is being written. */
  busy: boolean;
  /** Connection state when this is the answer being streamed. */
  connection: Connection | null;
  controls: MessageControls;
  /** The answers this one replaced (Regenerate), oldest first; this one is the newest. */
  earlier?: readonly Message[];
  /** The id of the thread's last message. When it changes (a message sent or edited, an
   * answer regenerated) the newest version is back on view: the one the server builds on. */
  threadEnd?: string;
  /** Notes where a version switch is on screen; the function it returns, called once the
   * other version is laid out, moves the view to keep the switch there. */
  keepInPlace?: (control: HTMLElement) => () => void;
  /** For an edited message: the id of its newest version, which of its `versionCount`
   * versions is on view, and how to pick another (-1: the newest). */
  versionOf?: string;
  versionIndex?: number;
  versionCount?: number;
  /** `control`: the switch used, which keeps its place on screen. */
  onPickVersion?: (id: string, index: number, control: HTMLElement) => void;
}

export const MessageItem = memo(function MessageItem(props: MessageItemProps) {
  return props.message.role === "user" ? (
    <UserMessage {...props} />
  ) : (
    <AssistantMessage {...props} />
  );
});

function UserMessage({
  message,
  busy,
  controls,
  versionOf,
  versionIndex = 0,
  versionCount = 1,
  onPickVersion,
}: MessageItemProps) {
  const [editing, setEditing] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const backToButton = useRef(false);
  const { edit } = controls;
  // Only a stored message has an id to edit (not the page's own copy while it is sent).
  const editable = edit !== undefined && !busy && !message.id.startsWith("local-");
  const images = message.attachments ?? [];
  const hasText = message.content.trim().length > 0;

  // A closed editor gives the focus back to its Edit button (a sent edit leaves the thread).
  useEffect(() => {
    if (editing || !backToButton.current) return;
    backToButton.current = false;
    editButton.current?.focus();
  }, [editing]);

  const close = () => {
    backToButton.current = true;
    setEditing(false);
  };

  return (
    <article
      className="message message--user"
      data-testid="message"
      data-message-id={message.id}
      data-role="user"
      data-status={message.status}
    >
      {editing && edit ? (
        <MessageEditor
          text={message.content}
          images={images}
          disabled={busy}
          onCancel={close}
          onSave={async (text, kept) => {
            const sameImages = kept.length === images.length;
            if (text === message.content && sameImages) close();
            // Unnamed, the images all stay; they are named when some go, or when they are
            // all the message says (a blank text is taken only with images named).
            else if (await edit(message, text, sameImages && text.trim() ? undefined : kept)) {
              setEditing(false);
            }
          }}
        />
      ) : (
        <>
          {images.length > 0 && <MessageImages images={images} />}
          {hasText && (
            <div className="message__bubble" data-testid="message-content" dir="auto">
              {message.content}
            </div>
          )}
          <div className="message__actions message__actions--user">
            {versionOf && onPickVersion && (
              <VersionSwitch
                of="your message"
                index={versionIndex}
                count={versionCount}
                onPick={(at, control) =>
                  onPickVersion(versionOf, at === versionCount - 1 ? -1 : at, control)
                }
                disabled={busy}
              />
            )}
            {hasText && <CopyButton text={message.content} label="Copy message" />}
            {editable && (
              <button
                ref={editButton}
                type="button"
                className="icon-button"
                aria-label="Edit message"
                title="Edit message"
                onClick={() => setEditing(true)}
              >
                <EditIcon size={16} />
              </button>
            )}
          </div>
          {versionOf && versionIndex < versionCount - 1 && (
            <p className="message__status message__status--user">
              An earlier version, with what followed it then: to read only.
            </p>
          )}
        </>
      )}
    </article>
  );
}

const EDITOR_MAX_HEIGHT_PX = 320;

/**
 * The text of a message being edited: Enter (or Send) sends it, Esc (or Cancel) keeps the
 * message as it was. The editor stays open, with the text, until the edit is stored. The
 * message's images go with the new version, unless taken out here.
 */
function MessageEditor({
  text,
  images,
  disabled,
  onCancel,
  onSave,
}: {
  text: string;
  images: readonly Attachment[];
  disabled: boolean;
  onCancel: () => void;
  /** The text, and the images kept (in their order). */
  onSave: (text: string, kept: readonly Attachment[]) => Promise<void>;
}) {
  const [value, setValue] = useState(text);
  const [kept, setKept] = useState(images);
  const [sending, setSending] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const hint = useId();
  const empty = value.trim().length === 0 && kept.length === 0;
  useFittedHeight(box, value, EDITOR_MAX_HEIGHT_PX);

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (empty || disabled || sending) return;
    setSending(true);
    try {
      await onSave(value, kept);
    } finally {
      setSending(false);
    }
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (isComposing(event.nativeEvent)) return; // the input method's own Enter and Esc
    if (event.key === "Escape") {
      event.preventDefault(); // the chat's own Esc (stop an answer) is not meant
      event.stopPropagation();
      onCancel();
    } else if (event.key === "Enter" && !event.shiftKey) {
      void submit(event);
    }
  };
  return (
    <form className="message-editor" onSubmit={submit}>
      {kept.length > 0 && (
        <ul className="composer__images" aria-label="Images of the message">
          {kept.map((image) => (
            <ImageTile
              key={image.id}
              name={image.name}
              src={image.url}
              onRemove={() => {
                setKept((now) => now.filter((item) => item.id !== image.id));
                box.current?.focus(); // the button that had the focus is gone
              }}
            />
          ))}
        </ul>
      )}
      <textarea
        ref={box}
        className="message-editor__input"
        aria-label="Edit message"
        aria-describedby={hint}
        dir="auto"
        value={value}
        rows={1}
        readOnly={sending}
        onChange={(event) => setValue(event.target.value)}
        onKeyDown={onKeyDown}
        // biome-ignore lint/a11y/noAutofocus: the person asked to edit this text just now
        autoFocus
        onFocus={(event) => {
          const end = event.currentTarget.value.length;
          event.currentTarget.setSelectionRange(end, end);
        }}
      />
      <p id={hint} className="message-editor__hint">
        Sending asks for a new answer. The earlier version and what followed it stay stored.
      </p>
      <div className="message-editor__buttons">
        <button type="button" className="button button--small" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="submit"
          className="button button--small button--primary"
          disabled={empty || disabled || sending}
        >
          {sending ? "Sending…" : "Send"}
        </button>
      </div>
    </form>
  );
}

function AssistantMessage({
  message,
  isLastAnswer,
  busy,
  connection,
  controls,
  earlier,
  threadEnd,
  keepInPlace,
}: MessageItemProps) {
  const count = (earlier?.length ?? 0) + 1;
  // Which version is on view (null: the newest), until the thread goes on from the newest.
  const [picked, setPicked] = usePickedVersion<number>(threadEnd);
  const index = picked !== null && picked < count - 1 ? picked : count - 1;
  const newest = index === count - 1;
  const restorePlace = useRestoreOnSwitch(index);
  const shown = newest ? message : (earlier?.[index] ?? message);

  const streaming = message.status === "streaming";
  const usage = formatUsage(shown.usage);
  const failed = message.status === "error" || message.status === "interrupted";
  const problem =
    shown.status === "error"
      ? describeAnswerError(shown.error_code, shown.error)
      : shown.status === "interrupted"
        ? { text: "This answer was interrupted before it finished.", retry: true }
        : null;
  const canAct = !streaming && !busy && isLastAnswer;

  return (
    <article
      className="message message--assistant"
      data-testid="message"
      data-message-id={message.id}
      data-role="assistant"
      data-status={shown.status}
      data-version={count > 1 ? index + 1 : undefined}
      aria-busy={streaming || undefined}
    >
      {shown.reasoning && (
        <ThinkingBlock
          key={shown.id}
          text={shown.reasoning}
          thinking={streaming && !shown.content}
        />
      )}
      <div className="message__content" data-testid="message-content">
        {shown.content ? <Markdown text={shown.content} /> : null}
        {streaming && !shown.content && !shown.reasoning && <TypingDots />}
      </div>
      {streaming && connection === "reconnecting" && (
        <p className="message__status" role="status">
          Reconnecting…
        </p>
      )}
      {problem && (
        <div className="answer-error">
          <div className="answer-error__message" role="alert">
            <AlertIcon size={18} />
            <div className="answer-error__text">
              <p>{problem.text}</p>
              {shown.error && !saysTheSame(problem.text, shown.error) && (
                <p className="answer-error__detail">{shown.error}</p>
              )}
            </div>
          </div>
          {problem.retry && newest && isLastAnswer && !busy && (
            <button
              type="button"
              className="button button--small"
              onClick={() => controls.retry(message)}
            >
              <RefreshIcon size={15} />
              Retry
            </button>
          )}
        </div>
      )}
      {shown.status === "complete" && shown.finish_reason === "length" && (
        <p className="message__status">The answer hit the model's length limit and was cut off.</p>
      )}
      {shown.status === "complete" && shown.finish_reason === "content_filter" && (
        <p className="message__status">The provider's content filter stopped this answer.</p>
      )}
      {shown.status === "cancelled" && (
        <p className="message__status">{shown.content ? "Stopped" : "Stopped before any text."}</p>
      )}
      {!streaming && (
        <div className="message__actions">
          {count > 1 && (
            <VersionSwitch
              of="this answer"
              index={index}
              count={count}
              onPick={(next, control) => {
                restorePlace.current = keepInPlace?.(control) ?? null;
                setPicked(next);
              }}
            />
          )}
          {shown.content && <CopyButton text={shown.content} label="Copy" />}
          {canAct && !failed && (
            <button
              type="button"
              className="icon-button"
              aria-label="Regenerate"
              title="Regenerate"
              onClick={() => controls.regenerate()}
            >
              <RefreshIcon size={16} />
            </button>
          )}
          {canAct &&
            controls.renderModelSwitch?.((model) => controls.regenerate(model), message.model)}
          {shown.model && (
            <span className="message__model" title={shown.model}>
              {controls.modelName(shown.model)}
            </span>
          )}
          {usage && (
            <span className="message__usage" data-testid="usage">
              {usage}
            </span>
          )}
        </div>
      )}
    </article>
  );
}

/** "‹ 2 / 3 ›": moves between the versions of an answer (a view only; nothing is stored). */
function VersionSwitch({
  of,
  index,
  count,
  onPick,
  disabled = false,
}: {
  /** What the versions are of, as a screen reader names the switch. */
  of: string;
  index: number;
  count: number;
  /** `control`: the button used. */
  onPick: (index: number, control: HTMLElement) => void;
  /** Shown, but not to be used (an answer is being written). */
  disabled?: boolean;
}) {
  const first = disabled || index === 0;
  const last = disabled || index === count - 1;
  // Said aloud when the reader moves, not when the view goes back to the newest by itself
  // (a message sent): a live region speaks whenever its text changes.
  const [spoken, setSpoken] = useState("");
  const pick = (to: number, control: HTMLElement) => {
    onPick(to, control);
    setSpoken(`Version ${to + 1} of ${count}`);
  };
  return (
    <fieldset
      className="version-switch"
      aria-label={`Versions of ${of}`}
      title={disabled ? "Available once the answer is written" : undefined}
    >
      <button
        type="button"
        className="icon-button icon-button--small"
        aria-label="Previous version"
        title="Previous version"
        // aria-disabled rather than disabled, so the focus stays on the button at either end.
        aria-disabled={first || undefined}
        onClick={(event) => {
          if (!first) pick(index - 1, event.currentTarget);
        }}
      >
        <ChevronLeftIcon size={16} />
      </button>
      <span className="version-switch__position" data-testid="version-position" aria-hidden="true">
        {index + 1} / {count}
      </span>
      <span className="visually-hidden" data-testid="version-label">
        Version {index + 1} of {count}
      </span>
      <span className="visually-hidden" aria-live="polite" data-testid="version-spoken">
        {spoken}
      </span>
      <button
        type="button"
        className="icon-button icon-button--small"
        aria-label="Next version"
        title="Next version"
        // aria-disabled rather than disabled, so the focus stays on the button at either end.
        aria-disabled={last || undefined}
        onClick={(event) => {
          if (!last) pick(index + 1, event.currentTarget);
        }}
      >
        <ChevronRightIcon size={16} />
      </button>
    </fieldset>
  );
}

/** Whether the server's message would only repeat the explanation shown above it. */
function saysTheSame(shown: string, detail: string): boolean {
  const norm = (text: string) =>
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, " ")
      .trim();
  const a = norm(shown);
  const b = norm(detail);
  return a.includes(b) || b.includes(a) || a.slice(0, 32) === b.slice(0, 32);
}

function ThinkingBlock({ text, thinking }: { text: string; thinking: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <details
      className="thinking"
      open={open}
      onToggle={(event) => setOpen(event.currentTarget.open)}
    >
      <summary>
        {thinking ? "Thinking…" : "Thinking"}
        {thinking && <span className="thinking__pulse" aria-hidden="true" />}
      </summary>
      {open && (
        <div className="thinking__body">
          <Markdown text={text} />
        </div>
      )}
    </details>
  );
}

function TypingDots() {
  return (
    <span className="typing" role="status" aria-label="Writing an answer">
      <span />
      <span />
      <span />
    </span>
  );
}
