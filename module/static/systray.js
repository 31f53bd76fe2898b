// The Messages icon in the menu bar: a badge with the number of conversations that have unread
// messages, and a dropdown of recent conversations (unread ones bold); choosing one opens its chat
// window (chat_windows.js stores the new state on the server).
(function () {
  "use strict";
  var T = window.LivechatThread;
  var root = document.querySelector("[data-livechat-messages]");
  if (!T || !root) return;
  var el = T.el;
  var button = root.querySelector("button");
  var badge = root.querySelector("[data-unread-badge]");
  var list = root.querySelector("[data-conversation-list]");

  function setCount(count) {
    badge.textContent = String(count);
    badge.hidden = count === 0;
    button.setAttribute("aria-label", count ? "Messages, " + count + " unread" : "Messages");
    button.title = count ? count + (count === 1 ? " conversation" : " conversations") + " with unread messages" : "Messages";
  }

  function recent(data) {
    var all = [];
    data.channels.forEach(function (c) { all = all.concat(c.conversations); });
    // Unread first, then the most recent activity.
    all.sort(function (a, b) {
      if (!a.unread !== !b.unread) return a.unread ? -1 : 1;
      var at = a.lastMessage ? a.lastMessage.id : 0;
      var bt = b.lastMessage ? b.lastMessage.id : 0;
      return bt - at || b.id - a.id;
    });
    return all.slice(0, 12);
  }

  var shown = null;

  function render(data) {
    setCount(data.unreadConversations);
    // Unchanged data keeps the same elements: no flicker under the pointer of someone choosing.
    var key = JSON.stringify(data);
    if (key === shown) return;
    shown = key;
    list.replaceChildren();
    var header = el("li");
    var title = el("h6", "dropdown-header d-flex align-items-center");
    title.appendChild(el("span", "me-auto", "Live chat"));
    var all = el("a", "small", "Open Discuss");
    all.href = "/livechat/discuss";
    title.appendChild(all);
    header.appendChild(title);
    list.appendChild(header);
    var items = recent(data);
    if (items.length === 0) list.appendChild(el("li", "dropdown-item-text text-muted small", "No conversations yet."));
    items.forEach(function (c) {
      var item = el("li");
      var pick = el("button", "dropdown-item o-messages-item" + (c.unread ? " o-unread" : ""));
      pick.type = "button";
      var avatar = el("span", "o-messages-avatar", T.initials(c.visitorName));
      avatar.setAttribute("aria-hidden", "true");
      pick.appendChild(avatar);
      var text = el("span", "o-messages-text");
      var line = el("span", "o-messages-line");
      line.appendChild(el("span", "o-messages-name", c.visitorName));
      if (c.lastMessage) line.appendChild(el("time", "o-messages-time", T.shortTime(c.lastMessage.createdAt)));
      text.appendChild(line);
      var preview = c.lastMessage ? (c.lastMessage.author.kind === "visitor" ? "" : c.lastMessage.author.name + ": ") + c.lastMessage.body : c.channel.name;
      text.appendChild(el("span", "o-messages-preview", preview));
      pick.appendChild(text);
      if (c.unread) {
        var count = el("span", "badge rounded-pill text-bg-primary", String(c.unread));
        count.setAttribute("aria-label", c.unread + " unread");
        pick.appendChild(count);
      }
      pick.addEventListener("click", function () {
        // Not assigned yet (a visitor in the queue): nothing to answer in a window, Discuss shows it.
        var unassigned = c.state === "waiting" || c.state === "bot";
        if (unassigned && !document.querySelector("[data-discuss-main]")) location.assign("/livechat/discuss?conversation=" + c.id);
        else document.dispatchEvent(new CustomEvent("livechat:open-window", { detail: { conversationId: c.id } }));
      });
      item.appendChild(pick);
      list.appendChild(item);
    });
  }

  var refresh = T.debounce(function () {
    T.api("/conversations").then(render).catch(function () { /* keep the last known count */ });
  }, 150);

  refresh();
  root.addEventListener("show.bs.dropdown", refresh);
  var bus = window.hostBus;
  if (bus) {
    ["livechat.message", "livechat.conversation", "livechat.conversation_assigned", "livechat.unread"].forEach(function (type) {
      bus.on(type, refresh);
    });
    if (bus.onReady) bus.onReady(refresh);
  }
  // Messages left by visitors waiting in the queue reach no operator's bus channel: refresh slowly.
  setInterval(function () { if (document.visibilityState === "visible") refresh(); }, 60000);
})();
