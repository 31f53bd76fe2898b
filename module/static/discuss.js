// Discuss: live chat conversations grouped under their channel's name (unread ones bold, with a
// count), and the selected conversation with the same thread and composer as the chat windows.
// The URL keeps the selection (?conversation=<id>). Started on DOMContentLoaded: thread.js comes
// later in the page (layout.body_end), and deferred scripts have all run by then.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var T = window.LivechatThread;
  var sidebar = document.querySelector("[data-discuss-sidebar]");
  var main = document.querySelector("[data-discuss-main]");
  if (!T || !sidebar || !main) return;
  var el = T.el;
  var selected = idFromUrl();
  /** The conversation shown in the main area: { id, thread, composer, ended }. */
  var current = null;

  function idFromUrl() {
    return Number(new URLSearchParams(location.search).get("conversation")) || null;
  }

  function visible() {
    return document.visibilityState === "visible";
  }

  // ---- sidebar -----------------------------------------------------------------------------------

  var shown = null;

  function renderSidebar(data) {
    // Unchanged data keeps the same elements (no flicker, focus stays where it was).
    var key = JSON.stringify([data, selected]);
    if (key === shown) return;
    shown = key;
    sidebar.replaceChildren();
    if (data.channels.length === 0) {
      var empty = el("p", "o-discuss-sidebar-empty", "No live chat conversation yet. Join a channel under Live Chat → Channels to receive visitors.");
      sidebar.appendChild(empty);
    }
    data.channels.forEach(function (channel) {
      var heading = el("h2", "o-discuss-heading");
      heading.appendChild(T.icon("fa-headset"));
      heading.appendChild(document.createTextNode(" " + channel.name));
      var list = el("ul", "list-unstyled o-discuss-list");
      list.setAttribute("aria-label", channel.name);
      channel.conversations.forEach(function (c) {
        var item = el("li");
        var link = el("a", "o-discuss-item" + (c.unread ? " o-unread" : "") + (c.state === "closed" ? " o-closed" : "") + (c.id === selected ? " active" : ""));
        link.href = "?conversation=" + c.id;
        link.dataset.conversationId = String(c.id);
        if (c.id === selected) link.setAttribute("aria-current", "page");
        var avatar = el("span", "o-discuss-avatar", T.initials(c.visitorName));
        avatar.setAttribute("aria-hidden", "true");
        link.appendChild(avatar);
        var text = el("span", "o-discuss-text");
        text.appendChild(el("span", "o-discuss-name", c.visitorName));
        if (c.lastMessage) text.appendChild(el("span", "o-discuss-preview", c.lastMessage.body));
        link.appendChild(text);
        if (c.state === "closed") link.appendChild(el("span", "o-discuss-tag", "ended"));
        else if (c.state === "waiting" || c.state === "bot") link.appendChild(el("span", "o-discuss-tag o-discuss-tag-waiting", "waiting"));
        if (c.unread) {
          var count = el("span", "badge rounded-pill o-discuss-count", String(c.unread));
          count.setAttribute("aria-label", c.unread + " unread");
          link.appendChild(count);
        }
        link.addEventListener("click", function (event) {
          if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
          event.preventDefault();
          select(c.id, true);
        });
        item.appendChild(link);
        list.appendChild(item);
      });
      sidebar.appendChild(heading);
      sidebar.appendChild(list);
    });
  }

  function refreshSidebar() {
    return T.api("/conversations").then(renderSidebar).catch(function (err) {
      shown = null;
      sidebar.replaceChildren(el("p", "o-discuss-sidebar-empty text-danger", err.message));
    });
  }
  var refreshSoon = T.debounce(refreshSidebar, 150);

  // ---- main area ---------------------------------------------------------------------------------

  function markRead() {
    if (!current || !current.thread.lastId || !visible() || current.readUpTo >= current.thread.lastId) return;
    current.readUpTo = current.thread.lastId;
    T.api("/conversations/" + current.id + "/read", { lastMessageId: current.thread.lastId })
      .then(refreshSidebar)
      .catch(function () { if (current) current.readUpTo = 0; });
  }

  function showEnded() {
    if (!current || current.ended) return;
    current.ended = true;
    current.composer.disable("This conversation has ended.");
    current.endButton.hidden = true;
    current.notice.textContent = "This conversation has ended.";
  }

  /** Not assigned yet: the operator reads what the visitor left; answering starts once it is assigned. */
  function showWaiting(c) {
    current.waiting = true;
    current.composer.disable("Waiting for an operator: answer once it is assigned.");
    current.endButton.hidden = true;
    current.notice.textContent = c.state === "bot"
      ? "The visitor is talking with the chatbot."
      : "This visitor is waiting in the queue" + (c.queuePosition ? " (number " + c.queuePosition + ")" : "") + ": the conversation opens in a chat window when it is assigned.";
  }

  function showEmpty(text) {
    var empty = el("div", "o-discuss-empty");
    empty.appendChild(T.icon("fa-comments"));
    empty.appendChild(el("p", "", text));
    main.replaceChildren(empty);
  }

  function renderConversation(data) {
    var c = data.conversation;
    var id = c.id;
    main.replaceChildren();
    var header = el("header", "o-discuss-header");
    var avatar = el("span", "o-discuss-avatar o-discuss-avatar-lg", T.initials(c.visitorName));
    avatar.setAttribute("aria-hidden", "true");
    header.appendChild(avatar);
    var titles = el("div", "o-discuss-titles");
    titles.appendChild(el("h1", "h5 mb-0", c.visitorName));
    var details = [c.channel.name];
    if (c.operator) details.push("with " + c.operator.name);
    if (c.visitorLang) details.push(c.visitorLang);
    details.push("started " + T.shortTime(c.createdAt));
    titles.appendChild(el("div", "text-muted small", details.join(" · ")));
    header.appendChild(titles);
    var end = el("button", "btn btn-outline-secondary btn-sm ms-auto");
    end.type = "button";
    end.appendChild(T.icon("fa-right-from-bracket"));
    end.appendChild(document.createTextNode(" End conversation"));
    header.appendChild(end);
    main.appendChild(header);

    // What the visitor told the chatbot before the hand-off.
    if (data.answers && data.answers.length) {
      var answers = el("dl", "o-discuss-answers");
      answers.setAttribute("aria-label", "Visitor's answers");
      data.answers.forEach(function (a) {
        answers.appendChild(el("dt", "", a.question));
        answers.appendChild(el("dd", "", a.value));
      });
      main.appendChild(answers);
    }

    var list = T.threadList();
    main.appendChild(list);
    var notice = el("p", "o-discuss-notice small text-muted");
    notice.setAttribute("role", "status");
    main.appendChild(notice);
    current = { id: id, thread: new T.Thread(list), ended: false, readUpTo: 0, endButton: end, notice: notice };
    data.messages.forEach(function (m) { current.thread.add(m); });
    var view = current;
    current.composer = T.composer(function (text, clientMessageId) {
      return T.api("/conversations/" + id + "/messages", { body: text, clientMessageId: clientMessageId }).then(function (res) {
        view.thread.add(res.message);
      });
    });
    main.appendChild(current.composer.form);
    end.addEventListener("click", function () {
      end.disabled = true;
      T.api("/conversations/" + id + "/end", {})
        .then(function () {
          if (current === view) showEnded();
          refreshSidebar();
        })
        .catch(function (err) {
          end.disabled = false;
          notice.textContent = err.message;
        });
    });
    if (c.state === "closed") showEnded();
    else if (c.state === "waiting" || c.state === "bot") showWaiting(c);
    current.thread.scrollToEnd();
    if (!current.ended) current.composer.input.focus();
    markRead();
  }

  function select(id, push) {
    selected = id;
    if (push && idFromUrl() !== id) history.pushState(null, "", "?conversation=" + id);
    sidebar.querySelectorAll(".o-discuss-item").forEach(function (a) {
      var on = Number(a.dataset.conversationId) === id;
      a.classList.toggle("active", on);
      if (on) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    });
    return T.api("/conversations/" + id)
      .then(function (data) {
        if (selected === id) renderConversation(data);
      })
      .catch(function (err) {
        if (selected !== id) return;
        current = null;
        showEmpty(err.status === 404 ? "This conversation does not exist or is not yours." : err.message);
      });
  }

  window.addEventListener("popstate", function () {
    var id = idFromUrl();
    if (id) select(id, false);
    else {
      selected = null;
      current = null;
      showEmpty("Choose a conversation on the left.");
      refreshSidebar();
    }
  });
  // The Messages menu asks for a conversation: here it opens in the main area, not in a window.
  document.addEventListener("livechat:open-window", function (event) {
    select(event.detail.conversationId, true);
  });
  document.addEventListener("visibilitychange", markRead);
  main.addEventListener("focusin", markRead);

  refreshSidebar().then(function () { if (selected) select(selected, false); });

  var bus = window.hostBus;
  if (bus) {
    bus.on("livechat.message", function (n) {
      var message = n.payload.message;
      if (current && message.conversationId === current.id) {
        current.thread.add(message);
        markRead();
      }
      refreshSoon();
    });
    bus.on("livechat.conversation", function (n) {
      var c = n.payload.conversation;
      if (current && c.id === current.id) {
        if (c.state === "closed") showEnded();
        // Assigned (to this operator) meanwhile: reload it with a working composer.
        else if (current.waiting && c.state === "open") select(current.id, false);
      }
      refreshSoon();
    });
    // Read elsewhere (a chat window, another tab), or a new conversation: the sidebar follows.
    bus.on("livechat.unread", refreshSoon);
    bus.on("livechat.conversation_assigned", refreshSoon);
    bus.on("livechat.conversation_assigned", function (n) {
      if (current && current.waiting && n.payload.conversation.id === current.id) select(current.id, false);
    });
    if (bus.onReady) bus.onReady(refreshSoon);
  }
  // Visitors waiting in a channel's queue are not anyone's yet, so no notification names this
  // operator: a slow refresh keeps them (and the messages they leave) in view.
  setInterval(function () { if (visible()) refreshSidebar(); }, 30000);
});
