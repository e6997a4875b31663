/** A small image waiting to go with a message (in the composer or an edit), with a button
 * that takes it out. Without `src` it is still being read, and shows a spinner. */
import { CloseIcon } from "@/components/icons";

export function ImageTile({
  name,
  src,
  onRemove,
}: {
  name: string;
  src?: string;
  onRemove: () => void;
}) {
  return (
    <li className="composer__image" aria-busy={src === undefined || undefined}>
      {src !== undefined ? (
        <img src={src} alt={name} />
      ) : (
        <span className="composer__image-reading" role="img" aria-label={`Reading ${name}`} />
      )}
      <button
        type="button"
        className="composer__image-remove"
        aria-label={`Remove ${name}`}
        title="Remove"
        onClick={onRemove}
      >
        <CloseIcon size={12} />
      </button>
    </li>
  );
}
