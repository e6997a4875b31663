// Runs before the app's module loads: applies the remembered theme before the first paint
// (so a reload never flashes the other one), and on a /c/{id} address starts fetching that
// conversation at once; the app picks the response up instead of asking again.
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
  try {
    const match = /^\/c\/([^/?#]+)\/?$/.exec(window.location.pathname);
    if (match) {
      // With every answer version, as the app asks for it (see conversationPath).
      const path = `/conversations/${match[1]}?versions=all`;
      window.__openchatBoot = {
        path,
        response: fetch(path, { headers: { Accept: "application/json" } }),
      };
    }
  } catch {
    // The app fetches it itself.
  }
})();
