// Runs in the page before the app (plain JavaScript, passed to addInitScript as text).
// Records long tasks in window.__longTasks and, when window.__readyMarker is set, the
// time (performance.now(), from navigation start) at which the chat became usable: the
// composer is enabled and the last answer is rendered after the question that contains
// the marker.
(() => {
  window.__longTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        window.__longTasks.push({ start: entry.startTime, duration: entry.duration });
      }
    }).observe({ type: "longtask", buffered: true });
  } catch {
    // no long task timing in this browser
  }
  const marker = window.__readyMarker;
  if (!marker) return;
  const check = () => {
    if (window.__ready !== undefined) return;
    const box = document.querySelector('textarea[aria-label="Message"]');
    const all = document.querySelectorAll('[data-testid="message"]');
    const last = all[all.length - 1];
    const before = all[all.length - 2];
    const content = last?.querySelector('[data-testid="message-content"]');
    if (
      box &&
      !box.disabled &&
      last?.dataset.role === "assistant" &&
      (content?.textContent ?? "").length > 0 &&
      (before?.textContent ?? "").includes(marker)
    ) {
      window.__ready = performance.now();
      return;
    }
    requestAnimationFrame(check);
  };
  const start = () => {
    new MutationObserver(check).observe(document, { childList: true, subtree: true });
    requestAnimationFrame(check);
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
