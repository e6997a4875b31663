/**
 * Whether a key press belongs to an input method's composition (Japanese, Chinese, Korean…):
 * its Enter confirms a conversion and its Esc cancels one, and neither is meant for the app.
 * Safari sends the confirming Enter after the composition ended, flagged only by key code 229.
 */
export function isComposing(event: { isComposing: boolean; keyCode: number }): boolean {
  return event.isComposing || event.keyCode === 229;
}
