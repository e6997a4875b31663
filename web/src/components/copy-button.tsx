/** A button that copies text and confirms with a check mark for a moment. */
import { useEffect, useRef, useState } from "react";
import { CheckIcon, CopyIcon } from "@/components/icons";
import { copyText } from "@/lib/clipboard";

interface CopyButtonProps {
  text: string | (() => string);
  label: string;
  className?: string;
  showText?: boolean;
}

export function CopyButton({ text, label, className, showText = false }: CopyButtonProps) {
  const [copied, setCopied] = useState(false);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);

  const onClick = async () => {
    const ok = await copyText(typeof text === "function" ? text() : text);
    if (!ok) return;
    setCopied(true);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setCopied(false), 1500);
  };

  return (
    <button
      type="button"
      className={className ?? "icon-button"}
      aria-label={label}
      title={copied ? "Copied" : label}
      onClick={onClick}
    >
      {copied ? <CheckIcon size={16} /> : <CopyIcon size={16} />}
      {showText && <span>{copied ? "Copied" : "Copy"}</span>}
      <span className="visually-hidden" aria-live="polite">
        {copied ? "Copied" : ""}
      </span>
    </button>
  );
}
