/** The frame of a chat: top bar, the scrolling reading column, and the composer docked below. */
import type { ReactNode, RefObject } from "react";
import { ArrowDownIcon } from "@/components/icons";

interface ChatLayoutProps {
  topBar: ReactNode;
  scroller: RefObject<HTMLDivElement | null>;
  content: RefObject<HTMLDivElement | null>;
  children: ReactNode;
  composer: ReactNode;
  showJump: boolean;
  onJump: () => void;
}

export function ChatLayout({
  topBar,
  scroller,
  content,
  children,
  composer,
  showJump,
  onJump,
}: ChatLayoutProps) {
  return (
    <section className="chat">
      <header className="top-bar">{topBar}</header>
      <div className="chat__scroller" ref={scroller}>
        <div className="chat__column" ref={content}>
          {children}
        </div>
      </div>
      <div className="chat__footer">
        {showJump && (
          <button
            type="button"
            className="jump-button"
            aria-label="Jump to latest"
            title="Jump to latest"
            onClick={onJump}
          >
            <ArrowDownIcon size={18} />
          </button>
        )}
        <div className="chat__composer">{composer}</div>
        <p className="chat__disclaimer">Answers come from AI models and can be wrong.</p>
      </div>
    </section>
  );
}
