/**
 * The conversation's settings: a dialog to edit its system prompt and the temperature its
 * answers are sampled at, and to download the chat.
 */
import { type FormEvent, useEffect, useId, useState } from "react";
import type { Conversation, ConversationPatch } from "@/api/types";
import { Dialog } from "@/components/dialog";
import { DownloadIcon, SlidersIcon } from "@/components/icons";
import { showToast } from "@/components/toast";

interface ChatDownload {
  busy: boolean;
  save: () => void;
}

/** What the dialog edits; a null temperature leaves it to the model. */
export interface ChatSettings {
  systemPrompt: string;
  temperature: number | null;
}

/** OpenRouter's range, and where the slider starts when the model's default is left. */
const TEMPERATURE_MAX = 2;
const TEMPERATURE_START = 1;

export const NEW_CHAT_SETTINGS: ChatSettings = { systemPrompt: "", temperature: null };

/** What a save changes of a stored conversation, as a patch of the fields that differ. */
export function settingsPatch(
  saved: ChatSettings,
  next: ChatSettings,
): Pick<ConversationPatch, "system_prompt" | "temperature"> {
  return {
    ...(next.systemPrompt !== saved.systemPrompt ? { system_prompt: next.systemPrompt } : {}),
    ...(next.temperature !== saved.temperature ? { temperature: next.temperature } : {}),
  };
}

/** A stored conversation's settings (none yet while it loads). */
export function settingsOf(
  conversation: Pick<Conversation, "system_prompt" | "temperature"> | undefined,
): ChatSettings {
  return conversation
    ? { systemPrompt: conversation.system_prompt, temperature: conversation.temperature ?? null }
    : NEW_CHAT_SETTINGS;
}

interface ConversationSettingsProps {
  settings: ChatSettings;
  /** Saves the settings; the dialog closes when the promise resolves. */
  onSave: (settings: ChatSettings) => Promise<unknown>;
  /** Saves the chat as a Markdown file (not while an answer is written); absent while empty. */
  download?: ChatDownload;
  disabled?: boolean;
}

export function ConversationSettings({
  settings,
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
            initial={settings}
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
  initial: ChatSettings;
  onSave: (value: ChatSettings) => Promise<void>;
  download?: ChatDownload;
  onCancel: () => void;
}) {
  const [value, setValue] = useState(initial.systemPrompt);
  const [temperature, setTemperature] = useState(initial.temperature);
  const [saving, setSaving] = useState(false);
  const exportHint = useId();
  const temperatureHint = useId();
  // Saved elsewhere meanwhile (another tab): shown as saved. By value: a caller's object is new
  // on each render.
  useEffect(() => setValue(initial.systemPrompt), [initial.systemPrompt]);
  useEffect(() => setTemperature(initial.temperature), [initial.temperature]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    try {
      await onSave({ systemPrompt: value, temperature });
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
      <fieldset className="field field--plain">
        <legend className="field__label">Temperature</legend>
        <span className="field__hint" id={temperatureHint}>
          Lower answers are more focused and repeatable, higher ones more varied.
        </span>
        <label className="field__check">
          <input
            type="checkbox"
            checked={temperature === null}
            onChange={(event) => setTemperature(event.target.checked ? null : TEMPERATURE_START)}
          />
          The model's default
        </label>
        {temperature !== null && (
          <div className="field__range">
            <input
              type="range"
              aria-label="Temperature"
              aria-describedby={temperatureHint}
              min={0}
              max={TEMPERATURE_MAX}
              step={0.01}
              value={temperature}
              onChange={(event) => setTemperature(Number(event.target.value))}
            />
            {/* The slider says its value itself: this one is for the eye. */}
            <output className="field__range-value" aria-hidden="true">
              {String(Number(temperature.toFixed(2)))}
            </output>
          </div>
        )}
      </fieldset>
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
