/** The app's layout and routes: the sidebar beside `/` (a new chat) or `/c/:id` (a conversation). */
import type { QueryClient } from "@tanstack/react-query";
import { type ReactNode, useCallback, useEffect, useRef, useState } from "react";
import {
  Link,
  matchPath,
  Route,
  Routes,
  useLocation,
  useMatch,
  useNavigate,
  useParams,
} from "react-router";
import { conversationPath } from "@/api/endpoints";
import type { ConversationDetail } from "@/api/types";
import { MenuIcon, SwitchIcon } from "@/components/icons";
import { ThemeToggle } from "@/components/theme-toggle";
import { Toaster } from "@/components/toast";
import { ChatView } from "@/features/chat/chat-view";
import type { MessageControls } from "@/features/chat/message-item";
import { NewChatView } from "@/features/chat/new-chat-view";
import { conversationQuery, toConversationData } from "@/features/chat/use-conversation";
import { ConversationSidebar } from "@/features/conversations/conversation-sidebar";
import {
  conversationListQuery,
  useUpdateConversation,
} from "@/features/conversations/use-conversations";
import { downloadChat } from "@/features/export/download-chat";
import { ApiKeyBanner, healthQuery } from "@/features/health/api-key-banner";
import { ModelPicker } from "@/features/models/model-picker";
import { modelsQuery, useModelName, useModels, useReadsImages } from "@/features/models/use-models";
import {
  type ChatSettings,
  ConversationSettings,
  NEW_CHAT_SETTINGS,
  settingsOf,
  settingsPatch,
} from "@/features/settings/conversation-settings";
import { takeBootJson } from "@/lib/boot-fetch";
import { readStored, writeStored } from "@/lib/local-store";
import { useShortcuts } from "@/lib/shortcuts";
import { useMediaQuery } from "@/lib/use-media-query";

const NEW_CHAT_MODEL_KEY = "openchat.new-chat-model";

/** Starts the first page's requests before React renders, instead of after its first commit. */
export function prefetchStartData(client: QueryClient, pathname: string): void {
  void client.prefetchInfiniteQuery(conversationListQuery(""));
  void client.prefetchQuery(modelsQuery);
  void client.prefetchQuery(healthQuery);
  const id = matchPath("/c/:id", pathname)?.params.id;
  if (!id) return;
  const query = conversationQuery(id);
  const early = takeBootJson<ConversationDetail>(conversationPath(id));
  const queryFn = query.queryFn;
  void client.prefetchQuery(
    early && typeof queryFn === "function"
      ? // The early response when it worked; otherwise ask again (for the real error).
        {
          ...query,
          queryFn: async (context) => {
            const detail = await early;
            return detail ? toConversationData(detail) : queryFn(context);
          },
        }
      : query,
  );
}

function TopBar({
  onOpenSidebar,
  model,
  settings,
}: {
  onOpenSidebar: () => void;
  model: ReactNode;
  settings: ReactNode;
}) {
  return (
    <>
      <button
        type="button"
        className="icon-button top-bar__menu"
        aria-label="Open sidebar"
        onClick={onOpenSidebar}
      >
        <MenuIcon />
      </button>
      <div className="top-bar__model">{model}</div>
      <div className="top-bar__tools">
        {settings}
        <ThemeToggle />
      </div>
    </>
  );
}

const renderModelSwitch: MessageControls["renderModelSwitch"] = (onPick, current) => (
  <ModelPicker
    value={current}
    onChange={onPick}
    label="Answer with another AI"
    trigger={<SwitchIcon size={16} />}
    triggerClassName="icon-button"
  />
);

function ConversationRoute({ onOpenSidebar }: { onOpenSidebar: () => void }) {
  const { id = "" } = useParams();
  const update = useUpdateConversation();
  const modelName = useModelName();
  const readsImages = useReadsImages();
  const [once, setOnce] = useState<{ id: string; model: string } | null>(null);
  const nextMessageModel = once?.id === id ? once.model : null;
  const clearOnce = useCallback(() => setOnce(null), []);

  return (
    <ChatView
      key={id}
      conversationId={id}
      nextMessageModel={nextMessageModel}
      onSent={clearOnce}
      modelName={modelName}
      readsImages={readsImages}
      renderModelSwitch={renderModelSwitch}
      topBar={(conversation, busy) => (
        <TopBar
          onOpenSidebar={onOpenSidebar}
          model={
            <ModelPicker
              value={nextMessageModel ?? conversation?.default_model ?? null}
              badge={nextMessageModel ? "next message" : undefined}
              allowOnce
              onChange={(model, { once: oneMessage }) => {
                if (oneMessage) {
                  setOnce({ id, model });
                  return;
                }
                setOnce(null);
                writeStored(NEW_CHAT_MODEL_KEY, model);
                update.mutate({ id, patch: { default_model: model } });
              }}
            />
          }
          settings={
            <ConversationSettings
              disabled={!conversation}
              settings={settingsOf(conversation)}
              onSave={async (next) => {
                const patch = settingsPatch(settingsOf(conversation), next);
                // Nothing changed: nothing saved, and the chat keeps its place in the list.
                if (Object.keys(patch).length > 0) await update.mutateAsync({ id, patch });
              }}
              download={
                conversation?.messages.length
                  ? { busy, save: () => downloadChat(conversation, modelName) }
                  : undefined
              }
            />
          }
        />
      )}
    />
  );
}

function HomeRoute({ onOpenSidebar }: { onOpenSidebar: () => void }) {
  const [picked, setPicked] = useState<string | null>(() => readStored(NEW_CHAT_MODEL_KEY));
  const [settings, setSettings] = useState<ChatSettings>(NEW_CHAT_SETTINGS);
  const modelName = useModelName();
  const readsImages = useReadsImages();
  // Nothing picked yet: the server's default model, named, and asked for by name.
  const { defaultModel } = useModels();
  const model = picked ?? defaultModel;
  const location = useLocation();

  useEffect(() => {
    document.title = "New chat · Open Chat";
  }, []);

  return (
    <NewChatView
      // A click on New chat while here starts over.
      key={location.key}
      model={model}
      systemPrompt={settings.systemPrompt}
      temperature={settings.temperature}
      modelName={modelName}
      readsImages={readsImages}
      topBar={
        <TopBar
          onOpenSidebar={onOpenSidebar}
          model={
            <ModelPicker
              value={model}
              onChange={(choice) => {
                setPicked(choice);
                writeStored(NEW_CHAT_MODEL_KEY, choice);
              }}
            />
          }
          settings={
            <ConversationSettings
              settings={settings}
              onSave={async (value) => setSettings(value)}
            />
          }
        />
      }
    />
  );
}

function NotFound({ onOpenSidebar }: { onOpenSidebar: () => void }) {
  return (
    <section className="chat">
      <header className="top-bar">
        <button
          type="button"
          className="icon-button top-bar__menu"
          aria-label="Open sidebar"
          onClick={onOpenSidebar}
        >
          <MenuIcon />
        </button>
      </header>
      <div className="chat__notice">
        <p>There's nothing at this address.</p>
        <Link to="/" className="button">
          Start a new chat
        </Link>
      </div>
    </section>
  );
}

export function App() {
  const navigate = useNavigate();
  const match = useMatch("/c/:id");
  const activeId = match?.params.id ?? null;
  const narrow = useMediaQuery("(max-width: 768px)");
  const [drawerOpen, setDrawerOpen] = useState(false);
  const drawer = narrow && drawerOpen;

  const openSidebar = useCallback(() => setDrawerOpen(true), []);
  const closeSidebar = useCallback(() => setDrawerOpen(false), []);

  // Where the focus goes as the drawer opens (its close button, unless asked for the search)
  // and as it closes (back where it was, unless asked for the message box).
  const focusOnOpen = useRef(".sidebar__close");
  const focusOnClose = useRef<string | null>(null);

  useShortcuts({
    newChat: () => {
      setDrawerOpen(false);
      navigate("/");
    },
    searchChats: () => {
      if (narrow && !drawerOpen) {
        focusOnOpen.current = "input[type=search]"; // on a phone the search is in the drawer
        setDrawerOpen(true);
      } else {
        document.querySelector<HTMLElement>(".app__sidebar input[type=search]")?.focus();
      }
    },
    typeMessage: () => {
      if (drawer) {
        focusOnClose.current = ".composer__input";
        setDrawerOpen(false);
      } else {
        document.querySelector<HTMLElement>(".composer__input")?.focus();
      }
    },
  });

  // The open drawer takes the focus (and gives it back); Esc closes it.
  useEffect(() => {
    if (!drawer) return;
    const opener = document.activeElement as HTMLElement | null;
    const target = focusOnOpen.current;
    focusOnOpen.current = ".sidebar__close";
    // Rendered open by now, and nothing in the stylesheet delays its visibility: focusable at once.
    document.querySelector<HTMLElement>(`.app__sidebar ${target}`)?.focus();
    // On the document: after what is on top of the drawer (a dialog, a title being edited,
    // a search to clear), which stops its own Esc, and before the chat's own, on the window,
    // which leaves a handled Esc alone (so it does not also stop an answer).
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== "Escape" || event.defaultPrevented) return;
      event.preventDefault();
      setDrawerOpen(false);
    };
    document.addEventListener("keydown", onKeyDown);
    return () => {
      document.removeEventListener("keydown", onKeyDown);
      const asked = focusOnClose.current;
      focusOnClose.current = null;
      const next = asked ? document.querySelector<HTMLElement>(asked) : opener;
      if (next?.isConnected) next.focus();
    };
  }, [drawer]);

  return (
    <div className="app" data-drawer={drawer ? "open" : "closed"}>
      <div className="app__sidebar" inert={narrow && !drawerOpen}>
        <ConversationSidebar
          activeId={activeId}
          onNavigate={closeSidebar}
          onClose={closeSidebar}
          onNewChat={() => navigate("/")}
          onDeleted={(id) => {
            if (id === activeId) navigate("/", { replace: true });
          }}
        />
      </div>
      {drawer && <div className="app__backdrop" aria-hidden="true" onClick={closeSidebar} />}
      <main className="app__main" inert={drawer}>
        <ApiKeyBanner />
        <Routes>
          <Route path="/" element={<HomeRoute onOpenSidebar={openSidebar} />} />
          <Route path="/c/:id" element={<ConversationRoute onOpenSidebar={openSidebar} />} />
          <Route path="*" element={<NotFound onOpenSidebar={openSidebar} />} />
        </Routes>
      </main>
      <Toaster />
    </div>
  );
}
