/**
 * The images of a message the person wrote, above its text: thumbnails of a fixed size (so
 * nothing moves as they load), each opening the whole image in a dialog.
 */
import { useState } from "react";
import type { Attachment } from "@/api/types";
import { Dialog } from "@/components/dialog";

export function MessageImages({ images }: { images: readonly Attachment[] }) {
  const [open, setOpen] = useState(false);
  // The image last opened: the dialog stays mounted, so closing it gives the focus back to
  // the button that opened it (the native <dialog> does so on close()).
  const [shown, setShown] = useState<Attachment>(images[0]);
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
              onClick={() => {
                setShown(image);
                setOpen(true);
              }}
            >
              <Thumbnail image={image} />
            </button>
          </li>
        ))}
      </ul>
      <Dialog
        open={open}
        title={shown.name}
        onClose={() => setOpen(false)}
        className="image-viewer"
      >
        <img className="image-viewer__image" src={shown.url} alt={shown.name} />
        <p className="image-viewer__links">
          <a href={shown.url} target="_blank" rel="noopener noreferrer">
            Open in a new tab
          </a>
        </p>
      </Dialog>
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
