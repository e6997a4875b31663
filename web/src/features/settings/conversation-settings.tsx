/** The conversation's settings: a dialog to edit its system prompt, and to download the chat. */
import { type FormEvent, useEffect, useId, useState } from "react";
import { Dialog } from "@/components/dialog";
import { DownloadIcon, SlidersIcon } from "@/components/icons";
import { showToast } from "@/components/toast";

interface ChatDownload {
  busy: boolean;
  save: () => void;
}

interface ConversationSettingsProps {
  systemPrompt: string;
  /** Saves the prompt; the dialog closes when the promise resolves. */
  onSave: (systemPrompt: string) => Promise<unknown>;
  /** Saves the chat as a Markdown file (not while an answer is written); absent while empty. */
  download?: ChatDownload;
  disabled?: boolean;
}

export function ConversationSettings({
  systemPrompt,
  onSave,
  download,
  disabled,
}: ConversationSettingsProps) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        className="icon-button"
        aria-label="Conversation settings"
        title="Conversation settings"
        disabled={disabled}
        onClick={() => setOpen(true)}
      >
        <SlidersIcon />
      </button>
      <Dialog open={open} title="Conversation settings" onClose={() => setOpen(false)}>
        {open && (
          <SettingsForm
            initial={systemPrompt}
            download={download}
            onCancel={() => setOpen(false)}
            onSave={async (value) => {
              await onSave(value);
              setOpen(false);
            }}
          />
        )}
      </Dialog>
    </>
  );
}

function SettingsForm({
  initial,
  onSave,
  download,
  onCancel,
}: {
  initial: string;
  onSave: (value: string) => Promise<void>;
  download?: ChatDownload;
  onCancel: () => void;
}) {
  const [value, setValue] = useState(initial);
  const [saving, setSaving] = useState(false);
  const exportHint = useId();
  useEffect(() => setValue(initial), [initial]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    try {
      await onSave(value);
    } catch (error) {
      showToast(
        `Couldn't save: ${error instanceof Error ? error.message : "unknown error"}`,
        "error",
      );
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="settings-form" onSubmit={submit}>
      <label className="field">
        <span className="field__label">System prompt</span>
        <span className="field__hint">
          Instructions the model reads before every message of this chat.
        </span>
        <textarea
          aria-label="System prompt"
          className="field__textarea"
          rows={8}
          value={value}
          placeholder="You are a concise assistant who answers in plain English."
          onChange={(event) => setValue(event.target.value)}
        />
      </label>
      {download && (
        <div className="field">
          <span className="field__label">Export</span>
          <span className="field__hint" id={exportHint}>
            {download.busy
              ? "Available once the answer is finished."
              : "The chat as saved, in a Markdown file."}
          </span>
          <button
            type="button"
            className="button field__action"
            aria-describedby={exportHint}
            disabled={download.busy}
            onClick={download.save}
          >
            <DownloadIcon size={16} />
            Download as Markdown
          </button>
        </div>
      )}
      <div className="dialog__actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button button--primary" disabled={saving}>
          Save
        </button>
      </div>
    </form>
  );
}
