// Operator chat windows, bottom right of every page. Which windows are open or folded is kept on the
// server (/livechat/api/windows), so they come back on every page and every tab follows the others.
(function () {
  "use strict";
  var T = window.LivechatThread;
  var root = document.getElementById("o-chat-windows");
  if (!T || !root) return;
  var windows = new Map();

  function markRead(w) {
    if (w.state !== "open" || document.visibilityState !== "visible" || !w.thread.lastId || w.readUpTo >= w.thread.lastId) return;
    w.readUpTo = w.thread.lastId;
    T.api("/conversations/" + w.id + "/read", { lastMessageId: w.thread.lastId }).catch(function () { w.readUpTo = 0; });
  }

  function setState(w, state) {
    w.state = state;
    w.el.classList.toggle("o-folded", state === "folded");
    w.foldButton.setAttribute("aria-label", state === "folded" ? "Unfold" : "Fold");
    w.foldButton.setAttribute("aria-expanded", state === "folded" ? "false" : "true");
    w.foldIcon.className = "fa-solid " + (state === "folded" ? "fa-chevron-up" : "fa-minus");
    markRead(w);
  }

  function showEnded(w) {
    w.ended = true;
    w.el.classList.add("o-ended");
    w.composer.input.disabled = true;
    w.endButton.hidden = true;
    w.notice.textContent = "This conversation has ended.";
  }

  function iconButton(label, icon) {
    var button = T.el("button", "btn btn-sm o-chat-action");
    button.type = "button";
    button.setAttribute("aria-label", label);
    button.title = label;
    var i = T.el("i", "fa-solid " + icon);
    i.setAttribute("aria-hidden", "true");
    button.appendChild(i);
    return { button: button, icon: i };
  }

  function build(id, state) {
    var section = T.el("section", "o-chat-window card shadow");
    section.setAttribute("aria-label", "Chat window");
    section.dataset.conversationId = String(id);
    var header = T.el("header", "o-chat-header");
    var title = T.el("h2", "o-chat-title", "…");
    header.appendChild(title);
    var end = iconButton("End conversation", "fa-right-from-bracket");
    var fold = iconButton("Fold", "fa-minus");
    var close = iconButton("Close", "fa-xmark");
    header.appendChild(end.button);
    header.appendChild(fold.button);
    header.appendChild(close.button);
    var body = T.el("div", "o-chat-body");
    var list = T.el("ol", "o-thread list-unstyled");
    list.setAttribute("aria-label", "Messages");
    list.setAttribute("aria-live", "polite");
    body.appendChild(list);
    var notice = T.el("p", "o-chat-notice small text-muted");
    body.appendChild(notice);
    var w = { id: id, el: section, title: title, state: state, thread: new T.Thread(list), readUpTo: 0, notice: notice, foldButton: fold.button, foldIcon: fold.icon, endButton: end.button, ended: false };
    w.composer = T.composer(function (text, clientMessageId) {
      return T.api("/conversations/" + id + "/messages", { body: text, clientMessageId: clientMessageId }).then(function (res) {
        w.thread.add(res.message);
        markRead(w);
      });
    });
    body.appendChild(w.composer.form);
    section.appendChild(header);
    section.appendChild(body);

    header.addEventListener("click", function (event) {
      if (event.target.closest("button")) return;
      change(w, w.state === "folded" ? "open" : "folded");
    });
    fold.button.addEventListener("click", function () { change(w, w.state === "folded" ? "open" : "folded"); });
    close.button.addEventListener("click", function () { change(w, "closed"); });
    end.button.addEventListener("click", function () {
      T.api("/conversations/" + id + "/end", {}).then(function () { showEnded(w); });
    });
    w.composer.input.addEventListener("focus", function () { markRead(w); });
    return w;
  }

  function change(w, state) {
    if (state === "closed") remove(w.id);
    else setState(w, state);
    T.api("/windows/" + w.id, { state: state }).catch(function () { /* the next page load shows the server's state */ });
  }

  function remove(id) {
    var w = windows.get(id);
    if (!w) return;
    w.el.remove();
    windows.delete(id);
  }

  function open(id, state) {
    var existing = windows.get(id);
    if (existing) {
      setState(existing, state);
      return existing;
    }
    var w = build(id, state);
    windows.set(id, w);
    root.appendChild(w.el);
    setState(w, state);
    T.api("/conversations/" + id)
      .then(function (data) {
        w.title.textContent = data.conversation.visitorName;
        data.messages.forEach(function (m) { w.thread.add(m); });
        if (data.conversation.state === "closed") showEnded(w);
        markRead(w);
      })
      .catch(function (err) {
        if (err.status === 404) remove(id);
      });
    return w;
  }

  function sync(list) {
    var wanted = new Map(list.map(function (x) { return [x.conversationId, x.state]; }));
    Array.from(windows.keys()).forEach(function (id) { if (!wanted.has(id)) remove(id); });
    list.forEach(function (x) { open(x.conversationId, x.state); });
  }

  T.api("/windows").then(function (data) { sync(data.windows); });

  document.addEventListener("livechat:open-window", function (event) {
    open(event.detail.conversationId, "open");
  });
  document.addEventListener("visibilitychange", function () { windows.forEach(markRead); });

  if (window.hostBus) {
    window.hostBus.on("livechat.conversation_assigned", function (n) { open(n.payload.conversation.id, "open"); });
    window.hostBus.on("livechat.window", function (n) { sync(n.payload.windows); });
    window.hostBus.on("livechat.message", function (n) {
      var w = windows.get(n.payload.message.conversationId);
      if (w && w.thread.add(n.payload.message)) markRead(w);
    });
    window.hostBus.on("livechat.conversation", function (n) {
      var w = windows.get(n.payload.conversation.id);
      if (w && n.payload.conversation.state === "closed") showEnded(w);
    });
  }
})();
