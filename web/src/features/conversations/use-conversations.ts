/** The conversation list (paged, filterable) and the writes that change it: rename, patch, delete. */
import {
  type InfiniteData,
  infiniteQueryOptions,
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQueryClient,
} from "@tanstack/react-query";
import { deleteConversation, listConversations, updateConversation } from "@/api/endpoints";
import { queryKeys } from "@/api/query-keys";
import type {
  ConversationDetail,
  ConversationPage,
  ConversationPatch,
  ListedConversation,
} from "@/api/types";

type ListData = InfiniteData<ConversationPage, string | null>;

export function conversationListQuery(q: string) {
  return infiniteQueryOptions({
    queryKey: queryKeys.conversationList(q),
    queryFn: ({ pageParam }) => listConversations({ cursor: pageParam, q, limit: 50 }),
    initialPageParam: null as string | null,
    getNextPageParam: (last: ConversationPage) => last.next_cursor ?? undefined,
  });
}

export function useConversationList(q: string) {
  return useInfiniteQuery({ ...conversationListQuery(q), placeholderData: keepPreviousData });
}

function mapLists(
  data: ListData | undefined,
  change: (items: ListedConversation[]) => ListedConversation[],
): ListData | undefined {
  if (!data) return data;
  return { ...data, pages: data.pages.map((page) => ({ ...page, data: change(page.data) })) };
}

export function useUpdateConversation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: ConversationPatch }) =>
      updateConversation(id, patch),
    onMutate: async ({ id, patch }) => {
      await client.cancelQueries({ queryKey: queryKeys.conversationLists });
      client.setQueriesData<ListData>({ queryKey: queryKeys.conversationLists }, (data) =>
        mapLists(data, (items) => items.map((c) => (c.id === id ? { ...c, ...patch } : c))),
      );
      client.setQueryData<ConversationDetail>(queryKeys.conversation(id), (detail) =>
        detail ? { ...detail, ...patch } : detail,
      );
    },
    onSuccess: (saved) => {
      client.setQueryData<ConversationDetail>(queryKeys.conversation(saved.id), (detail) =>
        detail ? { ...detail, ...saved } : detail,
      );
    },
    onSettled: (_saved, _error, { id }) => {
      void client.invalidateQueries({ queryKey: queryKeys.conversationLists });
      void client.invalidateQueries({ queryKey: queryKeys.conversation(id) });
    },
  });
}

export function useDeleteConversation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => deleteConversation(id),
    onSuccess: (_nothing, id) => {
      client.setQueriesData<ListData>({ queryKey: queryKeys.conversationLists }, (data) =>
        mapLists(data, (items) => items.filter((c) => c.id !== id)),
      );
      client.removeQueries({ queryKey: queryKeys.conversation(id) });
      void client.invalidateQueries({ queryKey: queryKeys.conversationLists });
    },
  });
}
