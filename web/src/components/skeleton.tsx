/** Grey placeholders shown while content loads. */

export function SkeletonLines({ count = 3, className }: { count?: number; className?: string }) {
  return (
    <div className={`skeleton-lines ${className ?? ""}`} aria-hidden="true">
      {Array.from({ length: count }, (_, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: static placeholders
        <span key={index} className="skeleton" style={{ width: `${90 - ((index * 17) % 45)}%` }} />
      ))}
    </div>
  );
}

export function ConversationSkeleton() {
  return (
    <div className="conversation-skeleton" role="status" aria-label="Loading conversation">
      <div className="conversation-skeleton__user skeleton" />
      <SkeletonLines count={4} />
      <div className="conversation-skeleton__user skeleton" />
      <SkeletonLines count={3} />
    </div>
  );
}
