/**
 * The rules for images sent with a message, as pure functions: which files are images the
 * server takes (by their bytes, not their name), how many fit, when one is shrunk first, and
 * the base64 the request carries.
 */
import type { ImageMediaType } from "@/api/types";

export const IMAGE_TYPES: readonly ImageMediaType[] = [
  "image/png",
  "image/jpeg",
  "image/webp",
  "image/gif",
];
/** What the file picker offers. */
export const IMAGE_ACCEPT = IMAGE_TYPES.join(",");

export const MAX_ATTACHMENTS = 4;
const MIB = 1024 * 1024;
/** The server's limit for one image. */
export const MAX_IMAGE_BYTES = 5 * MIB;
// The server's limit for a message's request is set so that four images at their limit fit.
/** Larger images are redrawn smaller: upstream providers take less than the server does. */
export const SHRINK_ABOVE_BYTES = 1.5 * MIB;
export const MAX_SIDE_PX = 2048;
/** Bigger files are not even decoded (a photo this big is not one a phone or camera makes). */
export const MAX_SOURCE_BYTES = 50 * MIB;
const MAX_NAME_CHARS = 255;

/** An image that cannot be sent, with the reason as the person reads it. */
export class ImageProblem extends Error {}

/** The image format of a file's first bytes (at least 12), or null when it is none of the four. */
export function sniffImageType(head: Uint8Array): ImageMediaType | null {
  const starts = (bytes: readonly number[], at = 0) =>
    head.length >= at + bytes.length && bytes.every((byte, i) => head[at + i] === byte);
  const ascii = (text: string) => Array.from(text, (c) => c.charCodeAt(0));
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (starts([0xff, 0xd8, 0xff])) return "image/jpeg";
  if (starts(ascii("GIF87a")) || starts(ascii("GIF89a"))) return "image/gif";
  if (starts(ascii("RIFF")) && starts(ascii("WEBP"), 8)) return "image/webp";
  return null;
}

/**
 * Whether a file may be an image worth reading: its type as the browser names it (from its
 * name) is one of the four, or unknown (the bytes decide).
 */
export function mayBeImage(file: { type: string }): boolean {
  return file.type === "" || (IMAGE_TYPES as readonly string[]).includes(file.type);
}

/** What to do with a decoded image before it is sent. */
export type SizePlan =
  | { action: "keep" }
  | { action: "shrink"; width: number; height: number }
  | { action: "refuse"; reason: string };

/**
 * Keep an image that is small enough; redraw a big one at most MAX_SIDE_PX on its longer
 * side; refuse a GIF too big to send (redrawn, it would lose its animation).
 */
export function sizePlan(image: {
  name: string;
  type: ImageMediaType;
  bytes: number;
  width: number;
  height: number;
}): SizePlan {
  const longer = Math.max(image.width, image.height);
  if (image.type === "image/gif") {
    return image.bytes > MAX_IMAGE_BYTES
      ? { action: "refuse", reason: `${image.name} is a GIF over ${megabytes(MAX_IMAGE_BYTES)}.` }
      : { action: "keep" };
  }
  if (longer <= MAX_SIDE_PX && image.bytes <= SHRINK_ABOVE_BYTES) return { action: "keep" };
  return { action: "shrink", ...fitted(image.width, image.height, MAX_SIDE_PX) };
}

/** The size of an image scaled down (never up) to at most `side` pixels on its longer side. */
export function fitted(width: number, height: number, side: number) {
  const scale = Math.min(1, side / Math.max(width, height, 1));
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/**
 * The redraws to try, best first, until one is under SHRINK_ABOVE_BYTES: the planned size at
 * a good quality, then lower qualities and sizes (a detailed photo can stay big at 2048 px).
 */
export function shrinkSteps(width: number, height: number) {
  return [
    { ...fitted(width, height, MAX_SIDE_PX), quality: 0.85 },
    { ...fitted(width, height, MAX_SIDE_PX), quality: 0.7 },
    { ...fitted(width, height, 1536), quality: 0.7 },
    { ...fitted(width, height, 1024), quality: 0.7 },
  ];
}

/** Bytes in standard padded base64, in slices (one call per byte would overflow the stack). */
export function toBase64(bytes: Uint8Array): string {
  const SLICE = 0x8000;
  const parts: string[] = [];
  for (let at = 0; at < bytes.length; at += SLICE) {
    parts.push(String.fromCharCode(...bytes.subarray(at, at + SLICE)));
  }
  return btoa(parts.join(""));
}

const EXTENSIONS: Record<ImageMediaType, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/webp": "webp",
  "image/gif": "gif",
};

const IMAGE_ENDINGS = new Set([
  ...Object.values(EXTENSIONS),
  ...["jpeg", "jfif", "bmp", "tif", "tiff", "heic", "heif", "avif"],
]);

/**
 * A name the server takes (1–255 characters, no control characters), ending as its format
 * does: a redrawn `photo.png` becomes `photo.jpg`, a pasted image with no name `image.png`.
 */
export function imageName(name: string, type: ImageMediaType): string {
  const extension = EXTENSIONS[type];
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
  const clean = name.replace(/[\u0000-\u001f\u007f-\u009f]/g, "").trim();
  const dot = clean.lastIndexOf(".");
  const current = dot > 0 ? clean.slice(dot + 1).toLowerCase() : "";
  // Another format's ending is replaced; any other ending is part of the name.
  const stem = (IMAGE_ENDINGS.has(current) ? clean.slice(0, dot) : clean) || "image";
  const same = current === extension || (type === "image/jpeg" && current === "jpeg");
  const ending = same ? clean.slice(dot) : `.${extension}`;
  // Cut by characters, not UTF-16 units, so no character is cut in half.
  return Array.from(stem)
    .slice(0, MAX_NAME_CHARS - ending.length)
    .join("")
    .concat(ending);
}

/** "5 MB" for 5 MiB, as people read file sizes. */
export function megabytes(bytes: number): string {
  const value = bytes / MIB;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} MB`;
}
