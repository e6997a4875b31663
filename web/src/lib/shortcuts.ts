/**
 * The app's keyboard shortcuts: Ctrl+Shift+O (⌘⇧O on a Mac) starts a new chat, Ctrl+K (⌘K)
 * searches the chats, Shift+Esc goes to the message box.
 */
import { useEffect, useRef } from "react";
import { isComposing } from "@/lib/composing";

export type Shortcut = "newChat" | "searchChats" | "typeMessage";

type KeyPress = Pick<
  KeyboardEvent,
  | "key"
  | "code"
  | "ctrlKey"
  | "metaKey"
  | "shiftKey"
  | "altKey"
  | "isComposing"
  | "keyCode"
  | "repeat"
>;

const MAC = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.userAgent);

const LABELS: Record<Shortcut, string> = MAC
  ? { newChat: "⌘⇧O", searchChats: "⌘K", typeMessage: "⇧Esc" }
  : { newChat: "Ctrl+Shift+O", searchChats: "Ctrl+K", typeMessage: "Shift+Esc" };

/** For `aria-keyshortcuts`: the keys as that attribute names them. */
export const ARIA_KEYS: Record<Shortcut, string> = MAC
  ? { newChat: "Meta+Shift+O", searchChats: "Meta+K", typeMessage: "Shift+Escape" }
  : { newChat: "Control+Shift+O", searchChats: "Control+K", typeMessage: "Shift+Escape" };

/** How the shortcut is typed on this computer, for tooltips. */
export function shortcutLabel(shortcut: Shortcut): string {
  return LABELS[shortcut];
}

/**
 * The shortcut a key press is, if any. The command key is ⌘ on a Mac (where Ctrl+K deletes to
 * the end of the line) and Ctrl elsewhere; a layout without Latin letters is read by the key's
 * place. A held key's repeats are none (each would open another new chat).
 */
export function shortcutOf(event: KeyPress, mac = MAC): Shortcut | null {
  if (event.altKey || isComposing(event) || event.repeat) return null;
  const command = mac ? event.metaKey && !event.ctrlKey : event.ctrlKey && !event.metaKey;
  const key = /^[a-z]$/i.test(event.key)
    ? event.key.toLowerCase()
    : (LETTER_KEYS[event.code] ?? event.key.toLowerCase());
  if (command && event.shiftKey && key === "o") return "newChat";
  if (command && !event.shiftKey && key === "k") return "searchChats";
  if (!event.ctrlKey && !event.metaKey && event.shiftKey && key === "escape") return "typeMessage";
  return null;
}

const LETTER_KEYS: Record<string, string> = { KeyK: "k", KeyO: "o" };

/**
 * Runs the action of each shortcut typed on the page. Not while a modal dialog is open, nor in
 * the model picker, whose keys are its own.
 */
export function useShortcuts(actions: Record<Shortcut, () => void>): void {
  const latest = useRef(actions);
  latest.current = actions;
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const shortcut = shortcutOf(event);
      if (!shortcut || document.querySelector("dialog[open]")) return;
      if (event.target instanceof Element && event.target.closest(".model-panel")) return;
      event.preventDefault(); // the browser's own (bookmarks, its search box) give way
      latest.current[shortcut]();
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);
}
