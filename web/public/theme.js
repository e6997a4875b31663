// Applies the remembered theme before the first paint, so a reload never flashes the other one.
(() => {
  try {
    const stored = localStorage.getItem("openchat.theme");
    const dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
    const theme = stored === "light" || stored === "dark" ? stored : dark ? "dark" : "light";
    document.documentElement.dataset.theme = theme;
    document.documentElement.style.colorScheme = theme;
  } catch {
    // Storage may be blocked; the stylesheet's defaults apply.
  }
})();
