import { describe, expect, it } from "vitest";
import {
  fitted,
  imageName,
  MAX_IMAGE_BYTES,
  mayBeImage,
  megabytes,
  shrinkSteps,
  sizePlan,
  sniffImageType,
  toBase64,
} from "@/features/chat/attachments";

const MIB = 1024 * 1024;
const bytes = (...values: (number | string)[]) =>
  new Uint8Array(
    values.flatMap((value) =>
      typeof value === "string" ? Array.from(value, (c) => c.charCodeAt(0)) : [value],
    ),
  );

describe("sniffImageType", () => {
  it("knows the four formats by their first bytes", () => {
    expect(sniffImageType(bytes(0x89, "PNG\r\n\x1a\n", 0, 0, 0, 13))).toBe("image/png");
    expect(sniffImageType(bytes(0xff, 0xd8, 0xff, 0xe0, 0, 16, "JFIF"))).toBe("image/jpeg");
    expect(sniffImageType(bytes("GIF89a", 1, 0, 1, 0))).toBe("image/gif");
    expect(sniffImageType(bytes("GIF87a", 1, 0, 1, 0))).toBe("image/gif");
    expect(sniffImageType(bytes("RIFF", 36, 0, 0, 0, "WEBPVP8 "))).toBe("image/webp");
  });

  it("takes nothing else, whatever its name says", () => {
    expect(sniffImageType(bytes("<svg xmlns="))).toBeNull();
    expect(sniffImageType(bytes("RIFF", 36, 0, 0, 0, "WAVEfmt "))).toBeNull();
    expect(sniffImageType(bytes(0x89, "PN"))).toBeNull();
    expect(sniffImageType(new Uint8Array())).toBeNull();
  });
});

describe("mayBeImage", () => {
  it("lets the four types through, and files of no known type for their bytes to decide", () => {
    expect(mayBeImage({ type: "image/webp" })).toBe(true);
    expect(mayBeImage({ type: "" })).toBe(true);
    expect(mayBeImage({ type: "image/svg+xml" })).toBe(false);
    expect(mayBeImage({ type: "application/pdf" })).toBe(false);
  });
});

describe("sizePlan", () => {
  const photo = { name: "a.jpg", type: "image/jpeg" as const, bytes: 800_000 };

  it("keeps an image within 2048 px and 1.5 MB as it is", () => {
    expect(sizePlan({ ...photo, width: 2048, height: 1536 })).toEqual({ action: "keep" });
  });

  it("redraws a bigger one at most 2048 px on its longer side", () => {
    expect(sizePlan({ ...photo, width: 4032, height: 3024 })).toEqual({
      action: "shrink",
      width: 2048,
      height: 1536,
    });
    expect(sizePlan({ ...photo, width: 3000, height: 6000 })).toEqual({
      action: "shrink",
      width: 1024,
      height: 2048,
    });
    // Heavy but small enough: redrawn at its own size, to encode it smaller.
    expect(sizePlan({ ...photo, bytes: 2 * MIB, width: 1200, height: 900 })).toEqual({
      action: "shrink",
      width: 1200,
      height: 900,
    });
  });

  it("never redraws a GIF (its animation would be lost), and refuses one too big", () => {
    const gif = { name: "dance.gif", type: "image/gif" as const, width: 4000, height: 4000 };
    expect(sizePlan({ ...gif, bytes: 3 * MIB })).toEqual({ action: "keep" });
    expect(sizePlan({ ...gif, bytes: MAX_IMAGE_BYTES + 1 })).toEqual({
      action: "refuse",
      reason: "dance.gif is a GIF over 5 MB.",
    });
  });
});

describe("fitted and shrinkSteps", () => {
  it("scale down only, keeping the shape and at least a pixel", () => {
    expect(fitted(800, 600, 2048)).toEqual({ width: 800, height: 600 });
    expect(fitted(10000, 10, 2048)).toEqual({ width: 2048, height: 2 });
    expect(fitted(100000, 1, 2048)).toEqual({ width: 2048, height: 1 });
  });

  it("try smaller qualities and sizes in turn", () => {
    const steps = shrinkSteps(4000, 3000);
    expect(steps[0]).toEqual({ width: 2048, height: 1536, quality: 0.85 });
    expect(steps.at(-1)).toEqual({ width: 1024, height: 768, quality: 0.7 });
    const areas = steps.map((step) => step.width * step.height * step.quality);
    expect([...areas].sort((a, b) => b - a)).toEqual(areas);
  });
});

describe("toBase64", () => {
  it("writes standard padded base64", () => {
    expect(toBase64(new Uint8Array())).toBe("");
    expect(toBase64(bytes("f"))).toBe("Zg==");
    expect(toBase64(bytes("fo"))).toBe("Zm8=");
    expect(toBase64(bytes(0xfb, 0xff, 0xbf))).toBe("+/+/");
  });

  it("handles several megabytes without overflowing the stack", () => {
    const big = new Uint8Array(3 * MIB + 1);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff;
    expect(toBase64(big)).toBe(Buffer.from(big).toString("base64"));
  });
});

describe("imageName", () => {
  it("keeps a name that says its format, and renames one that does not", () => {
    expect(imageName("cat.jpg", "image/jpeg")).toBe("cat.jpg");
    expect(imageName("cat.JPEG", "image/jpeg")).toBe("cat.JPEG");
    expect(imageName("screenshot.png", "image/webp")).toBe("screenshot.webp");
    expect(imageName("holiday.photo", "image/jpeg")).toBe("holiday.photo.jpg");
  });

  it("gives a pasted image a name, and takes out control characters", () => {
    expect(imageName("", "image/png")).toBe("image.png");
    expect(imageName("  ", "image/png")).toBe("image.png");
    expect(imageName("a\u0000b\nc.gif", "image/gif")).toBe("abc.gif");
  });

  it("is at most 255 characters, none cut in half", () => {
    const long = imageName(`${"𠮷".repeat(300)}.png`, "image/png");
    expect(Array.from(long)).toHaveLength(255);
    expect(long.endsWith("𠮷.png")).toBe(true);
  });
});

describe("megabytes", () => {
  it("reads as people read file sizes", () => {
    expect(megabytes(5 * MIB)).toBe("5 MB");
    expect(megabytes(1.5 * MIB)).toBe("1.5 MB");
  });
});
