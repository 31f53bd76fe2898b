// The visitor's live chat widget. Any website includes it with one tag:
//   <script src="https://helpdesk.example/livechat/loader.js?channel=1" async></script>
// It talks to the helpdesk's origin only (bearer token, no cookies) and keeps the conversation in
// localStorage, so a reload resumes it.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__livechatWidget) return;
  window.__livechatWidget = true;
  var src = new URL(script.src);
  var origin = src.origin;
  var channelId = Number(src.searchParams.get("channel"));
  if (!channelId) return;
  var storeKey = "livechat." + origin + "." + channelId;
  var keyKey = "livechat.visitorKey." + origin;
  var saved = read(storeKey);
  var state = { conversation: null, token: saved && saved.token, id: saved && saved.id, ids: new Set(), bus: null, open: !!(saved && saved.open) };

  function read(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function write(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: the chat still works until reload */ }
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function call(method, path, body) {
    var headers = { Accept: "application/json" };
    if (state.token) headers.Authorization = "Bearer " + state.token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(origin + path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) }).then(function (res) {
      return res.json().then(function (data) {
        if (!res.ok) {
          var error = new Error(data.error || "Something went wrong.");
          error.status = res.status;
          throw error;
        }
        return data;
      });
    });
  }

  var css = el("link");
  css.rel = "stylesheet";
  css.href = origin + "/livechat/static/widget.css";
  document.head.appendChild(css);

  var launcher = el("button", "lcw-launcher");
  launcher.type = "button";
  launcher.setAttribute("aria-label", "Chat with us");
  // A speech bubble drawn in SVG: no icon font or emoji font is needed on the visitor's site.
  var icon = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  icon.setAttribute("viewBox", "0 0 24 24");
  icon.setAttribute("class", "lcw-launcher-icon");
  icon.setAttribute("aria-hidden", "true");
  var bubble = document.createElementNS("http://www.w3.org/2000/svg", "path");
  bubble.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
  bubble.setAttribute("fill", "currentColor");
  icon.appendChild(bubble);
  launcher.appendChild(icon);
  var launcherText = el("span", "lcw-launcher-text", "Chat with us");
  launcher.appendChild(launcherText);

  var panel = el("section", "lcw-window");
  panel.setAttribute("aria-label", "Live chat");
  panel.hidden = true;
  var header = el("header", "lcw-header");
  var title = el("h2", "lcw-title", "Live chat");
  var endButton = el("button", "lcw-end", "End conversation");
  endButton.type = "button";
  var closeButton = el("button", "lcw-close", "×");
  closeButton.type = "button";
  closeButton.setAttribute("aria-label", "Minimize chat");
  header.appendChild(title);
  header.appendChild(endButton);
  header.appendChild(closeButton);
  var status = el("p", "lcw-status");
  status.setAttribute("role", "status");
  var thread = el("ol", "lcw-thread");
  thread.setAttribute("aria-label", "Messages");
  thread.setAttribute("aria-live", "polite");
  var form = el("form", "lcw-composer");
  var input = el("textarea");
  input.rows = 1;
  input.maxLength = 4000;
  input.placeholder = "Type your message…";
  input.setAttribute("aria-label", "Your message");
  var send = el("button", "lcw-send", "Send");
  send.type = "submit";
  var error = el("p", "lcw-error");
  error.setAttribute("role", "alert");
  form.appendChild(input);
  form.appendChild(send);
  var choices = el("div", "lcw-choices");
  choices.setAttribute("role", "group");
  choices.setAttribute("aria-label", "Answers");
  var restart = el("button", "lcw-restart", "Start a new conversation");
  restart.type = "button";
  restart.hidden = true;
  panel.appendChild(header);
  panel.appendChild(status);
  panel.appendChild(thread);
  panel.appendChild(error);
  panel.appendChild(choices);
  panel.appendChild(form);
  panel.appendChild(restart);
  document.body.appendChild(launcher);
  document.body.appendChild(panel);

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
        var avatar = el("span", "lcw-avatar", m.author.name.split(/\s+/).filter(Boolean).slice(0, 2).map(function (w) { return w[0].toUpperCase(); }).join(""));
        avatar.setAttribute("aria-hidden", "true");
        author.appendChild(avatar);
      }
      author.appendChild(document.createTextNode(m.author.kind === "visitor" ? "You" : m.author.name));
      item.appendChild(author);
      item.appendChild(el("span", "lcw-body", m.body));
    }
    thread.appendChild(item);
    thread.scrollTop = thread.scrollHeight;
  }

  function show(conversation) {
    state.conversation = conversation;
    var ended = conversation.state === "closed";
    var bot = conversation.chatbot || null;
    title.textContent = conversation.operator ? conversation.operator.name : bot ? bot.name : conversation.channel.name;
    var step = bot && bot.step;
    choices.replaceChildren();
    if (step && step.type === "question") {
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
    form.hidden = ended;
    endButton.hidden = ended;
    restart.hidden = !ended;
  }

  function connect() {
    if (!window.HostBus || state.bus) return;
    state.bus = window.HostBus.connect({ token: state.token, origin: origin, storageKey: storeKey + ".bus" });
    state.bus.on("livechat.message", function (n) { addMessage(n.payload.message); });
    // The notification carries the state; the full view (chatbot step, answers) is fetched with it.
    state.bus.on("livechat.conversation", function (n) {
      show(n.payload.conversation);
      load();
    });
    state.bus.onReady(function () { load(); });
  }

  function loadBus() {
    if (window.HostBus) return connect();
    var s = el("script");
    s.src = origin + "/host/static/bus.js";
    s.onload = connect;
    document.head.appendChild(s);
  }

  function load() {
    var last = 0;
    state.ids.forEach(function (id) { last = Math.max(last, id); });
    return Promise.all([call("GET", "/livechat/conversations/" + state.id), call("GET", "/livechat/conversations/" + state.id + "/messages?after=" + last)]).then(function (r) {
      show(r[0].conversation);
      r[1].messages.forEach(addMessage);
    });
  }

  function begin() {
    if (state.id) return Promise.resolve();
    var body = { visitorKey: read(keyKey) || undefined };
    return call("POST", "/livechat/channels/" + channelId + "/conversations", body).then(function (res) {
      state.id = res.conversation.id;
      state.token = res.token;
      write(keyKey, res.visitorKey);
      write(storeKey, { id: state.id, token: state.token, open: true });
      show(res.conversation);
      loadBus();
      return load();
    });
  }

  function setOpen(open) {
    state.open = open;
    panel.hidden = !open;
    launcher.hidden = open;
    if (state.id) write(storeKey, { id: state.id, token: state.token, open: open });
    if (open) {
      error.textContent = "";
      begin().then(function () { input.focus(); }).catch(function (err) { error.textContent = err.message; });
    }
  }

  function post(text, clientMessageId, tries) {
    return call("POST", "/livechat/conversations/" + state.id + "/messages", { body: text, clientMessageId: clientMessageId })
      .then(function (res) { addMessage(res.message); })
      .catch(function (err) {
        if (!err.status && tries < 3) return new Promise(function (r) { setTimeout(r, 800 * (tries + 1)); }).then(function () { return post(text, clientMessageId, tries + 1); });
        // Refused (e.g. an email the bot cannot accept): say why and give the text back to fix.
        error.textContent = err.message;
        if (!input.value) input.value = text;
      });
  }

  function sendText(text) {
    error.textContent = "";
    var clientMessageId = (window.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + String(Math.random()).slice(2));
    return begin().then(function () { return post(text, clientMessageId, 0); }).then(function () {
      if (state.conversation && state.conversation.chatbot) return load();
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    sendText(text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  launcher.addEventListener("click", function () { setOpen(true); });
  closeButton.addEventListener("click", function () { setOpen(false); });
  endButton.addEventListener("click", function () {
    call("POST", "/livechat/conversations/" + state.id + "/end").then(function (res) { show(res.conversation); });
  });
  restart.addEventListener("click", function () {
    if (state.bus) state.bus.close();
    state = { conversation: null, token: null, id: null, ids: new Set(), bus: null, open: true };
    thread.replaceChildren();
    try { localStorage.removeItem(storeKey); } catch (e) { /* nothing stored */ }
    setOpen(true);
  });

  // Tell the helpdesk the visitor is still here, so an abandoned chat can be closed later.
  setInterval(function () {
    if (state.id && state.conversation && state.conversation.state !== "closed") call("POST", "/livechat/conversations/" + state.id + "/ping").catch(function () {});
  }, 30000);

  call("GET", "/livechat/channels/" + channelId + "/info").then(function (info) {
    launcherText.textContent = info.buttonText;
    launcher.setAttribute("aria-label", info.buttonText);
  }).catch(function () { /* the default text stays */ });

  if (state.id) {
    loadBus();
    load().catch(function (err) {
      // A conversation this browser no longer may open: start afresh next time.
      if (err.status === 404) {
        try { localStorage.removeItem(storeKey); } catch (e) { /* nothing stored */ }
        state.id = null;
        state.token = null;
      }
    });
    if (state.open) { panel.hidden = false; launcher.hidden = true; }
  }
})();
