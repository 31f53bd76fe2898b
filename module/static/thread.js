// Shared by the operator's chat windows, Discuss and the Messages icon: the JSON API with CSRF,
// message rendering (always as text, never as HTML) and the composer. Exposed as window.LivechatThread.
(function () {
  "use strict";
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');

  function api(path, body) {
    var init = { credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.method = "POST";
      init.headers["Content-Type"] = "application/json";
      init.headers["x-csrf-token"] = csrfMeta ? csrfMeta.content : "";
      init.body = JSON.stringify(body);
    }
    return fetch("/livechat/api" + path, init).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) {
          var error = new Error(data.error || "The request failed (" + res.status + ").");
          // A status means the server answered: retrying the same request would not help.
          error.status = res.status;
          throw error;
        }
        return data;
      });
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function icon(name) {
    var i = el("i", "fa-solid " + name);
    i.setAttribute("aria-hidden", "true");
    return i;
  }

  /** "Visitor #12" → "V1", "Mitchell Admin" → "MA": the first letter or digit of the first two words. */
  function initials(name) {
    var words = String(name || "").split(/\s+/).map(function (w) { return w.replace(/[^\p{L}\p{N}]/gu, ""); }).filter(Boolean);
    return words.slice(0, 2).map(function (w) { return w[0].toUpperCase(); }).join("") || "?";
  }

  function sameDay(a, b) {
    return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
  }

  /** "14:05" today, "Mon 14:05" this week, a date otherwise. */
  function shortTime(iso) {
    var d = new Date(iso);
    var now = new Date();
    var hm = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    if (sameDay(d, now)) return hm;
    if (now - d < 6 * 86400000) return d.toLocaleDateString([], { weekday: "short" }) + " " + hm;
    return d.toLocaleDateString([], { day: "numeric", month: "short" });
  }

  function timeElement(iso) {
    var t = el("time", "o-msg-time", shortTime(iso));
    t.dateTime = iso;
    t.title = new Date(iso).toLocaleString();
    return t;
  }

  function newClientMessageId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "m" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  /** A thread: a list of messages, deduplicated by id, kept in order, scrolled to the newest. */
  function Thread(container) {
    this.container = container;
    this.ids = new Set();
    this.lastId = 0;
  }
  Thread.prototype.add = function (message) {
    if (this.ids.has(message.id)) return false;
    this.ids.add(message.id);
    this.lastId = Math.max(this.lastId, message.id);
    var kind = message.author.kind;
    var item = el("li", "o-msg o-msg-" + kind);
    item.dataset.messageId = String(message.id);
    if (kind === "system") {
      item.appendChild(el("span", "o-msg-system", message.body));
    } else {
      var avatar = el("span", "o-msg-avatar", initials(message.author.name));
      avatar.setAttribute("aria-hidden", "true");
      item.appendChild(avatar);
      var content = el("div", "o-msg-content");
      var head = el("div", "o-msg-head");
      head.appendChild(el("span", "o-msg-author", message.author.name));
      head.appendChild(timeElement(message.createdAt));
      content.appendChild(head);
      content.appendChild(el("div", "o-msg-body", message.body));
      item.appendChild(content);
    }
    // Stay at the bottom only if the reader was there: someone scrolled up to read keeps their place.
    var atBottom = this.container.scrollHeight - this.container.scrollTop - this.container.clientHeight < 40;
    var before = null;
    for (var i = this.container.children.length - 1; i >= 0; i--) {
      var child = this.container.children[i];
      if (Number(child.dataset.messageId) > message.id) before = child;
      else break;
    }
    this.container.insertBefore(item, before);
    if (atBottom || message.author.kind === "operator") this.container.scrollTop = this.container.scrollHeight;
    return true;
  };
  Thread.prototype.scrollToEnd = function () {
    this.container.scrollTop = this.container.scrollHeight;
  };

  /** An empty message list with its accessible name. */
  function threadList() {
    var list = el("ol", "o-thread list-unstyled");
    list.setAttribute("aria-label", "Messages");
    list.setAttribute("aria-live", "polite");
    list.tabIndex = 0;
    return list;
  }

  /**
   * A composer: Enter sends, Shift+Enter adds a line. A send that fails on the network is retried with
   * the same client id (the server stores it once); sending the same text again after an error reuses
   * that id too, so a message is never stored twice.
   */
  function composer(onSend, options) {
    options = options || {};
    var form = el("form", "o-composer");
    var input = el("textarea", "form-control form-control-sm");
    input.rows = 1;
    input.maxLength = 4000;
    input.setAttribute("aria-label", options.label || "Message");
    input.placeholder = options.placeholder || "Write a message…";
    var send = el("button", "btn btn-sm o-composer-send");
    send.type = "submit";
    send.setAttribute("aria-label", "Send");
    send.title = "Send (Enter)";
    send.appendChild(icon("fa-paper-plane"));
    form.appendChild(input);
    form.appendChild(send);
    var error = el("div", "o-composer-error text-danger small");
    error.setAttribute("role", "alert");
    form.appendChild(error);
    var failed = null;

    function grow() {
      input.style.height = "auto";
      input.style.height = Math.min(input.scrollHeight + 2, 120) + "px";
    }

    function submit() {
      var text = input.value.trim();
      if (!text || input.disabled) return;
      var id = failed && failed.text === text ? failed.id : newClientMessageId();
      failed = null;
      input.value = "";
      grow();
      error.textContent = "";
      var attempt = function (tries) {
        return Promise.resolve()
          .then(function () { return onSend(text, id); })
          .catch(function (err) {
            if (!err.status && tries < 3) {
              return new Promise(function (resolve) { setTimeout(resolve, 600 * (tries + 1)); }).then(function () { return attempt(tries + 1); });
            }
            error.textContent = err.message || "The message could not be sent.";
            if (!err.status) failed = { text: text, id: id };
            if (!input.value) {
              input.value = text;
              grow();
            }
          });
      };
      attempt(0);
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submit();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submit();
      }
    });
    input.addEventListener("input", grow);
    return {
      form: form,
      input: input,
      disable: function (reason) {
        input.disabled = true;
        send.disabled = true;
        input.placeholder = reason || "";
      },
    };
  }

  /** Calls `fn` at most once per `ms`, after the last call. */
  function debounce(fn, ms) {
    var timer = null;
    return function () {
      if (timer) clearTimeout(timer);
      timer = setTimeout(function () {
        timer = null;
        fn();
      }, ms);
    };
  }

  window.LivechatThread = {
    api: api,
    el: el,
    icon: icon,
    initials: initials,
    shortTime: shortTime,
    Thread: Thread,
    threadList: threadList,
    composer: composer,
    debounce: debounce,
  };
})();
