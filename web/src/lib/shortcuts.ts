/**
 * The app's keyboard shortcuts, as the best-known chat apps have them: Ctrl+Shift+O (⌘⇧O on a
 * Mac) starts a new chat, Ctrl+K (⌘K) searches the chats, Shift+Esc goes to the message box.
 */
import { useEffect, useRef } from "react";

export type Shortcut = "newChat" | "searchChats" | "typeMessage";

const MAC = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.userAgent);

const LABELS: Record<Shortcut, string> = MAC
  ? { newChat: "⌘⇧O", searchChats: "⌘K", typeMessage: "⇧Esc" }
  : { newChat: "Ctrl+Shift+O", searchChats: "Ctrl+K", typeMessage: "Shift+Esc" };

/** How the shortcut is typed on this computer, for tooltips. */
export function shortcutLabel(shortcut: Shortcut): string {
  return LABELS[shortcut];
}

/** The shortcut a key press is, if any. */
export function shortcutOf(
  event: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "shiftKey" | "altKey" | "isComposing">,
): Shortcut | null {
  if (event.altKey || event.isComposing) return null;
  const command = event.ctrlKey || event.metaKey;
  const key = event.key.toLowerCase();
  if (command && event.shiftKey && key === "o") return "newChat";
  if (command && !event.shiftKey && key === "k") return "searchChats";
  if (!command && event.shiftKey && key === "escape") return "typeMessage";
  return null;
}

/** Runs the action of each shortcut typed anywhere on the page. */
export function useShortcuts(actions: Record<Shortcut, () => void>): void {
  const latest = useRef(actions);
  latest.current = actions;
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const shortcut = shortcutOf(event);
      if (!shortcut) return;
      event.preventDefault(); // the browser's own (bookmarks, its search box) give way
      latest.current[shortcut]();
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);
}
