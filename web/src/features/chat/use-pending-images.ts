/**
 * The images waiting in the message box: each is read (and shrunk) as it comes, within the
 * limits of one message; what cannot be sent is said in a toast.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { showToast } from "@/components/toast";
import { ImageProblem, MAX_ATTACHMENTS, mayBeImage } from "@/features/chat/attachments";
import { type PreparedImage, prepareImage, revokePreviews } from "@/features/chat/prepare-image";
import { randomId } from "@/lib/random-id";

export interface PendingImage {
  key: string;
  /** The file's name, as it came. */
  name: string;
  /** Null while it is being read. */
  ready: PreparedImage | null;
}

export function usePendingImages() {
  const [images, setImages] = useState<readonly PendingImage[]>([]);
  // The list as it is now, for reads after an await (a state copy may be stale by then).
  const list = useRef<readonly PendingImage[]>([]);
  const commit = useCallback((next: readonly PendingImage[]) => {
    list.current = next;
    setImages(next);
  }, []);

  const settle = useCallback(
    (key: string, outcome: PreparedImage | Error) => {
      if (!list.current.some((image) => image.key === key)) {
        // Removed (or the box closed) while it was read.
        if (!(outcome instanceof Error)) revokePreviews([outcome]);
        return;
      }
      const others = list.current.filter((image) => image.key !== key);
      if (outcome instanceof Error) {
        commit(others);
        showToast(
          outcome instanceof ImageProblem ? outcome.message : "An image could not be read.",
          "error",
        );
        return;
      }
      commit(
        list.current.map((image) => (image.key === key ? { ...image, ready: outcome } : image)),
      );
    },
    [commit],
  );

  /** Takes the files that are images, up to the limit, and starts reading them. */
  const add = useCallback(
    (files: readonly File[]) => {
      const images = files.filter(mayBeImage);
      if (images.length < files.length) {
        const other = files.find((file) => !mayBeImage(file));
        showToast(
          `${other?.name || "That file"} is not an image (PNG, JPEG, WebP or GIF).`,
          "error",
        );
      }
      const room = MAX_ATTACHMENTS - list.current.length;
      if (images.length > room)
        showToast(`A message can carry up to ${MAX_ATTACHMENTS} images.`, "error");
      const taken = images.slice(0, Math.max(0, room)).map((file) => ({
        file,
        image: { key: randomId(), name: file.name || "image", ready: null },
      }));
      if (taken.length === 0) return;
      commit([...list.current, ...taken.map(({ image }) => image)]);
      for (const { file, image } of taken) {
        prepareImage(file).then(
          (prepared) => settle(image.key, prepared),
          (error: unknown) => settle(image.key, error instanceof Error ? error : new Error()),
        );
      }
    },
    [commit, settle],
  );

  const remove = useCallback(
    (key: string) => {
      const image = list.current.find((item) => item.key === key);
      if (image?.ready) revokePreviews([image.ready]);
      commit(list.current.filter((item) => item.key !== key));
    },
    [commit],
  );

  /** Empties the list and hands its images (and their previews) to the caller. */
  const take = useCallback((): PreparedImage[] => {
    const ready = list.current.flatMap((image) => (image.ready ? [image.ready] : []));
    commit([]);
    return ready;
  }, [commit]);

  /** Puts images back (a send that failed), before any added meanwhile, within the limit. */
  const restore = useCallback(
    (prepared: readonly PreparedImage[]) => {
      const back = prepared.map((ready) => ({ key: randomId(), name: ready.name, ready }));
      const next = [...back, ...list.current];
      for (const image of next.slice(MAX_ATTACHMENTS))
        if (image.ready) revokePreviews([image.ready]);
      commit(next.slice(0, MAX_ATTACHMENTS));
    },
    [commit],
  );

  // Images left unsent when the box goes away.
  useEffect(
    () => () => {
      for (const image of list.current) if (image.ready) revokePreviews([image.ready]);
      list.current = [];
    },
    [],
  );

  const preparing = images.some((image) => image.ready === null);
  return { images, preparing, add, remove, take, restore };
}
