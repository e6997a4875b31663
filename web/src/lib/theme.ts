/** Light/dark theme: follows the system until a choice is made, then remembers it. */
import { readStored, writeStored } from "@/lib/local-store";

export type Theme = "light" | "dark";

const KEY = "openchat.theme";
const darkQuery = "(prefers-color-scheme: dark)";

export function storedTheme(): Theme | null {
  const value = readStored(KEY);
  return value === "light" || value === "dark" ? value : null;
}

export function systemTheme(): Theme {
  return window.matchMedia?.(darkQuery).matches ? "dark" : "light";
}

export function currentTheme(): Theme {
  return storedTheme() ?? systemTheme();
}

export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  document.documentElement.style.colorScheme = theme;
}

export function chooseTheme(theme: Theme): void {
  writeStored(KEY, theme);
  applyTheme(theme);
}

/** Applies the theme now and keeps following the system while no choice is stored. */
export function initTheme(): void {
  applyTheme(currentTheme());
  window.matchMedia?.(darkQuery).addEventListener("change", () => {
    if (storedTheme() === null) applyTheme(systemTheme());
  });
}
