/**
 * A file picked, pasted or dropped, made ready to send: its format read from its bytes, a big
 * image redrawn smaller on a canvas, the bytes in base64, and a local preview.
 */
import type { Attachment, AttachmentUpload, ImageMediaType, SendMessageBody } from "@/api/types";
import {
  ImageProblem,
  imageName,
  MAX_IMAGE_BYTES,
  MAX_SOURCE_BYTES,
  mayBeImage,
  megabytes,
  SHRINK_ABOVE_BYTES,
  shrinkSteps,
  sizePlan,
  sniffImageType,
  toBase64,
} from "@/features/chat/attachments";

export interface PreparedImage {
  name: string;
  media_type: ImageMediaType;
  /** The bytes in base64. */
  data: string;
  size: number;
  /** An object URL of the bytes, shown until the server's copy takes its place: whoever
   * holds the image last revokes it (`revokePreviews`). */
  previewUrl: string;
}

const NOT_AN_IMAGE = "is not a PNG, JPEG, WebP or GIF image.";

/** Reads and, when it is big, shrinks an image; an ImageProblem says why one cannot be sent. */
export async function prepareImage(file: File): Promise<PreparedImage> {
  const label = file.name || "The pasted image";
  if (!mayBeImage(file)) throw new ImageProblem(`${label} ${NOT_AN_IMAGE}`);
  if (file.size > MAX_SOURCE_BYTES)
    throw new ImageProblem(`${label} is too big (over ${megabytes(MAX_SOURCE_BYTES)}).`);
  const type = sniffImageType(await bytesOf(file.slice(0, 16)));
  if (!type) throw new ImageProblem(`${label} ${NOT_AN_IMAGE}`);

  let blob: Blob = new Blob([file], { type });
  if (type === "image/gif") {
    const plan = sizePlan({ name: label, type, bytes: file.size, width: 0, height: 0 });
    if (plan.action === "refuse") throw new ImageProblem(plan.reason);
  } else {
    const bitmap = await decode(file, label);
    try {
      const plan = sizePlan({
        name: label,
        type,
        bytes: file.size,
        width: bitmap.width,
        height: bitmap.height,
      });
      if (plan.action === "shrink") blob = await redraw(bitmap, type);
    } finally {
      bitmap.close();
    }
  }
  if (blob.size > MAX_IMAGE_BYTES)
    throw new ImageProblem(`${label} is too big, even made smaller.`);
  const media = blob.type as ImageMediaType;
  return {
    name: imageName(file.name, media),
    media_type: media,
    data: toBase64(await bytesOf(blob)),
    size: blob.size,
    previewUrl: URL.createObjectURL(blob),
  };
}

/** A blob's bytes; through a FileReader where Blob.arrayBuffer is missing (Safari before 14). */
function bytesOf(blob: Blob): Promise<Uint8Array> {
  if (typeof blob.arrayBuffer === "function")
    return blob.arrayBuffer().then((buffer) => new Uint8Array(buffer));
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error);
    reader.readAsArrayBuffer(blob);
  });
}

async function decode(file: Blob, label: string): Promise<ImageBitmap> {
  try {
    return await createImageBitmap(file);
  } catch {
    throw new ImageProblem(`${label} could not be read as an image.`);
  }
}

/**
 * The image redrawn at most MAX_SIDE_PX on its longer side: JPEG for a photo; WebP, which
 * keeps transparency, for the others (JPEG on white where the browser cannot write WebP).
 * Smaller sizes and qualities are tried until it is under SHRINK_ABOVE_BYTES.
 */
async function redraw(bitmap: ImageBitmap, source: ImageMediaType): Promise<Blob> {
  const type = source === "image/jpeg" ? "image/jpeg" : "image/webp";
  let smallest: Blob | null = null;
  for (const step of shrinkSteps(bitmap.width, bitmap.height)) {
    const blob = await encode(bitmap, step, type);
    if (!smallest || blob.size < smallest.size) smallest = blob;
    if (blob.size <= SHRINK_ABOVE_BYTES) break;
  }
  if (!smallest) throw new ImageProblem("The image could not be made smaller.");
  return smallest;
}

async function encode(
  bitmap: ImageBitmap,
  step: { width: number; height: number; quality: number },
  type: "image/jpeg" | "image/webp",
): Promise<Blob> {
  const canvas = document.createElement("canvas");
  canvas.width = step.width;
  canvas.height = step.height;
  const context = canvas.getContext("2d");
  if (!context) throw new ImageProblem("This browser cannot resize images.");
  if (type === "image/jpeg") {
    context.fillStyle = "#fff"; // JPEG has no transparency: what was clear turns white, not black
    context.fillRect(0, 0, step.width, step.height);
  }
  context.imageSmoothingQuality = "high";
  context.drawImage(bitmap, 0, 0, step.width, step.height);
  const blob = await new Promise<Blob | null>((resolve) =>
    canvas.toBlob(resolve, type, step.quality),
  );
  if (!blob) throw new ImageProblem("The image could not be made smaller.");
  // A browser that cannot write WebP writes PNG instead, which is no smaller.
  if (type === "image/webp" && blob.type !== type) return encode(bitmap, step, "image/jpeg");
  return blob;
}

/** The `attachments` of a posted message: the images as the request carries them (none:
 * no field). */
export function attachmentsOf(
  images: readonly PreparedImage[],
): Pick<SendMessageBody, "attachments"> {
  if (images.length === 0) return {};
  return {
    attachments: images.map(
      ({ name, media_type, data }): AttachmentUpload => ({ name, media_type, data }),
    ),
  };
}

/** The image as the page's own copy of a message shows it until the server's copy arrives. */
export function localAttachment(image: PreparedImage, index: number): Attachment {
  return {
    id: `local-${index}`,
    name: image.name,
    media_type: image.media_type,
    size: image.size,
    url: image.previewUrl,
  };
}

export function revokePreviews(images: readonly PreparedImage[]): void {
  for (const image of images) URL.revokeObjectURL(image.previewUrl);
}
