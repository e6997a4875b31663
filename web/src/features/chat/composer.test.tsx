import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { createRef } from "react";
import { describe, expect, it, vi } from "vitest";
import { Toaster } from "@/components/toast";
import { Composer, type ComposerHandle } from "@/features/chat/composer";
import { type PreparedImage, prepareImage, revokePreviews } from "@/features/chat/prepare-image";

// Reading and shrinking needs a real browser (see e2e): here each file is ready as it is.
vi.mock("@/features/chat/prepare-image", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/features/chat/prepare-image")>()),
  prepareImage: vi.fn(async (file: File) => ({
    name: file.name,
    media_type: "image/png",
    data: "iVBORw0KGgo=",
    size: file.size,
    previewUrl: `blob:${file.name}`,
  })),
  revokePreviews: vi.fn(),
}));

const png = (name: string) => new File([new Uint8Array(8)], name, { type: "image/png" });

function attach(...files: File[]) {
  fireEvent.change(screen.getByTestId("attach-input"), { target: { files } });
}

function showComposer(props: Partial<Parameters<typeof Composer>[0]> = {}) {
  const onSend = vi.fn();
  const ref = createRef<ComposerHandle>();
  render(
    <>
      <Composer ref={ref} busy={false} onSend={onSend} onStop={() => undefined} {...props} />
      <Toaster />
    </>,
  );
  const send = screen.getByRole("button", { name: "Send message" }) as HTMLButtonElement;
  return { onSend, ref, send };
}

describe("Composer", () => {
  it("sends on Enter and keeps Shift+Enter for new lines", () => {
    const onSend = vi.fn();
    render(<Composer busy={false} onSend={onSend} onStop={() => undefined} />);
    const box = screen.getByRole("textbox", { name: "Message" });
    fireEvent.change(box, { target: { value: "Hello" } });
    fireEvent.keyDown(box, { key: "Enter", shiftKey: true });
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.keyDown(box, { key: "Enter" });
    expect(onSend).toHaveBeenCalledWith("Hello", []);
    expect((box as HTMLTextAreaElement).value).toBe("");
  });

  it("does not send blank text", () => {
    const onSend = vi.fn();
    render(<Composer busy={false} onSend={onSend} onStop={() => undefined} />);
    const box = screen.getByRole("textbox", { name: "Message" });
    fireEvent.change(box, { target: { value: "   " } });
    fireEvent.keyDown(box, { key: "Enter" });
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.getByRole("button", { name: "Send message" })).toHaveProperty("disabled", true);
  });

  it("offers Stop instead of Send while an answer is written", () => {
    const onStop = vi.fn();
    const onSend = vi.fn();
    render(<Composer busy onSend={onSend} onStop={onStop} />);
    expect(screen.queryByRole("button", { name: "Send message" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Stop generating" }));
    expect(onStop).toHaveBeenCalled();
    const box = screen.getByRole("textbox", { name: "Message" });
    fireEvent.change(box, { target: { value: "next" } });
    fireEvent.keyDown(box, { key: "Enter" });
    expect(onSend).not.toHaveBeenCalled();
  });
});

describe("Composer: drafts and direction", () => {
  it("keeps each conversation's unsent text until it is sent", () => {
    const onSend = vi.fn();
    const box = () => screen.getByRole("textbox", { name: "Message" }) as HTMLTextAreaElement;
    const shown = (id: string) =>
      render(<Composer busy={false} onSend={onSend} onStop={() => undefined} draftKey={id} />);

    const first = shown("c1");
    fireEvent.change(box(), { target: { value: "Half a thought" } });
    first.unmount();
    const second = shown("c2");
    expect(box().value).toBe("");
    second.unmount();

    shown("c1");
    expect(box().value).toBe("Half a thought");
    fireEvent.keyDown(box(), { key: "Enter" });
    expect(onSend).toHaveBeenCalledWith("Half a thought", []);
    cleanup();
    shown("c1");
    expect(box().value).toBe("");
  });

  it("takes its direction from the text typed in it", () => {
    render(<Composer busy={false} onSend={() => undefined} onStop={() => undefined} />);
    expect(screen.getByRole("textbox", { name: "Message" }).getAttribute("dir")).toBe("auto");
  });
});

describe("Composer: images", () => {
  it("attaches images from the file picker and shows them until removed", async () => {
    showComposer();
    const input = screen.getByTestId("attach-input") as HTMLInputElement;
    expect(input.accept).toBe("image/png,image/jpeg,image/webp,image/gif");
    expect(input.multiple).toBe(true);
    expect(screen.getByRole("button", { name: "Attach images" })).toBeTruthy();

    attach(png("cat.png"), png("dog.png"));
    const list = await screen.findByRole("list", { name: "Images to send" });
    expect(
      within(list)
        .getAllByRole("img")
        .map((image) => [image.getAttribute("alt"), image.getAttribute("src")]),
    ).toEqual([
      ["cat.png", "blob:cat.png"],
      ["dog.png", "blob:dog.png"],
    ]);

    fireEvent.click(screen.getByRole("button", { name: "Remove cat.png" }));
    expect(
      within(list)
        .getAllByRole("img")
        .map((image) => image.getAttribute("alt")),
    ).toEqual(["dog.png"]);
    expect(revokePreviews).toHaveBeenCalledWith([expect.objectContaining({ name: "cat.png" })]);
  });

  it("sends images without text, handing them over, and empties the list", async () => {
    const { onSend, send } = showComposer();
    expect(send.disabled).toBe(true);
    attach(png("chart.png"));
    await screen.findByRole("img", { name: "chart.png" });
    expect(send.disabled).toBe(false);
    fireEvent.click(send);
    const images: PreparedImage[] = onSend.mock.calls[0][1];
    expect(onSend).toHaveBeenCalledWith("", [expect.objectContaining({ name: "chart.png" })]);
    expect(images[0].data).toBe("iVBORw0KGgo=");
    expect(screen.queryByRole("list", { name: "Images to send" })).toBeNull();
  });

  it("waits for an image still being read", async () => {
    let finish: (image: PreparedImage) => void = () => undefined;
    vi.mocked(prepareImage).mockImplementationOnce(
      () => new Promise((resolve) => (finish = resolve)),
    );
    const { send } = showComposer();
    fireEvent.change(screen.getByRole("textbox", { name: "Message" }), {
      target: { value: "Look" },
    });
    attach(png("big.png"));
    expect(screen.getByRole("img", { name: "Reading big.png" })).toBeTruthy();
    expect(send.disabled).toBe(true);
    await act(async () =>
      finish({
        name: "big.jpg",
        media_type: "image/jpeg",
        data: "",
        size: 1,
        previewUrl: "blob:big",
      }),
    );
    expect(screen.getByRole("img", { name: "big.png" })).toBeTruthy();
    expect(send.disabled).toBe(false);
  });

  it("says when the model can't read images, and sends nothing to it", async () => {
    const { onSend, send } = showComposer({ imagesUnreadableBy: "GPT-4o-mini Search Preview" });
    const box = screen.getByRole("textbox", { name: "Message" });
    fireEvent.change(box, { target: { value: "What is this?" } });
    expect(send.disabled).toBe(false);
    expect(screen.queryByText(/can't read images/)).toBeNull();

    attach(png("cat.png"));
    await screen.findByRole("img", { name: "cat.png" });
    expect(screen.getByText(/can't read images/).textContent).toBe(
      "GPT-4o-mini Search Preview can't read images — pick one that can.",
    );
    expect(send.disabled).toBe(true);
    fireEvent.keyDown(box, { key: "Enter" });
    expect(onSend).not.toHaveBeenCalled();

    fireEvent.click(screen.getByRole("button", { name: "Remove cat.png" }));
    expect(screen.queryByText(/can't read images/)).toBeNull();
    expect(send.disabled).toBe(false);
  });

  it("sends nothing to a model that can't read the images the chat already holds", () => {
    const { onSend, send } = showComposer({
      imagesUnreadableBy: "GPT-4o-mini Search Preview",
      chatHasImages: true,
    });
    const box = screen.getByRole("textbox", { name: "Message" });
    fireEvent.change(box, { target: { value: "And now?" } });
    expect(screen.getByText(/can't read the images in this chat/).textContent).toBe(
      "GPT-4o-mini Search Preview can't read the images in this chat — pick one that can.",
    );
    expect(send.disabled).toBe(true);
    fireEvent.keyDown(box, { key: "Enter" });
    expect(onSend).not.toHaveBeenCalled();
  });

  it("keeps to four images, and to images", async () => {
    showComposer();
    attach(png("1.png"), png("2.png"), png("3.png"), png("4.png"), png("5.png"));
    await screen.findByRole("img", { name: "4.png" });
    expect(screen.getAllByRole("button", { name: /^Remove/ })).toHaveLength(4);
    expect(screen.getByText("A message can carry up to 4 images.")).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "Remove 1.png" }));
    attach(new File(["%PDF"], "notes.pdf", { type: "application/pdf" }));
    expect(screen.getByText("notes.pdf is not an image (PNG, JPEG, WebP or GIF).")).toBeTruthy();
    expect(screen.getAllByRole("button", { name: /^Remove/ })).toHaveLength(3);
  });

  it("takes images pasted into the box or dropped on it", async () => {
    showComposer();
    const box = screen.getByRole("textbox", { name: "Message" });
    fireEvent.paste(box, { clipboardData: { files: [png("pasted.png")], types: ["Files"] } });
    await screen.findByRole("img", { name: "pasted.png" });

    const form = box.closest("form") as HTMLFormElement;
    const dataTransfer = { files: [png("dropped.png")], types: ["Files"], dropEffect: "none" };
    fireEvent.dragEnter(form, { dataTransfer });
    expect(form.dataset.dropping).toBe("true");
    fireEvent.drop(form, { dataTransfer });
    expect(form.dataset.dropping).toBeUndefined();
    await screen.findByRole("img", { name: "dropped.png" });
  });

  it("lets a paste with text be text (a spreadsheet's cells carry a picture too)", () => {
    showComposer();
    const box = screen.getByRole("textbox", { name: "Message" });
    fireEvent.paste(box, {
      clipboardData: { files: [png("cells.png")], types: ["text/plain", "Files"] },
    });
    expect(screen.queryByRole("list", { name: "Images to send" })).toBeNull();
  });

  it("gets back the text and images of a send that failed", async () => {
    const { ref } = showComposer();
    const image: PreparedImage = {
      name: "back.png",
      media_type: "image/png",
      data: "",
      size: 1,
      previewUrl: "blob:back",
    };
    act(() => ref.current?.restore("Try again", [image]));
    expect((screen.getByRole("textbox", { name: "Message" }) as HTMLTextAreaElement).value).toBe(
      "Try again",
    );
    expect(screen.getByRole("img", { name: "back.png" }).getAttribute("src")).toBe("blob:back");
  });
});
