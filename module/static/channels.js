// Channels kanban: Join / Leave without reloading the page, and cards that follow removals by the
// inactivity rule. Without this script the buttons still work as plain form posts.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');

  function initials(name) {
    return name.split(/\s+/).filter(Boolean).slice(0, 2).map(function (w) { return w[0].toUpperCase(); }).join("");
  }

  function render(card, channel) {
    var form = card.querySelector("[data-join-form]");
    var button = form.querySelector("button");
    form.action = "/livechat/channels/" + channel.id + "/" + (channel.isMember ? "leave" : "join");
    button.textContent = channel.isMember ? "Leave" : "Join";
    button.className = channel.isMember ? "btn btn-outline-secondary btn-sm" : "btn btn-primary btn-sm";
    var members = card.querySelector("[data-members]");
    var count = members.querySelector("[data-member-count]");
    members.querySelectorAll(".o-avatar").forEach(function (a) { a.remove(); });
    channel.members.forEach(function (m) {
      var avatar = document.createElement("span");
      avatar.className = "o-avatar";
      avatar.title = m.name;
      avatar.setAttribute("aria-label", m.name);
      avatar.textContent = initials(m.name);
      members.insertBefore(avatar, count);
    });
    count.textContent = channel.memberCount + (channel.memberCount === 1 ? " operator" : " operators");
  }

  function notice(text) {
    var box = document.querySelector("[data-livechat-notice]");
    if (!box) return;
    box.textContent = text;
    box.classList.remove("d-none");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-join-form]");
    if (!form || !window.fetch) return;
    event.preventDefault();
    var card = form.closest("[data-channel-id]");
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json", "x-csrf-token": csrf ? csrf.content : "" },
      body: "{}",
      credentials: "same-origin",
    })
      .then(function (res) {
        return res.json().then(function (body) {
          if (!res.ok) throw new Error(body.error || "The request failed.");
          render(card, body.channel);
        });
      })
      .catch(function (err) { notice(err.message); })
      .finally(function () { button.disabled = false; });
  });

  if (window.hostBus) {
    window.hostBus.on("livechat.channel_left", function (n) {
      ((n.payload && n.payload.channels) || []).forEach(function (channel) {
        var card = document.querySelector('[data-channel-id="' + channel.id + '"]');
        if (card) render(card, channel);
      });
      notice("You were inactive for too long and left your channels. Join again when you are back.");
    });
  }
})();
