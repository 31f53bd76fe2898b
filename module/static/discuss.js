// Discuss: live chat conversations grouped under their channel's name (unread ones bold, with a
// count), and the selected conversation with the same composer as the chat windows.
// Started on DOMContentLoaded: thread.js comes later in the page (layout.body_end), and deferred
// scripts have all run by then.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var T = window.LivechatThread;
  var sidebar = document.querySelector("[data-discuss-sidebar]");
  var main = document.querySelector("[data-discuss-main]");
  if (!T || !sidebar || !main) return;
  var selected = Number(new URLSearchParams(location.search).get("conversation")) || null;
  var current = null;

  function renderSidebar(data) {
    sidebar.replaceChildren();
    if (data.channels.length === 0) sidebar.appendChild(T.el("p", "text-muted small p-3", "No live chat conversation yet."));
    data.channels.forEach(function (channel) {
      var heading = T.el("h2", "o-discuss-heading", channel.name);
      var list = T.el("ul", "list-unstyled mb-3");
      list.setAttribute("aria-label", channel.name);
      channel.conversations.forEach(function (c) {
        var item = T.el("li");
        var link = T.el("a", "o-discuss-item" + (c.unread ? " o-unread" : "") + (c.id === selected ? " active" : ""));
        link.href = "?conversation=" + c.id;
        link.dataset.conversationId = String(c.id);
        if (c.id === selected) link.setAttribute("aria-current", "page");
        link.appendChild(T.el("span", "o-discuss-name", c.visitorName));
        if (c.state === "closed") link.appendChild(T.el("span", "badge text-bg-light ms-1", "ended"));
        if (c.unread) {
          var count = T.el("span", "badge rounded-pill text-bg-primary ms-auto", String(c.unread));
          count.setAttribute("aria-label", c.unread + " unread");
          link.appendChild(count);
        }
        link.addEventListener("click", function (event) {
          event.preventDefault();
          select(c.id);
        });
        item.appendChild(link);
        list.appendChild(item);
      });
      sidebar.appendChild(heading);
      sidebar.appendChild(list);
    });
  }

  function refreshSidebar() {
    return T.api("/conversations").then(renderSidebar);
  }

  function markRead() {
    if (!current || !current.thread.lastId) return;
    T.api("/conversations/" + current.id + "/read", { lastMessageId: current.thread.lastId }).then(refreshSidebar);
  }

  function select(id) {
    selected = id;
    history.replaceState(null, "", "?conversation=" + id);
    T.api("/conversations/" + id).then(function (data) {
      main.replaceChildren();
      var header = T.el("header", "o-discuss-header");
      header.appendChild(T.el("h1", "h5 mb-0", data.conversation.visitorName));
      header.appendChild(T.el("span", "text-muted small", data.conversation.channel.name + (data.conversation.operator ? " · " + data.conversation.operator.name : "")));
      main.appendChild(header);
      var list = T.el("ol", "o-thread list-unstyled");
      list.setAttribute("aria-label", "Messages");
      list.setAttribute("aria-live", "polite");
      main.appendChild(list);
      current = { id: id, thread: new T.Thread(list), state: data.conversation.state };
      data.messages.forEach(function (m) { current.thread.add(m); });
      var composer = T.composer(function (text, clientMessageId) {
        return T.api("/conversations/" + id + "/messages", { body: text, clientMessageId: clientMessageId }).then(function (res) {
          current.thread.add(res.message);
        });
      });
      if (data.conversation.state === "closed") {
        composer.input.disabled = true;
        main.appendChild(T.el("p", "small text-muted px-3", "This conversation has ended."));
      }
      main.appendChild(composer.form);
      markRead();
    });
  }

  refreshSidebar().then(function () { if (selected) select(selected); });

  if (window.hostBus) {
    window.hostBus.on("livechat.message", function (n) {
      var message = n.payload.message;
      if (current && message.conversationId === current.id && document.visibilityState === "visible") {
        if (current.thread.add(message)) markRead();
      } else {
        refreshSidebar();
      }
    });
    window.hostBus.on("livechat.conversation_assigned", refreshSidebar);
  }
});
