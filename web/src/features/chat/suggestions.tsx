/** The greeting of an empty chat, with a few prompts to start from. */
import { SparkIcon } from "@/components/icons";

const SUGGESTIONS = [
  "Explain how transformers work, in simple terms",
  "Write a Python function that merges overlapping intervals",
  "Help me plan a three-day trip to Lisbon",
  "Summarise the pros and cons of SQLite vs PostgreSQL",
];

export function EmptyChat({ onPick }: { onPick: (text: string) => void }) {
  return (
    <div className="empty-chat">
      <h1 className="empty-chat__title">What can I help with?</h1>
      <p className="empty-chat__hint">Ask anything, or start from one of these.</p>
      <ul className="empty-chat__chips">
        {SUGGESTIONS.map((text) => (
          <li key={text}>
            <button type="button" className="suggestion" onClick={() => onPick(text)}>
              <SparkIcon size={15} />
              {text}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
