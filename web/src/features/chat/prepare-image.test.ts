import { beforeEach, describe, expect, it, vi } from "vitest";
import { ImageProblem } from "@/features/chat/attachments";
import { attachmentsOf, localAttachment, prepareImage } from "@/features/chat/prepare-image";

// A 1×1 GIF: read as it is, with no decoding or redrawing (which jsdom cannot do).
const GIF = Uint8Array.from(atob("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"), (c) =>
  c.charCodeAt(0),
);

beforeEach(() => {
  URL.createObjectURL = vi.fn(() => "blob:preview");
  URL.revokeObjectURL = vi.fn();
});

describe("prepareImage", () => {
  it("sends a small GIF as it is, named for its format, with a preview", async () => {
    const image = await prepareImage(new File([GIF], "wave", { type: "" }));
    expect(image).toEqual({
      name: "wave.gif",
      media_type: "image/gif",
      data: "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7",
      size: GIF.length,
      previewUrl: "blob:preview",
    });
    expect(attachmentsOf([image])).toEqual({
      attachments: [{ name: "wave.gif", media_type: "image/gif", data: image.data }],
    });
    expect(attachmentsOf([])).toEqual({});
    expect(localAttachment(image, 0)).toMatchObject({ name: "wave.gif", url: "blob:preview" });
  });

  it("refuses a file whose bytes are no image, whatever it is called", async () => {
    const file = new File(["just text"], "notes.png", { type: "image/png" });
    await expect(prepareImage(file)).rejects.toEqual(
      new ImageProblem("notes.png is not a PNG, JPEG, WebP or GIF image."),
    );
    await expect(
      prepareImage(new File(["<svg/>"], "logo.svg", { type: "image/svg+xml" })),
    ).rejects.toBeInstanceOf(ImageProblem);
  });

  it("refuses a GIF over 5 MB, which cannot be made smaller", async () => {
    const big = new Uint8Array(5 * 1024 * 1024 + 1);
    big.set(GIF);
    await expect(prepareImage(new File([big], "dance.gif"))).rejects.toEqual(
      new ImageProblem("dance.gif is a GIF over 5 MB."),
    );
    expect(URL.createObjectURL).not.toHaveBeenCalled();
  });
});
