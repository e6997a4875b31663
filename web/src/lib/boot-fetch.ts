/** The early request public/boot.js may have started for the page's conversation. */

interface BootFetch {
  path: string;
  response: Promise<Response>;
}

declare global {
  interface Window {
    __openchatBoot?: BootFetch;
  }
}

/** The JSON of the early request for `path`, once; null when there is none (or it failed). */
export function takeBootJson<T>(path: string): Promise<T | null> | null {
  const boot = window.__openchatBoot;
  if (!boot || boot.path !== path) return null;
  window.__openchatBoot = undefined;
  return boot.response.then(
    (response) => (response.ok ? (response.json() as Promise<T>) : null),
    () => null,
  );
}
