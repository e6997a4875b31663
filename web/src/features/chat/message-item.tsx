/** One message of the thread: the person's text, or an answer with its thinking, errors and actions. */
import { memo, type ReactNode, useState } from "react";
import type { Message } from "@/api/types";
import { CopyButton } from "@/components/copy-button";
import { AlertIcon, RefreshIcon } from "@/components/icons";
import { Markdown } from "@/components/markdown/lazy-markdown";
import { describeAnswerError } from "@/features/chat/answer-errors";
import type { Connection } from "@/features/chat/answer-state";
import { formatUsage } from "@/lib/format-usage";

export interface AnswerControls {
  /** Ask again for the last answer (optionally with another model). */
  regenerate: (model?: string) => void;
  /** After a failure: regenerate, or reattach when the connection was lost. */
  retry: (message: Message) => void;
  modelName: (id: string | null | undefined) => string;
  /** A control to pick another model for one answer (calls `onPick`). */
  renderModelSwitch?: (onPick: (modelId: string) => void, current: string | null) => ReactNode;
}

interface MessageItemProps {
  message: Message;
  /** The thread's last answer: the one Regenerate replaces. */
  isLastAnswer: boolean;
  /** Some answer of this conversation is being written. */
  busy: boolean;
  /** Connection state when this is the answer being streamed. */
  connection: Connection | null;
  controls: AnswerControls;
}

export const MessageItem = memo(function MessageItem(props: MessageItemProps) {
  return props.message.role === "user" ? (
    <UserMessage message={props.message} />
  ) : (
    <AssistantMessage {...props} />
  );
});

function UserMessage({ message }: { message: Message }) {
  return (
    <article
      className="message message--user"
      data-testid="message"
      data-role="user"
      data-status={message.status}
    >
      <div className="message__bubble" data-testid="message-content">
        {message.content}
      </div>
    </article>
  );
}

function AssistantMessage({ message, isLastAnswer, busy, connection, controls }: MessageItemProps) {
  const streaming = message.status === "streaming";
  const usage = formatUsage(message.usage);
  const failed = message.status === "error" || message.status === "interrupted";
  const problem =
    message.status === "error"
      ? describeAnswerError(message.error_code, message.error)
      : message.status === "interrupted"
        ? { text: "This answer was interrupted before it finished.", retry: true }
        : null;
  const canAct = !streaming && !busy && isLastAnswer;

  return (
    <article
      className="message message--assistant"
      data-testid="message"
      data-role="assistant"
      data-status={message.status}
      aria-busy={streaming || undefined}
    >
      {message.reasoning && (
        <ThinkingBlock text={message.reasoning} thinking={streaming && !message.content} />
      )}
      <div className="message__content" data-testid="message-content">
        {message.content ? <Markdown text={message.content} /> : null}
        {streaming && !message.content && !message.reasoning && <TypingDots />}
      </div>
      {streaming && connection === "reconnecting" && (
        <p className="message__status" role="status">
          Reconnecting…
        </p>
      )}
      {problem && (
        <div className="answer-error" role="alert">
          <AlertIcon size={18} />
          <div className="answer-error__text">
            <p>{problem.text}</p>
            {message.error && !saysTheSame(problem.text, message.error) && (
              <p className="answer-error__detail">{message.error}</p>
            )}
          </div>
          {problem.retry && isLastAnswer && !busy && (
            <button
              type="button"
              className="button button--small"
              aria-label="Retry"
              onClick={() => controls.retry(message)}
            >
              <RefreshIcon size={15} />
              Retry
            </button>
          )}
        </div>
      )}
      {message.status === "complete" && message.finish_reason === "length" && (
        <p className="message__status">The answer hit the model's length limit and was cut off.</p>
      )}
      {message.status === "complete" && message.finish_reason === "content_filter" && (
        <p className="message__status">The provider's content filter stopped this answer.</p>
      )}
      {message.status === "cancelled" && (
        <p className="message__status">
          {message.content ? "Stopped" : "Stopped before any text."}
        </p>
      )}
      {!streaming && (
        <div className="message__actions">
          {message.content && <CopyButton text={message.content} label="Copy" />}
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
          {message.model && (
            <span className="message__model" title={message.model}>
              {controls.modelName(message.model)}
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
