// The visitor's live chat widget. Any website includes it with one tag:
//   <script src="https://helpdesk.example/livechat/loader.js?channel=1" async></script>
// It talks to the helpdesk's origin only (bearer token, never cookies), builds its DOM with text
// only (messages and names are never parsed as HTML), and keeps the conversation in localStorage,
// so a reload resumes it.
import type { ChannelInfoDto, ConversationDto, MessageDto } from "../../services/conversations/dto";
import { isSendKey, growWithText } from "../shared/composing";
import { h } from "../shared/dom";
import { type BusConnection, onNotification, onSignal } from "../shared/hostBus";
import { answered, errorMessage } from "../shared/http";
import { loadCatalog } from "../shared/i18n";
import { MessageThread } from "../shared/messageThread";
import { newClientMessageId, withNetworkRetry } from "../shared/sending";
import { TypingIndicator } from "../shared/typingIndicator";
import { TypingSender } from "../shared/typingSender";
import { QueuePlaceTracker } from "./queuePlace";
import { VisitorApi } from "./visitorApi";
import { VisitorStorage } from "./visitorStorage";
import { buildWidget, showConversation, showIntro, type WidgetDom } from "./widgetDom";
import { renderMessage } from "./widgetMessage";
import { WidgetRating } from "./widgetRating";
import { conversationView, countsAsUnseen, defaultPlaceholder, introView, isStaleQueueNotice } from "./widgetView";

declare global {
  interface Window {
    /** Set once the widget runs, so a page that includes it twice gets one launcher. */
    __livechatWidget?: boolean;
  }
}

const PING_EVERY_MS = 30_000;

/** The conversation this page shows, if any. */
interface Session {
  id: number | null;
  conversation: ConversationDto | null;
  bus: BusConnection | null;
  open: boolean;
  unseen: number;
}

export async function startWidget(script: HTMLScriptElement): Promise<void> {
  const src = new URL(script.src, location.href);
  const origin = src.origin;
  const channelId = Number(src.searchParams.get("channel"));
  if (!channelId) return;
  const storage = new VisitorStorage(origin, channelId);
  const api = new VisitorApi(origin);
  // The widget speaks the conversation's language: the website's choice (`lang` on the script tag),
  // else the browser's, among the helpdesk's enabled languages. Its words come from the helpdesk's catalog.
  const channelInfo: ChannelInfoDto | null = await api.channelInfo(channelId, src.searchParams.get("lang")).catch(() => null);
  api.lang = channelInfo?.lang ?? null;
  await loadCatalog(channelInfo?.lang ?? "en", origin);
  const saved = storage.conversation();
  api.token = saved?.token ?? null;
  let session: Session = { id: saved?.id ?? null, conversation: null, bus: null, open: saved?.open ?? false, unseen: 0 };
  let place = new QueuePlaceTracker();
  let recounting = false;

  document.head.append(h("link", { props: { rel: "stylesheet", href: `${origin}/livechat/static/widget.css`, crossOrigin: "anonymous" } }));
  const dom: WidgetDom = buildWidget();
  const { panel, input, form, error } = dom;
  document.body.append(dom.launcher, panel);
  const thread = new MessageThread(dom.thread, renderMessage, () => true);
  const rating = new WidgetRating(api);
  panel.insertBefore(rating.el, dom.restart);
  const operatorTyping = new TypingIndicator("lcw-typing");
  dom.thread.after(operatorTyping.el);
  // Only an operator hears the visitor type: with the bot or in the queue, nothing is sent.
  const typing = new TypingSender((value) =>
    session.id && session.conversation?.state === "open" ? api.typing(session.id, value) : Promise.resolve(),
  );

  const save = () => {
    if (session.id && api.token) storage.saveConversation({ id: session.id, token: api.token, open: session.open });
  };

  function addMessage(message: MessageDto): void {
    if (isStaleQueueNotice(message, session.conversation)) return;
    if (!thread.add(message)) return;
    if (message.author.kind === "operator") operatorTyping.hide();
    if (countsAsUnseen(message, !panel.hidden)) {
      session.unseen += 1;
      dom.launcherBadge.textContent = String(session.unseen);
      dom.launcherBadge.hidden = false;
    }
  }

  function show(conversation: ConversationDto): void {
    session.conversation = conversation;
    place.counts(conversation);
    // An operator took over: a queue notice stored by an earlier version is not true any more.
    if (conversation.operator) dom.thread.querySelectorAll('[data-system-key="queued"]').forEach((line) => line.remove());
    if (conversation.state !== "open") operatorTyping.hide();
    render();
  }

  /** The conversation as last answered, with the live place in the queue while waiting. */
  function render(): void {
    const conversation = session.conversation;
    if (!conversation) return;
    const live = conversation.state === "waiting" ? { ...conversation, queuePosition: place.position() ?? conversation.queuePosition } : conversation;
    showConversation(dom, conversationView(live), (answer) => void sendText(answer));
    rating.show(live);
  }

  function connect(): void {
    if (!window.HostBus || session.bus || !api.token) return;
    const bus = window.HostBus.connect({ token: api.token, origin, storageKey: storage.busKey });
    session.bus = bus;
    api.socket = bus;
    const current = () => session.bus === bus;
    onNotification(bus, "livechat.message", ({ message }) => {
      if (current() && message.conversationId === session.id) addMessage(message);
    });
    // The notification carries the state; the full view (chatbot step, answers) is fetched with it.
    onNotification(bus, "livechat.conversation", ({ conversation }) => {
      if (!current() || conversation.id !== session.id) return;
      show(conversation);
      void load();
    });
    onSignal(bus, "livechat.typing", ({ conversationId, typing: on }) => {
      const operator = session.conversation?.operator;
      if (current() && conversationId === session.id && operator) operatorTyping.show(operator.name, on);
    });
    // The channel's queue moved: the place is worked out here, asked again only after a gap.
    onNotification(bus, "livechat.queue", (change) => {
      if (!current() || change.channelId !== session.conversation?.channel.id) return;
      place.changed(change);
      if (session.conversation.state !== "waiting") return;
      render();
      if (place.stale() && !recounting) {
        recounting = true;
        load()
          .catch(() => {})
          .finally(() => {
            recounting = false;
          });
      }
    });
    bus.onReady(() => {
      if (current()) void load();
    });
  }

  function loadBus(): void {
    if (window.HostBus) return connect();
    if (document.querySelector("script[data-livechat-bus]")) return;
    const bus = h("script", { props: { src: `${origin}/host/static/bus.js`, crossOrigin: "anonymous" } });
    bus.dataset.livechatBus = "";
    bus.onload = connect;
    document.head.append(bus);
  }

  async function load(): Promise<void> {
    const id = session.id;
    if (!id) return;
    const [c, m] = await Promise.all([api.conversation(id), api.messages(id, thread.lastId)]);
    if (session.id !== id) return;
    show(c.conversation);
    m.messages.forEach(addMessage);
  }

  let starting: Promise<void> | null = null;
  function begin(): Promise<void> {
    if (session.id) return Promise.resolve();
    starting ??= (async () => {
      const started = await api.start(channelId, storage.visitorKey());
      session.id = started.conversation.id;
      api.token = started.token;
      storage.saveVisitorKey(started.visitorKey);
      save();
      show(started.conversation);
      loadBus();
      await load();
    })().finally(() => {
      starting = null;
    });
    return starting;
  }

  function setOpen(open: boolean): void {
    session.open = open;
    panel.hidden = !open;
    dom.launcher.hidden = open;
    save();
    if (!open) return;
    session.unseen = 0;
    dom.launcherBadge.hidden = true;
    error.textContent = "";
    thread.scrollToEnd();
    // The conversation starts on the first open, so operators only see visitors who asked.
    begin().then(
      () => {
        if (!input.disabled && !form.hidden) input.focus();
      },
      (err: unknown) => {
        error.textContent = errorMessage(err, "");
      },
    );
  }

  async function post(text: string, clientMessageId: string): Promise<void> {
    const id = session.id as number;
    try {
      // A network failure is retried with the same id: the helpdesk stores the message once.
      addMessage((await withNetworkRetry(() => api.post(id, text, clientMessageId), 800)).message);
    } catch (err) {
      // Refused (e.g. an email the bot cannot accept): say why and give the text back to fix.
      error.textContent = errorMessage(err, "");
      if (!input.value) input.value = text;
    }
  }

  async function sendText(text: string): Promise<void> {
    error.textContent = "";
    const clientMessageId = newClientMessageId();
    try {
      await begin();
      await post(text, clientMessageId);
      if (session.conversation?.chatbot) await load();
    } catch (err) {
      error.textContent = errorMessage(err, "");
      if (!input.value) input.value = text;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    input.style.height = "";
    typing.stopped();
    void sendText(text);
  });
  input.addEventListener("keydown", (event) => {
    if (isSendKey(event)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener("input", () => {
    growWithText(input, 110);
    typing.changed(input.value);
  });
  input.addEventListener("blur", () => typing.stopped());
  dom.launcher.addEventListener("click", () => setOpen(true));
  const minimize = () => {
    setOpen(false);
    dom.launcher.focus();
  };
  dom.closeButton.addEventListener("click", minimize);
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") minimize();
  });
  dom.endButton.addEventListener("click", () => {
    if (!session.id) return;
    dom.endButton.disabled = true;
    api
      .end(session.id)
      .then((res) => show(res.conversation))
      .catch((err: unknown) => {
        error.textContent = errorMessage(err, "");
      })
      .finally(() => {
        dom.endButton.disabled = false;
      });
  });

  /** Forgets the conversation: the next message starts a new one. */
  function startAfresh(open: boolean): void {
    session.bus?.close();
    api.socket = null;
    operatorTyping.hide();
    session = { id: null, conversation: null, bus: null, open, unseen: 0 };
    place = new QueuePlaceTracker();
    api.token = null;
    storage.forgetConversation();
  }
  dom.restart.addEventListener("click", () => {
    startAfresh(true);
    rating.show(null);
    thread.reset(dom.greeting);
    input.placeholder = defaultPlaceholder();
    showIntro(dom, introView(channelInfo));
    setOpen(true);
  });

  setInterval(() => {
    if (session.id && session.conversation && session.conversation.state !== "closed") api.ping(session.id).catch(() => {});
  }, PING_EVERY_MS);

  if (channelInfo) {
    dom.launcherText.textContent = channelInfo.buttonText;
    dom.launcher.setAttribute("aria-label", channelInfo.buttonText);
    if (!session.conversation) showIntro(dom, introView(channelInfo));
  }

  if (session.id) {
    loadBus();
    load().catch((err: unknown) => {
      // A conversation this browser may no longer open: start afresh next time.
      if (answered(err) && (err.status === 404 || err.status === 401)) {
        startAfresh(session.open);
        showIntro(dom, introView(channelInfo));
      }
    });
    if (session.open) {
      panel.hidden = false;
      dom.launcher.hidden = true;
    }
  }
}
