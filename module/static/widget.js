// The visitor's live chat widget. Any website includes it with one tag:
//   <script src="https://helpdesk.example/livechat/loader.js?channel=1" async></script>
// It talks to the helpdesk's origin only (bearer token, never cookies), builds its DOM with
// textContent only (messages and names are always text), and keeps the conversation in localStorage,
// so a reload resumes it.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__livechatWidget) return;
  window.__livechatWidget = true;
  var src = new URL(script.src, location.href);
  var origin = src.origin;
  var channelId = Number(src.searchParams.get("channel"));
  if (!channelId) return;
  var storeKey = "livechat." + origin + "." + channelId;
  var keyKey = "livechat.visitorKey." + origin;
  var saved = read(storeKey);
  var state = fresh(saved);
  var channelInfo = null;

  function fresh(from) {
    return { conversation: null, token: from && from.token, id: from && from.id, ids: new Set(), bus: null, open: !!(from && from.open), unseen: 0 };
  }
  function read(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function write(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: the chat still works until reload */ }
  }
  function forget() {
    try { localStorage.removeItem(storeKey); } catch (e) { /* nothing stored */ }
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  /** "Visitor #12" → "V1", "Mitchell Admin" → "MA": the first letter or digit of the first two words. */
  function initials(name) {
    var words = String(name || "").split(/\s+/).map(function (w) { return w.replace(/[^\p{L}\p{N}]/gu, ""); }).filter(Boolean);
    return words.slice(0, 2).map(function (w) { return w[0].toUpperCase(); }).join("") || "?";
  }
  function call(method, path, body) {
    var headers = { Accept: "application/json" };
    if (state.token) headers.Authorization = "Bearer " + state.token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    // credentials "omit": even on the helpdesk's own origin, the visitor is the token, never a session.
    return fetch(origin + path, { method: method, headers: headers, credentials: "omit", body: body === undefined ? undefined : JSON.stringify(body) }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) {
          var error = new Error(data.error || "Something went wrong (" + res.status + ").");
          error.status = res.status;
          throw error;
        }
        return data;
      });
    });
  }
  function svgIcon(pathData, className) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("class", className);
    svg.setAttribute("aria-hidden", "true");
    var p = document.createElementNS(ns, "path");
    p.setAttribute("d", pathData);
    p.setAttribute("fill", "currentColor");
    svg.appendChild(p);
    return svg;
  }

  var BUBBLE = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z";

  // ---- DOM ---------------------------------------------------------------------------------------

  var css = el("link");
  css.rel = "stylesheet";
  css.href = origin + "/livechat/static/widget.css";
  document.head.appendChild(css);

  var launcher = el("button", "lcw-launcher");
  launcher.type = "button";
  launcher.setAttribute("aria-label", "Chat with us");
  // Icons drawn in SVG: no icon font or emoji font is needed on the visitor's site.
  launcher.appendChild(svgIcon(BUBBLE, "lcw-launcher-icon"));
  var launcherText = el("span", "lcw-launcher-text", "Chat with us");
  launcher.appendChild(launcherText);
  var launcherBadge = el("span", "lcw-launcher-badge");
  launcherBadge.hidden = true;
  launcher.appendChild(launcherBadge);

  var panel = el("section", "lcw-window");
  panel.setAttribute("aria-label", "Live chat");
  panel.hidden = true;
  var header = el("header", "lcw-header");
  var headerAvatar = el("span", "lcw-header-avatar");
  headerAvatar.setAttribute("aria-hidden", "true");
  var titles = el("div", "lcw-titles");
  var title = el("h2", "lcw-title", "Live chat");
  var subtitle = el("div", "lcw-subtitle");
  titles.appendChild(title);
  titles.appendChild(subtitle);
  var endButton = el("button", "lcw-end", "End");
  endButton.type = "button";
  endButton.setAttribute("aria-label", "End conversation");
  endButton.title = "End conversation";
  var closeButton = el("button", "lcw-close");
  closeButton.type = "button";
  closeButton.setAttribute("aria-label", "Minimize chat");
  closeButton.title = "Minimize";
  closeButton.appendChild(svgIcon("M5 11h14v2H5z", "lcw-close-icon"));
  header.appendChild(headerAvatar);
  header.appendChild(titles);
  header.appendChild(endButton);
  header.appendChild(closeButton);
  var status = el("p", "lcw-status");
  status.setAttribute("role", "status");
  status.hidden = true;
  var thread = el("ol", "lcw-thread");
  thread.setAttribute("aria-label", "Messages");
  thread.setAttribute("aria-live", "polite");
  var greeting = el("li", "lcw-greeting");
  greeting.hidden = true;
  thread.appendChild(greeting);
  var form = el("form", "lcw-composer");
  var input = el("textarea");
  input.rows = 1;
  input.maxLength = 4000;
  input.placeholder = "Type your message…";
  input.setAttribute("aria-label", "Your message");
  var send = el("button", "lcw-send");
  send.type = "submit";
  send.setAttribute("aria-label", "Send");
  send.title = "Send";
  send.appendChild(svgIcon("M2 21l21-9L2 3v7l15 2-15 2z", "lcw-send-icon"));
  var error = el("p", "lcw-error");
  error.setAttribute("role", "alert");
  form.appendChild(input);
  form.appendChild(send);
  var choices = el("div", "lcw-choices");
  choices.setAttribute("role", "group");
  choices.setAttribute("aria-label", "Answers");
  choices.hidden = true;
  var restart = el("button", "lcw-restart", "Start a new conversation");
  restart.type = "button";
  restart.hidden = true;
  [header, status, thread, error, choices, form, restart].forEach(function (n) { panel.appendChild(n); });
  document.body.appendChild(launcher);
  document.body.appendChild(panel);

  // ---- rendering ---------------------------------------------------------------------------------

  /** The operator's (or bot's) initials, or a chat bubble while nobody has answered yet. */
  function setAvatar(name) {
    if (name) headerAvatar.textContent = initials(name);
    else headerAvatar.replaceChildren(svgIcon(BUBBLE, "lcw-header-icon"));
  }
  setAvatar(null);

  function timeOf(iso) {
    var d = new Date(iso);
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function addMessage(m) {
    if (state.ids.has(m.id)) return;
    state.ids.add(m.id);
    var item = el("li", "lcw-msg lcw-" + m.author.kind);
    item.dataset.messageId = String(m.id);
    if (m.author.kind === "system") {
      item.textContent = m.body;
    } else {
      var author = el("span", "lcw-author");
      if (m.author.kind === "bot") {
        var avatar = el("span", "lcw-avatar", initials(m.author.name));
        avatar.setAttribute("aria-hidden", "true");
        author.appendChild(avatar);
      }
      author.appendChild(document.createTextNode(m.author.kind === "visitor" ? "You" : m.author.name));
      var time = el("time", "lcw-time", timeOf(m.createdAt));
      time.dateTime = m.createdAt;
      var meta = el("span", "lcw-meta");
      meta.appendChild(author);
      meta.appendChild(time);
      item.appendChild(meta);
      item.appendChild(el("span", "lcw-body", m.body));
    }
    var before = null;
    for (var i = thread.children.length - 1; i >= 0; i--) {
      var child = thread.children[i];
      if (child.dataset.messageId && Number(child.dataset.messageId) > m.id) before = child;
      else break;
    }
    thread.insertBefore(item, before);
    thread.scrollTop = thread.scrollHeight;
    if (panel.hidden && m.author.kind !== "visitor") {
      state.unseen += 1;
      launcherBadge.textContent = String(state.unseen);
      launcherBadge.hidden = false;
    }
  }

  function show(conversation) {
    state.conversation = conversation;
    var ended = conversation.state === "closed";
    var bot = conversation.chatbot || null;
    var name = conversation.operator ? conversation.operator.name : bot ? bot.name : conversation.channel.name;
    title.textContent = name;
    setAvatar(conversation.operator || bot ? name : null);
    subtitle.textContent = ended ? "Conversation ended" : conversation.state === "waiting" ? "Waiting for an operator" : conversation.operator ? "Online" : bot ? "Virtual assistant" : "";
    var step = bot && bot.step;
    choices.replaceChildren();
    if (!ended && step && step.type === "question") {
      step.answers.forEach(function (answer) {
        var choice = el("button", "lcw-choice", answer.label);
        choice.type = "button";
        choice.addEventListener("click", function () { sendText(answer.label); });
        choices.appendChild(choice);
      });
    }
    choices.hidden = !choices.children.length;
    input.placeholder = step && step.type === "email" ? "name@example.com" : step && step.type === "phone" ? "Your phone number" : "Type your message…";
    if (conversation.state === "waiting") {
      status.textContent = "No operator is available right now. You are number " + conversation.queuePosition +
        " in the queue; leave a message and we will answer as soon as possible.";
    } else if (ended) {
      status.textContent = "The conversation has ended.";
    } else {
      status.textContent = "";
    }
    status.hidden = !status.textContent;
    status.classList.toggle("lcw-status-ended", ended);
    form.hidden = ended;
    endButton.hidden = ended;
    restart.hidden = !ended;
    greeting.hidden = true;
  }

  /** Before the conversation starts: the channel's name and welcome message. */
  function showIntro() {
    var name = channelInfo ? channelInfo.name : "Live chat";
    title.textContent = name;
    setAvatar(null);
    subtitle.textContent = channelInfo ? (channelInfo.available ? "We are online" : "We will answer as soon as possible") : "";
    greeting.textContent = channelInfo && channelInfo.welcomeMessage ? channelInfo.welcomeMessage : "";
    greeting.hidden = !greeting.textContent;
    status.hidden = true;
    form.hidden = false;
    endButton.hidden = true;
    restart.hidden = true;
    choices.hidden = true;
  }

  // ---- server ------------------------------------------------------------------------------------

  function connect() {
    if (!window.HostBus || state.bus || !state.token) return;
    var bus = window.HostBus.connect({ token: state.token, origin: origin, storageKey: storeKey + ".bus" });
    state.bus = bus;
    bus.on("livechat.message", function (n) {
      if (state.bus === bus && n.payload.message.conversationId === state.id) addMessage(n.payload.message);
    });
    // The notification carries the state; the full view (chatbot step, answers) is fetched with it.
    bus.on("livechat.conversation", function (n) {
      if (state.bus !== bus || n.payload.conversation.id !== state.id) return;
      show(n.payload.conversation);
      load();
    });
    bus.onReady(function () { if (state.bus === bus) load(); });
  }

  function loadBus() {
    if (window.HostBus) return connect();
    if (document.querySelector('script[data-livechat-bus]')) return;
    var s = el("script");
    s.src = origin + "/host/static/bus.js";
    s.dataset.livechatBus = "";
    s.onload = connect;
    document.head.appendChild(s);
  }

  function load() {
    var id = state.id;
    if (!id) return Promise.resolve();
    var last = 0;
    state.ids.forEach(function (x) { last = Math.max(last, x); });
    return Promise.all([call("GET", "/livechat/conversations/" + id), call("GET", "/livechat/conversations/" + id + "/messages?after=" + last)]).then(function (r) {
      if (state.id !== id) return;
      show(r[0].conversation);
      r[1].messages.forEach(addMessage);
    });
  }

  var starting = null;
  function begin() {
    if (state.id) return Promise.resolve();
    if (starting) return starting;
    var body = {};
    var key = read(keyKey);
    if (key) body.visitorKey = key;
    starting = call("POST", "/livechat/channels/" + channelId + "/conversations", body)
      .then(function (res) {
        state.id = res.conversation.id;
        state.token = res.token;
        write(keyKey, res.visitorKey);
        write(storeKey, { id: state.id, token: state.token, open: state.open });
        show(res.conversation);
        loadBus();
        return load();
      })
      .finally(function () { starting = null; });
    return starting;
  }

  function setOpen(open) {
    state.open = open;
    panel.hidden = !open;
    launcher.hidden = open;
    if (state.id) write(storeKey, { id: state.id, token: state.token, open: open });
    if (open) {
      state.unseen = 0;
      launcherBadge.hidden = true;
      error.textContent = "";
      thread.scrollTop = thread.scrollHeight;
      // The conversation starts on the first open, so operators only see visitors who asked.
      begin().then(function () { if (!input.disabled && !form.hidden) input.focus(); }).catch(function (err) { error.textContent = err.message; });
    }
  }

  function post(text, clientMessageId, tries) {
    return call("POST", "/livechat/conversations/" + state.id + "/messages", { body: text, clientMessageId: clientMessageId })
      .then(function (res) { addMessage(res.message); })
      .catch(function (err) {
        // A network failure is retried with the same id: the helpdesk stores the message once.
        if (!err.status && tries < 3) return new Promise(function (r) { setTimeout(r, 800 * (tries + 1)); }).then(function () { return post(text, clientMessageId, tries + 1); });
        // Refused (e.g. an email the bot cannot accept): say why and give the text back to fix.
        error.textContent = err.message;
        if (!input.value) input.value = text;
      });
  }

  function newClientMessageId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "m" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function sendText(text) {
    error.textContent = "";
    var clientMessageId = newClientMessageId();
    return begin()
      .then(function () { return post(text, clientMessageId, 0); })
      .then(function () { if (state.conversation && state.conversation.chatbot) return load(); })
      .catch(function (err) {
        error.textContent = err.message;
        if (!input.value) input.value = text;
      });
  }

  // ---- events ------------------------------------------------------------------------------------

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    input.style.height = "";
    sendText(text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener("input", function () {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 110) + "px";
  });
  launcher.addEventListener("click", function () { setOpen(true); });
  closeButton.addEventListener("click", function () {
    setOpen(false);
    launcher.focus();
  });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      setOpen(false);
      launcher.focus();
    }
  });
  endButton.addEventListener("click", function () {
    if (!state.id) return;
    endButton.disabled = true;
    call("POST", "/livechat/conversations/" + state.id + "/end")
      .then(function (res) { show(res.conversation); })
      .catch(function (err) { error.textContent = err.message; })
      .finally(function () { endButton.disabled = false; });
  });
  restart.addEventListener("click", function () {
    if (state.bus) state.bus.close();
    state = fresh(null);
    state.open = true;
    thread.replaceChildren(greeting);
    forget();
    showIntro();
    setOpen(true);
  });

  // Tell the helpdesk the visitor is still here, so an abandoned chat can be closed later.
  setInterval(function () {
    if (state.id && state.conversation && state.conversation.state !== "closed") call("POST", "/livechat/conversations/" + state.id + "/ping").catch(function () {});
  }, 30000);

  call("GET", "/livechat/channels/" + channelId + "/info").then(function (info) {
    channelInfo = info;
    launcherText.textContent = info.buttonText;
    launcher.setAttribute("aria-label", info.buttonText);
    if (!state.conversation) showIntro();
  }).catch(function () { /* the default text stays */ });

  if (state.id) {
    loadBus();
    load().catch(function (err) {
      // A conversation this browser may no longer open: start afresh next time.
      if (err.status === 404 || err.status === 401) {
        forget();
        var wasOpen = state.open;
        state = fresh(null);
        state.open = wasOpen;
        showIntro();
      }
    });
    if (state.open) {
      panel.hidden = false;
      launcher.hidden = true;
    }
  }
})();
