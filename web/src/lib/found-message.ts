/**
 * A chat opened at one of its messages (a search's match) says which in its address:
 * `/c/<chat>#message-<id>`. The thread scrolls to it once, and the mark leaves the address.
 */
const PREFIX = "#message-";

export function foundMessageHash(messageId: string): string {
  return `${PREFIX}${encodeURIComponent(messageId)}`;
}

/** The message an address's hash names, or null. */
export function foundMessageId(hash: string): string | null {
  if (!hash.startsWith(PREFIX) || hash.length === PREFIX.length) return null;
  try {
    return decodeURIComponent(hash.slice(PREFIX.length));
  } catch {
    return null; // a hash typed by hand that is not valid percent-encoding
  }
}
