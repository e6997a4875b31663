/**
 * A combobox over the whole catalogue: type to search id, name and author, arrows to move,
 * Enter to pick. Recently used models come first; each option shows context and price.
 */
import {
  type CSSProperties,
  type KeyboardEvent,
  memo,
  type ReactNode,
  useCallback,
  useDeferredValue,
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { createPortal } from "react-dom";
import type { Model } from "@/api/types";
import { CheckIcon, ChevronDownIcon, ImageIcon, SearchIcon } from "@/components/icons";
import { formatContext, formatModelPrice } from "@/features/models/model-format";
import { searchModels } from "@/features/models/model-search";
import { recentModels, rememberModel } from "@/features/models/recent-models";
import { useModels } from "@/features/models/use-models";

interface ModelPickerProps {
  /** The selected model id (null: the server's default, shown by its name). */
  value: string | null;
  /** `once`: picked for the next message only (when `allowOnce`). */
  onChange: (modelId: string, options: { once: boolean }) => void;
  /** Offer "Only for the next message" in the panel. */
  allowOnce?: boolean;
  /** A note shown beside the name in the trigger, e.g. that the pick is for one message. */
  badge?: string;
  /** Accessible name of the trigger. */
  label?: string;
  /** Custom trigger content; by default the selected model's name. */
  trigger?: ReactNode;
  triggerClassName?: string;
  align?: "start" | "end";
}

interface Row {
  model: Model;
  section: string | null;
}

const PANEL_MAX_WIDTH = 460;
const PANEL_MAX_HEIGHT = 480;

/** Where the panel goes: under (or over) the trigger; a bottom sheet on narrow screens. */
function panelPosition(trigger: DOMRect, align: "start" | "end"): CSSProperties {
  const vw = window.innerWidth;
  const vh = window.innerHeight;
  if (vw < 600) return { left: 8, right: 8, bottom: 8, maxHeight: Math.round(vh * 0.8) };
  const width = Math.min(PANEL_MAX_WIDTH, vw - 16);
  const left = Math.min(
    Math.max(8, align === "end" ? trigger.right - width : trigger.left),
    vw - width - 8,
  );
  const below = vh - trigger.bottom - 14;
  const above = trigger.top - 14;
  if (below >= 320 || below >= above)
    return { left, width, top: trigger.bottom + 6, maxHeight: Math.min(PANEL_MAX_HEIGHT, below) };
  return {
    left,
    width,
    bottom: vh - trigger.top + 6,
    maxHeight: Math.min(PANEL_MAX_HEIGHT, above),
  };
}

/**
 * Scrolls the list (and only the list, never the panel or the page) so the option is in
 * view: in the middle ("center"), with a whole row at the top edge rather than one cut in
 * half, or with the least movement ("nearest").
 */
export function revealOption(
  list: HTMLElement,
  option: HTMLElement,
  block: "center" | "nearest",
): void {
  const box = list.getBoundingClientRect();
  const offset = (element: HTMLElement) =>
    element.getBoundingClientRect().top - box.top + list.scrollTop;
  const rect = option.getBoundingClientRect();
  const top = offset(option);
  const bottom = top + rect.height;
  const view = list.clientHeight;
  const max = Math.max(0, list.scrollHeight - view);
  let next = list.scrollTop;
  if (block === "center") {
    const ideal = top - (view - rect.height) / 2;
    let best: number | null = null;
    for (const row of list.querySelectorAll<HTMLElement>(
      '[role="option"], [role="presentation"]',
    )) {
      const edge = offset(row);
      const fits = edge <= top && edge + view >= bottom;
      if (fits && (best === null || Math.abs(edge - ideal) < Math.abs(best - ideal))) best = edge;
      if (edge > ideal) break;
    }
    next = best ?? ideal;
  } else if (top < next) {
    next = top;
  } else if (bottom > next + view) {
    next = bottom - view;
  }
  // The list's padding shows only at its two ends.
  const pad = Number.parseFloat(getComputedStyle(list).paddingTop) || 0;
  next = next <= pad ? 0 : next >= max - pad ? max : Math.round(next);
  if (next !== list.scrollTop) list.scrollTop = next;
}

export function ModelPicker({
  value,
  onChange,
  label = "Model",
  trigger,
  triggerClassName,
  align = "start",
  allowOnce = false,
  badge,
}: ModelPickerProps) {
  const [once, setOnce] = useState(false);
  const [position, setPosition] = useState<CSSProperties | null>(null);
  const open = position !== null;
  const triggerRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const { byId, defaultModel } = useModels();
  // No choice made: the server's default model, once the catalogue names it.
  const selected = value ?? defaultModel;
  const current = selected ? byId.get(selected) : undefined;

  const place = useCallback(() => {
    const rect = triggerRef.current?.getBoundingClientRect();
    if (rect) setPosition(panelPosition(rect, align));
  }, [align]);

  useEffect(() => {
    if (!open) return;
    const onPointerDown = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!panelRef.current?.contains(target) && !triggerRef.current?.contains(target))
        setPosition(null);
    };
    document.addEventListener("pointerdown", onPointerDown);
    window.addEventListener("resize", place);
    return () => {
      document.removeEventListener("pointerdown", onPointerDown);
      window.removeEventListener("resize", place);
    };
  }, [open, place]);

  const close = (focusTrigger: boolean) => {
    setPosition(null);
    setOnce(false);
    if (focusTrigger) triggerRef.current?.focus();
  };

  return (
    <div className="model-picker">
      <button
        ref={triggerRef}
        type="button"
        className={triggerClassName ?? "model-picker__trigger"}
        aria-label={label}
        aria-haspopup="listbox"
        aria-expanded={open}
        title={trigger ? label : (selected ?? "Default model")}
        onClick={() => (open ? close(false) : place())}
      >
        {trigger ?? (
          <>
            <span className="model-picker__name">
              {current?.name ?? selected ?? "Default model"}
            </span>
            {badge && <span className="model-picker__badge">{badge}</span>}
            <ChevronDownIcon size={16} />
          </>
        )}
      </button>
      {position &&
        createPortal(
          <div className="model-panel" ref={panelRef} style={position}>
            <ModelPanel
              value={selected}
              onPick={(id) => {
                rememberModel(id);
                onChange(id, { once: allowOnce && once });
                close(true);
              }}
              onClose={() => close(true)}
            />
            {allowOnce && (
              <label className="model-panel__footer">
                <input
                  type="checkbox"
                  checked={once}
                  onChange={(event) => setOnce(event.target.checked)}
                />
                Only for the next message
              </label>
            )}
          </div>,
          document.body,
        )}
    </div>
  );
}

function ModelPanel({
  value,
  onPick,
  onClose,
}: {
  value: string | null;
  onPick: (id: string) => void;
  onClose: () => void;
}) {
  const { models, byId, isPending, isError, refetch } = useModels();
  const [query, setQuery] = useState("");
  const [freeOnly, setFreeOnly] = useState(false);
  const deferredQuery = useDeferredValue(query);
  const listId = useId();
  const listRef = useRef<HTMLDivElement>(null);

  const rows = useMemo<Row[]>(() => {
    const found = searchModels(models, deferredQuery, { freeOnly });
    if (deferredQuery.trim() || freeOnly) return found.map((model) => ({ model, section: null }));
    const recent = recentModels()
      .map((id) => byId.get(id))
      .filter((model): model is Model => model !== undefined);
    const recentIds = new Set(recent.map((model) => model.id));
    return [
      ...recent.map((model, index) => ({ model, section: index === 0 ? "Recent" : null })),
      ...found
        .filter((model) => !recentIds.has(model.id))
        .map((model, index) => ({
          model,
          section: index === 0 && recent.length > 0 ? "All models" : null,
        })),
    ];
  }, [models, byId, deferredQuery, freeOnly]);

  const searching = deferredQuery.trim() !== "" || freeOnly;
  // Start on the selected model when opening, on the best match while searching.
  const [active, setActive] = useState(() =>
    Math.max(
      0,
      rows.findIndex((row) => row.model.id === value),
    ),
  );
  useEffect(() => {
    if (deferredQuery.trim() || freeOnly) setActive(0);
    else
      setActive(
        Math.max(
          0,
          rows.findIndex((row) => row.model.id === value),
        ),
      );
  }, [deferredQuery, freeOnly, rows, value]);

  // On opening, the selected model is shown in the middle of the list; after that the
  // active option is brought into view with the least scrolling.
  const placed = useRef(false);
  useLayoutEffect(() => {
    const list = listRef.current;
    const option = list?.querySelector<HTMLElement>(`[data-index="${active}"]`);
    if (!list || !option) return;
    if (!placed.current) {
      const selected = rows.findIndex((row) => row.model.id === value);
      // The catalogue came in after opening: wait a render for the selection to be active.
      if (!searching && selected !== -1 && selected !== active) return;
      placed.current = true;
      if (!searching && selected !== -1) {
        revealOption(list, option, "center");
        return;
      }
    }
    revealOption(list, option, "nearest");
  }, [active, rows, value, searching]);

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    const last = rows.length - 1;
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        setActive((index) => Math.min(last, index + 1));
        break;
      case "ArrowUp":
        event.preventDefault();
        setActive((index) => Math.max(0, index - 1));
        break;
      case "PageDown":
        event.preventDefault();
        setActive((index) => Math.min(last, index + 8));
        break;
      case "PageUp":
        event.preventDefault();
        setActive((index) => Math.max(0, index - 8));
        break;
      case "Enter": {
        event.preventDefault();
        const row = rows[active];
        if (row) onPick(row.model.id);
        break;
      }
      case "Escape":
        event.preventDefault();
        event.stopPropagation();
        onClose();
        break;
      case "Tab":
        onClose();
        break;
    }
  };

  const optionId = (index: number) => `${listId}-option-${index}`;

  return (
    <>
      <div className="model-panel__search">
        <SearchIcon size={16} />
        <input
          // biome-ignore lint/a11y/noAutofocus: the panel opens to be searched
          autoFocus
          type="text"
          role="combobox"
          aria-label="Search models"
          aria-autocomplete="list"
          aria-expanded="true"
          aria-controls={listId}
          aria-activedescendant={rows[active] ? optionId(active) : undefined}
          placeholder="Search models"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={onKeyDown}
          autoComplete="off"
          spellCheck={false}
        />
        <button
          type="button"
          className={`chip ${freeOnly ? "chip--on" : ""}`}
          aria-pressed={freeOnly}
          onClick={() => setFreeOnly((was) => !was)}
        >
          Free only
        </button>
      </div>
      <div
        className="model-panel__list"
        id={listId}
        role="listbox"
        aria-label="Models"
        ref={listRef}
      >
        {isPending && <div className="model-panel__note">Loading models…</div>}
        {isError && (
          <div className="model-panel__note">
            Couldn't load the model list.{" "}
            <button type="button" className="link-button" onClick={() => refetch()}>
              Try again
            </button>
          </div>
        )}
        {!isPending && !isError && rows.length === 0 && (
          <div className="model-panel__note">No models match “{deferredQuery}”.</div>
        )}
        {rows.map((row, index) => (
          <ModelOption
            key={row.model.id}
            id={optionId(index)}
            index={index}
            row={row}
            selected={row.model.id === value}
            active={index === active}
            onPick={onPick}
            onHover={setActive}
          />
        ))}
      </div>
    </>
  );
}

const ModelOption = memo(function ModelOption({
  id,
  index,
  row,
  selected,
  active,
  onPick,
  onHover,
}: {
  id: string;
  index: number;
  row: Row;
  selected: boolean;
  active: boolean;
  onPick: (id: string) => void;
  onHover: (index: number) => void;
}) {
  const { model, section } = row;
  const price = formatModelPrice(model.pricing);
  const context = formatContext(model.context_length);
  return (
    <>
      {section && (
        <div className="model-panel__section" role="presentation">
          {section}
        </div>
      )}
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: keyboard selection goes through the combobox input */}
      <div
        id={id}
        role="option"
        tabIndex={-1}
        aria-selected={selected}
        data-index={index}
        data-active={active || undefined}
        className="model-option"
        onClick={() => onPick(model.id)}
        onMouseMove={() => {
          if (!active) onHover(index);
        }}
      >
        <div className="model-option__main">
          <span className="model-option__name">{model.name}</span>
          <span className="model-option__id">{model.id}</span>
        </div>
        <div className="model-option__meta">
          {context && <span>{context}</span>}
          {price && (
            <span className={price === "free" ? "model-option__free" : undefined}>{price}</span>
          )}
          {model.input_modalities.includes("image") && (
            <span className="model-option__images">
              <ImageIcon size={12} />
              images
            </span>
          )}
        </div>
        {selected && <CheckIcon size={16} className="model-option__check" />}
      </div>
    </>
  );
});
