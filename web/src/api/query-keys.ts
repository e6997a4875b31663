/** TanStack Query keys shared by the features, so one feature's write refreshes another's read. */
export const queryKeys = {
  health: ["health"] as const,
  models: ["models"] as const,
  conversationLists: ["conversations", "list"] as const,
  conversationList: (q: string) => ["conversations", "list", q] as const,
  conversation: (id: string) => ["conversations", "detail", id] as const,
};
