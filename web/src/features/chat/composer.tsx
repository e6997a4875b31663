/**
 * The message box: Enter sends, Shift+Enter adds a line, it grows with the text; Stop while
 * answering. Images come with the paperclip, a paste or a drop, and wait above the text.
 */
import {
  type DragEvent,
  type FormEvent,
  memo,
  type Ref,
  useEffect,
  useImperativeHandle,
  useRef,
  useState,
} from "react";
import { AlertIcon, ArrowUpIcon, PaperclipIcon, StopIcon } from "@/components/icons";
import { IMAGE_ACCEPT } from "@/features/chat/attachments";
import { draftOf, keepDraft } from "@/features/chat/drafts";
import { ImageTile } from "@/features/chat/image-tile";
import type { PreparedImage } from "@/features/chat/prepare-image";
import { type PendingImage, usePendingImages } from "@/features/chat/use-pending-images";
import { isComposing } from "@/lib/composing";
import { ARIA_KEYS } from "@/lib/shortcuts";
import { useFittedHeight } from "@/lib/use-fitted-height";

export interface ComposerHandle {
  focus: () => void;
  setText: (text: string) => void;
  /** Puts back what a failed send took: its text, and its images before any added since. */
  restore: (text: string, images: readonly PreparedImage[]) => void;
}

interface ComposerProps {
  ref?: Ref<ComposerHandle>;
  /** An answer is being written: sending waits, the button stops it. */
  busy: boolean;
  stopping?: boolean;
  /** Sending is impossible for now (e.g. the conversation is loading). */
  disabled?: boolean;
  /** `images` pass to the caller, previews and all (see `revokePreviews`). */
  onSend: (text: string, images: readonly PreparedImage[]) => void;
  onStop: () => void;
  placeholder?: string;
  autoFocus?: boolean;
  /** Whose unsent text the box keeps, to show again when it comes back: a conversation's id,
   * or NEW_CHAT_DRAFT for the page that starts one. */
  draftKey?: string;
  /** The name of the model the message goes to, when that model is known not to read images:
   * a message with images cannot be sent to it. */
  imagesUnreadableBy?: string | null;
  /** The chat already holds images: every message sends them again, so a model that reads
   * none can answer nothing in it. */
  chatHasImages?: boolean;
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
  imagesUnreadableBy = null,
  chatHasImages = false,
}: ComposerProps) {
  const [text, setText] = useState(() => (draftKey ? draftOf(draftKey) : ""));
  const area = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const pending = usePendingImages();
  const [dropping, setDropping] = useState(false);

  useEffect(() => {
    if (draftKey) keepDraft(draftKey, text);
  }, [draftKey, text]);

  // A draft found again is carried on from its end.
  useEffect(() => {
    const node = area.current;
    if (node?.value) node.setSelectionRange(node.value.length, node.value.length);
  }, []);

  // A file dropped beside the box would open in the tab, in place of the chat.
  useEffect(() => {
    const refuse = (event: globalThis.DragEvent) => {
      if (event.defaultPrevented || !carriesFiles(event.dataTransfer)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = "none";
    };
    window.addEventListener("dragover", refuse);
    window.addEventListener("drop", refuse);
    return () => {
      window.removeEventListener("dragover", refuse);
      window.removeEventListener("drop", refuse);
    };
  }, []);

  const putText = (value: string) => {
    setText(value);
    requestAnimationFrame(() => {
      const node = area.current;
      if (!node) return;
      node.focus();
      node.setSelectionRange(value.length, value.length);
    });
  };

  useImperativeHandle(ref, () => ({
    focus: () => area.current?.focus(),
    setText: putText,
    restore: (value, images) => {
      putText(value);
      pending.restore(images);
    },
  }));

  useFittedHeight(area, text, MAX_HEIGHT_PX);

  const hasImages = pending.images.length > 0;
  const unreadable = (hasImages || chatHasImages) && imagesUnreadableBy !== null;
  const canSend =
    (text.trim().length > 0 || hasImages) &&
    !pending.preparing &&
    !unreadable &&
    !busy &&
    !disabled;

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (!canSend) return;
    const value = text;
    setText("");
    onSend(value, pending.take());
  };

  const onDragOver = (event: DragEvent) => {
    if (!carriesFiles(event.dataTransfer)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    setDropping(true);
  };

  return (
    <form
      className="composer"
      data-dropping={dropping || undefined}
      onSubmit={submit}
      onDragEnter={onDragOver}
      onDragOver={onDragOver}
      onDragLeave={(event) => {
        // Leaving for one of its own children is no leaving.
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDropping(false);
      }}
      onDrop={(event) => {
        if (!carriesFiles(event.dataTransfer)) return;
        event.preventDefault();
        setDropping(false);
        pending.add(Array.from(event.dataTransfer.files));
      }}
    >
      {hasImages && (
        <PendingImages
          images={pending.images}
          onRemove={(key) => {
            pending.remove(key);
            area.current?.focus(); // the button that had the focus is gone
          }}
        />
      )}
      {unreadable && (
        <p className="composer__notice" role="status">
          <AlertIcon size={15} />
          {imagesUnreadableBy} can't read {hasImages ? "images" : "the images in this chat"} — pick
          one that can.
        </p>
      )}
      <div className="composer__row">
        <button
          type="button"
          className="icon-button composer__attach"
          aria-label="Attach images"
          title="Attach images"
          onClick={() => picker.current?.click()}
        >
          <PaperclipIcon size={19} />
        </button>
        <input
          ref={picker}
          type="file"
          accept={IMAGE_ACCEPT}
          multiple
          hidden
          data-testid="attach-input"
          onChange={(event) => {
            pending.add(Array.from(event.currentTarget.files ?? []));
            event.currentTarget.value = ""; // the same file again is a new choice
          }}
        />
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
          onPaste={(event) => {
            const data = event.clipboardData;
            const files = Array.from(data.files);
            // Text wins: a copy from a spreadsheet or a document carries a picture of it too.
            if (files.length === 0 || data.types.includes("text/plain")) return;
            event.preventDefault();
            pending.add(files);
          }}
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
      </div>
      {dropping && (
        <div className="composer__drop" aria-hidden="true">
          Drop images to attach them
        </div>
      )}
    </form>
  );
});

/** Whether a drag carries files (not text or a link dragged from the page). */
function carriesFiles(data: DataTransfer | null): data is DataTransfer {
  return data?.types.includes("Files") ?? false;
}

/** The images waiting to be sent, each with its remove button; a spinner while one is read. */
function PendingImages({
  images,
  onRemove,
}: {
  images: readonly PendingImage[];
  onRemove: (key: string) => void;
}) {
  return (
    <ul className="composer__images" aria-label="Images to send">
      {images.map((image) => (
        <ImageTile
          key={image.key}
          name={image.name}
          src={image.ready?.previewUrl}
          onRemove={() => onRemove(image.key)}
        />
      ))}
    </ul>
  );
}
