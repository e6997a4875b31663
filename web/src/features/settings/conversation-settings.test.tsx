import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import {
  ConversationSettings,
  settingsOf,
  settingsPatch,
} from "@/features/settings/conversation-settings";

function open(temperature: number | null) {
  const onSave = vi.fn(async () => undefined);
  render(
    <ConversationSettings settings={{ systemPrompt: "Be brief.", temperature }} onSave={onSave} />,
  );
  fireEvent.click(screen.getByRole("button", { name: "Conversation settings" }));
  return onSave;
}

describe("ConversationSettings", () => {
  it("sets a temperature, or leaves it to the model", async () => {
    const onSave = open(null);
    const byDefault = screen.getByRole("checkbox", { name: "The model's default" });
    expect((byDefault as HTMLInputElement).checked).toBe(true);
    expect(screen.queryByRole("slider", { name: "Temperature" })).toBeNull();

    fireEvent.click(byDefault);
    const slider = screen.getByRole("slider", { name: "Temperature" }) as HTMLInputElement;
    expect(slider.value).toBe("1");
    fireEvent.change(slider, { target: { value: "0.3" } });
    expect(screen.getByText("0.3")).toBeTruthy();
    fireEvent.change(slider, { target: { value: "0.35" } });
    expect(screen.getByText("0.35")).toBeTruthy();
    fireEvent.change(slider, { target: { value: "0.3" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() =>
      expect(onSave).toHaveBeenCalledWith({ systemPrompt: "Be brief.", temperature: 0.3 }),
    );
  });

  it("gives a set temperature back to the model", async () => {
    const onSave = open(0.7);
    expect((screen.getByRole("slider", { name: "Temperature" }) as HTMLInputElement).value).toBe(
      "0.7",
    );
    fireEvent.click(screen.getByRole("checkbox", { name: "The model's default" }));
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() =>
      expect(onSave).toHaveBeenCalledWith({ systemPrompt: "Be brief.", temperature: null }),
    );
  });

  it("reads a stored chat's settings, a missing temperature as the model's", () => {
    expect(settingsOf({ system_prompt: "x", temperature: 0.2 })).toEqual({
      systemPrompt: "x",
      temperature: 0.2,
    });
    expect(settingsOf({ system_prompt: "", temperature: undefined }).temperature).toBeNull();
    expect(settingsOf(undefined)).toEqual({ systemPrompt: "", temperature: null });
  });

  it("saves only what changed", () => {
    const saved = { systemPrompt: "Be brief.", temperature: 0.5 };
    expect(settingsPatch(saved, { ...saved })).toEqual({});
    expect(settingsPatch(saved, { ...saved, temperature: null })).toEqual({ temperature: null });
    expect(settingsPatch(saved, { systemPrompt: "", temperature: 0.5 })).toEqual({
      system_prompt: "",
    });
  });
});
