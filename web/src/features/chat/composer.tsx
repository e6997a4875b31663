/** The message box: Enter sends, Shift+Enter adds a line, it grows with the text; Stop while answering. */
import {
  type FormEvent,
  memo,
  type Ref,
  useEffect,
  useImperativeHandle,
  useRef,
  useState,
} from "react";
import { ArrowUpIcon, StopIcon } from "@/components/icons";
import { draftOf, keepDraft } from "@/features/chat/drafts";
import { isComposing } from "@/lib/composing";
import { ARIA_KEYS } from "@/lib/shortcuts";
import { useFittedHeight } from "@/lib/use-fitted-height";

export interface ComposerHandle {
  focus: () => void;
  setText: (text: string) => void;
}

interface ComposerProps {
  ref?: Ref<ComposerHandle>;
  /** An answer is being written: sending waits, the button stops it. */
  busy: boolean;
  stopping?: boolean;
  /** Sending is impossible for now (e.g. the conversation is loading). */
  disabled?: boolean;
  onSend: (text: string) => void;
  onStop: () => void;
  placeholder?: string;
  autoFocus?: boolean;
  /** Whose unsent text the box keeps, to show again when it comes back: a conversation's id,
   * or NEW_CHAT_DRAFT for the page that starts one. */
  draftKey?: string;
}

const MAX_HEIGHT_PX = 240;

export const Composer = memo(function Composer({
  ref,
  busy,
  stopping = false,
  disabled = false,
  onSend,
  onStop,
  placeholder = "Message Open Chat",
  autoFocus = false,
  draftKey,
}: ComposerProps) {
  const [text, setText] = useState(() => (draftKey ? draftOf(draftKey) : ""));
  const area = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (draftKey) keepDraft(draftKey, text);
  }, [draftKey, text]);

  // A draft found again is carried on from its end.
  useEffect(() => {
    const node = area.current;
    if (node?.value) node.setSelectionRange(node.value.length, node.value.length);
  }, []);

  useImperativeHandle(ref, () => ({
    focus: () => area.current?.focus(),
    setText: (value: string) => {
      setText(value);
      requestAnimationFrame(() => {
        const node = area.current;
        if (!node) return;
        node.focus();
        node.setSelectionRange(value.length, value.length);
      });
    },
  }));

  useFittedHeight(area, text, MAX_HEIGHT_PX);

  const canSend = text.trim().length > 0 && !busy && !disabled;

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (!canSend) return;
    const value = text;
    setText("");
    onSend(value);
  };

  return (
    <form className="composer" onSubmit={submit}>
      <textarea
        ref={area}
        className="composer__input"
        aria-label="Message"
        aria-keyshortcuts={ARIA_KEYS.typeMessage}
        placeholder={placeholder}
        rows={1}
        dir="auto"
        value={text}
        // biome-ignore lint/a11y/noAutofocus: the message box is where a chat starts
        autoFocus={autoFocus}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Enter" && !event.shiftKey && !isComposing(event.nativeEvent)) {
            event.preventDefault();
            submit();
          }
        }}
      />
      {busy ? (
        <button
          type="button"
          className="composer__button composer__button--stop"
          aria-label="Stop generating"
          title="Stop generating (Esc)"
          disabled={stopping}
          onClick={onStop}
        >
          <StopIcon size={16} />
        </button>
      ) : (
        <button
          type="submit"
          className="composer__button"
          aria-label="Send message"
          title="Send message (Enter)"
          disabled={!canSend}
        >
          <ArrowUpIcon size={18} />
        </button>
      )}
    </form>
  );
});
