/**
 * The images of a message the person wrote, above its text: thumbnails of a fixed size (so
 * nothing moves as they load), each opening the whole image in a dialog.
 */
import { useState } from "react";
import type { Attachment } from "@/api/types";
import { Dialog } from "@/components/dialog";

export function MessageImages({ images }: { images: readonly Attachment[] }) {
  const [open, setOpen] = useState<Attachment | null>(null);
  // One image is shown at its own shape; several as a grid of equal squares.
  const layout = images.length === 1 ? "single" : "grid";
  return (
    <>
      <ul className={`message-images message-images--${layout}`} aria-label="Images">
        {images.map((image) => (
          <li key={image.id} className="message-images__item">
            <button
              type="button"
              className="message-images__open"
              aria-label={`View ${image.name}`}
              title={image.name}
              onClick={() => setOpen(image)}
            >
              <Thumbnail image={image} />
            </button>
          </li>
        ))}
      </ul>
      {open && (
        <Dialog open title={open.name} onClose={() => setOpen(null)} className="image-viewer">
          <img className="image-viewer__image" src={open.url} alt={open.name} />
          <p className="image-viewer__links">
            <a href={open.url} target="_blank" rel="noopener noreferrer">
              Open in a new tab
            </a>
          </p>
        </Dialog>
      )}
    </>
  );
}

function Thumbnail({ image }: { image: Attachment }) {
  return (
    <img
      className="message-images__image"
      src={image.url}
      alt={image.name}
      loading="lazy"
      decoding="async"
    />
  );
}
