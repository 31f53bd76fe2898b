// Operator chat windows, bottom right of every page. Which windows are open or folded is kept on the
// server (/livechat/api/windows), so they come back on every page and every tab follows the others
// through `livechat.window` notifications.
(function () {
  "use strict";
  var T = window.LivechatThread;
  var root = document.getElementById("o-chat-windows");
  if (!T || !root) return;
  var el = T.el;
  var WINDOW_SLOT = 320; // a window's width plus the gap between windows
  /** Conversation id → window, in opening order (the newest is the rightmost). */
  var windows = new Map();

  // On Discuss, the conversation opens in the page itself; windows stay (hidden) and come back elsewhere.
  var onDiscuss = !!document.querySelector("[data-discuss-main]");
  root.classList.toggle("o-on-discuss", onDiscuss);
  var more = buildMore();
  root.appendChild(more.el);

  /** Whether the operator can see the windows: not on a hidden tab, not on Discuss (windows hidden). */
  function visible() {
    return !onDiscuss && document.visibilityState === "visible";
  }

  function markRead(w) {
    if (w.state !== "open" || !visible() || !w.loaded || w.el.hidden) return;
    if (!w.thread.lastId || w.readUpTo >= w.thread.lastId) {
      setUnread(w, 0);
      return;
    }
    var upTo = w.thread.lastId;
    w.readUpTo = upTo;
    setUnread(w, 0);
    T.api("/conversations/" + w.id + "/read", { lastMessageId: upTo }).catch(function () { w.readUpTo = 0; });
  }

  function setUnread(w, count) {
    w.unread = count;
    w.badge.textContent = String(count);
    w.badge.hidden = count === 0;
    w.badge.setAttribute("aria-label", count + " unread");
  }

  function setState(w, state) {
    w.state = state;
    w.el.classList.toggle("o-folded", state === "folded");
    w.foldButton.setAttribute("aria-label", state === "folded" ? "Unfold" : "Fold");
    w.foldButton.title = state === "folded" ? "Unfold" : "Fold";
    w.foldButton.setAttribute("aria-expanded", state === "folded" ? "false" : "true");
    w.foldIcon.className = "fa-solid " + (state === "folded" ? "fa-chevron-up" : "fa-minus");
    if (state === "open") w.thread.scrollToEnd();
    markRead(w);
  }

  function showEnded(w) {
    if (w.ended) return;
    w.ended = true;
    w.el.classList.add("o-ended");
    w.composer.disable("This conversation has ended.");
    w.endButton.hidden = true;
    w.notice.textContent = "This conversation has ended.";
  }

  function iconButton(label, iconName) {
    var button = el("button", "btn btn-sm o-chat-action");
    button.type = "button";
    button.setAttribute("aria-label", label);
    button.title = label;
    var i = T.icon(iconName);
    button.appendChild(i);
    return { button: button, icon: i };
  }

  function build(id, state) {
    var section = el("section", "o-chat-window shadow");
    section.setAttribute("aria-label", "Chat window");
    section.dataset.conversationId = String(id);
    var header = el("header", "o-chat-header");
    var avatar = el("span", "o-chat-avatar", "…");
    avatar.setAttribute("aria-hidden", "true");
    var titles = el("div", "o-chat-titles");
    var title = el("h2", "o-chat-title", "Visitor");
    var subtitle = el("div", "o-chat-subtitle");
    titles.appendChild(title);
    titles.appendChild(subtitle);
    var badge = el("span", "badge rounded-pill o-chat-unread");
    badge.hidden = true;
    var end = iconButton("End conversation", "fa-right-from-bracket");
    var fold = iconButton("Fold", "fa-minus");
    var close = iconButton("Close", "fa-xmark");
    [avatar, titles, badge, end.button, fold.button, close.button].forEach(function (n) { header.appendChild(n); });
    var body = el("div", "o-chat-body");
    var list = T.threadList();
    body.appendChild(list);
    var notice = el("p", "o-chat-notice small text-muted");
    notice.setAttribute("role", "status");
    body.appendChild(notice);
    var w = {
      id: id,
      el: section,
      title: title,
      subtitle: subtitle,
      avatar: avatar,
      badge: badge,
      state: state,
      thread: new T.Thread(list),
      readUpTo: 0,
      unread: 0,
      loaded: false,
      notice: notice,
      foldButton: fold.button,
      foldIcon: fold.icon,
      endButton: end.button,
      ended: false,
    };
    w.composer = T.composer(function (text, clientMessageId) {
      return T.api("/conversations/" + id + "/messages", { body: text, clientMessageId: clientMessageId }).then(function (res) {
        w.thread.add(res.message);
        markRead(w);
      });
    });
    body.appendChild(w.composer.form);
    section.appendChild(header);
    section.appendChild(body);

    // Like Odoo, a click on the header's empty space folds or unfolds the window.
    header.addEventListener("click", function (event) {
      if (event.target.closest("button")) return;
      change(w, w.state === "folded" ? "open" : "folded");
    });
    fold.button.addEventListener("click", function () { change(w, w.state === "folded" ? "open" : "folded"); });
    close.button.addEventListener("click", function () { change(w, "closed"); });
    end.button.addEventListener("click", function () {
      end.button.disabled = true;
      T.api("/conversations/" + id + "/end", {})
        .then(function () { showEnded(w); })
        .catch(function (err) {
          end.button.disabled = false;
          w.notice.textContent = err.message;
        });
    });
    section.addEventListener("focusin", function () { markRead(w); });
    section.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && w.state === "open") {
        change(w, "folded");
        fold.button.focus();
      }
    });
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
    layout();
  }

  function load(w) {
    return T.api("/conversations/" + w.id)
      .then(function (data) {
        var c = data.conversation;
        w.title.textContent = c.visitorName;
        w.avatar.textContent = T.initials(c.visitorName);
        w.subtitle.textContent = c.channel.name + (c.visitorLang ? " · " + c.visitorLang : "");
        data.messages.forEach(function (m) { w.thread.add(m); });
        w.loaded = true;
        setUnread(w, c.unread || 0);
        if (c.state === "closed") showEnded(w);
        else if (c.state === "waiting" || c.state === "bot") {
          w.waiting = true;
          w.composer.disable("Waiting for an operator.");
          w.notice.textContent = "This visitor is waiting in the queue.";
        }
        w.thread.scrollToEnd();
        markRead(w);
      })
      .catch(function (err) {
        // Not ours any more (or gone): the window has nothing to show.
        if (err.status === 404 || err.status === 403) remove(w.id);
      });
  }

  function open(id, state) {
    var existing = windows.get(id);
    if (existing) {
      if (existing.state !== state) setState(existing, state);
      return existing;
    }
    var w = build(id, state);
    windows.set(id, w);
    root.appendChild(w.el);
    setState(w, state);
    layout();
    load(w);
    return w;
  }

  /** Moves a window to the front (rightmost), e.g. when the operator picks it in the Messages menu. */
  function toFront(w) {
    windows.delete(w.id);
    windows.set(w.id, w);
    root.appendChild(w.el);
    layout();
  }

  function sync(list) {
    var wanted = new Map(list.map(function (x) { return [x.conversationId, x.state]; }));
    Array.from(windows.keys()).forEach(function (id) { if (!wanted.has(id)) remove(id); });
    list.forEach(function (x) { open(x.conversationId, x.state); });
  }

  // ---- windows that do not fit the screen --------------------------------------------------------

  function buildMore() {
    var wrap = el("div", "dropup o-chat-more");
    wrap.hidden = true;
    var button = el("button", "btn btn-sm shadow o-chat-more-button");
    button.type = "button";
    button.setAttribute("data-bs-toggle", "dropdown");
    button.setAttribute("aria-expanded", "false");
    var count = el("span");
    button.appendChild(T.icon("fa-comments"));
    button.appendChild(count);
    var menu = el("ul", "dropdown-menu dropdown-menu-end");
    wrap.appendChild(button);
    wrap.appendChild(menu);
    return { el: wrap, button: button, count: count, menu: menu };
  }

  /** Shows as many windows as fit, newest first; the others wait behind a "+N" menu. */
  function layout() {
    var list = Array.from(windows.values());
    var room = Math.max(1, Math.floor((window.innerWidth - 24) / WINDOW_SLOT));
    // When some must wait, the "+N" button takes the place of one window.
    var shown = list.length > room ? Math.max(1, room - 1) : list.length;
    var hidden = list.slice(0, list.length - shown);
    list.forEach(function (w) {
      var wasHidden = w.el.hidden;
      w.el.hidden = hidden.indexOf(w) >= 0;
      if (wasHidden && !w.el.hidden) markRead(w);
    });
    more.el.hidden = hidden.length === 0;
    more.count.textContent = " +" + hidden.length;
    more.button.setAttribute("aria-label", hidden.length + " more chat windows");
    more.menu.replaceChildren();
    hidden.forEach(function (w) {
      var item = el("li");
      var pick = el("button", "dropdown-item" + (w.unread ? " fw-bold" : ""), w.title.textContent);
      pick.type = "button";
      pick.addEventListener("click", function () {
        toFront(w);
        if (w.state !== "open") change(w, "open");
      });
      item.appendChild(pick);
      more.menu.appendChild(item);
    });
  }

  // ---- events ------------------------------------------------------------------------------------

  function refreshAll() {
    return T.api("/windows").then(function (data) { sync(data.windows); }).catch(function () { /* retried on the next bus connection */ });
  }

  refreshAll();
  window.addEventListener("resize", T.debounce(layout, 150));
  document.addEventListener("visibilitychange", function () { windows.forEach(markRead); });

  // The Messages menu and Discuss ask for a window this way.
  document.addEventListener("livechat:open-window", function (event) {
    if (onDiscuss) return;
    var id = event.detail.conversationId;
    var w = open(id, "open");
    toFront(w);
    change(w, "open");
    if (w.state === "open" && w.loaded) w.composer.input.focus();
  });

  var bus = window.hostBus;
  if (bus) {
    bus.on("livechat.conversation_assigned", function (n) { open(n.payload.conversation.id, "open"); });
    bus.on("livechat.window", function (n) { sync(n.payload.windows); });
    bus.on("livechat.message", function (n) {
      var message = n.payload.message;
      var w = windows.get(message.conversationId);
      // Before the window's first load, the message is kept; the load brings the server's unread count.
      if (!w || !w.thread.add(message) || !w.loaded) return;
      if (message.author.kind !== "operator" && message.author.kind !== "system" && (w.state !== "open" || !visible())) setUnread(w, w.unread + 1);
      markRead(w);
      layout();
    });
    bus.on("livechat.conversation", function (n) {
      var w = windows.get(n.payload.conversation.id);
      if (!w) return;
      if (n.payload.conversation.state === "closed") showEnded(w);
      else if (w.waiting && n.payload.conversation.state === "open") {
        // Assigned meanwhile: build it again with a working composer.
        var state = w.state;
        remove(w.id);
        open(n.payload.conversation.id, state);
      }
    });
    // After a reconnection, missed notifications were replayed; the server's list is the truth.
    if (bus.onReady) bus.onReady(refreshAll);
  }
})();
