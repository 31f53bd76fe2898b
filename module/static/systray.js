// The Messages icon in the menu bar: a badge with the number of conversations that have unread
// messages, and a dropdown of recent conversations; choosing one opens its chat window.
(function () {
  "use strict";
  var T = window.LivechatThread;
  var root = document.querySelector("[data-livechat-messages]");
  if (!T || !root) return;
  var badge = root.querySelector("[data-unread-badge]");
  var list = root.querySelector("[data-conversation-list]");
  var pending = null;

  function setCount(count) {
    badge.textContent = String(count);
    badge.hidden = count === 0;
    root.querySelector("button").setAttribute("aria-label", count ? "Messages, " + count + " unread" : "Messages");
  }

  function render(data) {
    setCount(data.unreadConversations);
    var all = [];
    data.channels.forEach(function (c) { all = all.concat(c.conversations); });
    all.sort(function (a, b) {
      var at = a.lastMessage ? a.lastMessage.id : 0;
      var bt = b.lastMessage ? b.lastMessage.id : 0;
      return bt - at;
    });
    list.replaceChildren();
    if (all.length === 0) list.appendChild(T.el("li", "dropdown-item-text text-muted small", "No conversations yet."));
    all.slice(0, 10).forEach(function (c) {
      var item = T.el("li");
      var button = T.el("button", "dropdown-item o-messages-item" + (c.unread ? " fw-bold" : ""));
      button.type = "button";
      button.appendChild(T.el("span", "d-block", c.visitorName + (c.unread ? " (" + c.unread + ")" : "")));
      button.appendChild(T.el("span", "d-block small text-muted text-truncate", c.channel.name + (c.lastMessage ? " · " + c.lastMessage.body : "")));
      button.addEventListener("click", function () {
        document.dispatchEvent(new CustomEvent("livechat:open-window", { detail: { conversationId: c.id } }));
        T.api("/windows/" + c.id, { state: "open" });
      });
      item.appendChild(button);
      list.appendChild(item);
    });
  }

  function refresh() {
    if (pending) return;
    pending = setTimeout(function () {
      pending = null;
      T.api("/conversations").then(render).catch(function () { /* keep the last known count */ });
    }, 150);
  }

  refresh();
  root.addEventListener("show.bs.dropdown", refresh);
  if (window.hostBus) {
    ["livechat.message", "livechat.conversation_assigned", "livechat.unread"].forEach(function (type) {
      window.hostBus.on(type, refresh);
    });
  }
})();
