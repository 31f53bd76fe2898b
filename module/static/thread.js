// Shared by the operator's chat windows and Discuss: the JSON API with CSRF, message rendering
// (always as text, never as HTML), and the composer. Exposed as window.LivechatThread.
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
      return res.json().then(function (data) {
        if (!res.ok) {
          var error = new Error(data.error || "The request failed.");
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
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function time(iso) {
    var d = new Date(iso);
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  /** A thread: a list of messages, deduplicated by id, kept in order. */
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
      var head = el("div", "o-msg-head");
      head.appendChild(el("span", "o-msg-author", message.author.name));
      head.appendChild(el("time", "o-msg-time", time(message.createdAt)));
      item.appendChild(head);
      item.appendChild(el("div", "o-msg-body", message.body));
    }
    var after = null;
    for (var i = 0; i < this.container.children.length; i++) {
      if (Number(this.container.children[i].dataset.messageId) > message.id) {
        after = this.container.children[i];
        break;
      }
    }
    this.container.insertBefore(item, after);
    this.container.scrollTop = this.container.scrollHeight;
    return true;
  };

  /** A composer: Enter sends, Shift+Enter adds a line; a failed send is retried with the same id. */
  function composer(onSend, label) {
    var form = el("form", "o-composer");
    var input = el("textarea", "form-control form-control-sm");
    input.rows = 1;
    input.maxLength = 4000;
    input.setAttribute("aria-label", label || "Message");
    input.placeholder = "Write a message…";
    var send = el("button", "btn btn-primary btn-sm", "Send");
    send.type = "submit";
    form.appendChild(input);
    form.appendChild(send);
    var error = el("div", "o-composer-error text-danger small");
    error.setAttribute("role", "alert");
    form.appendChild(error);
    function submit() {
      var text = input.value.trim();
      if (!text) return;
      var id = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).replace(/[^A-Za-z0-9_.:-]/g, "");
      input.value = "";
      error.textContent = "";
      var attempt = function (tries) {
        return onSend(text, id).catch(function (err) {
          // Network failures are retried with the same client id: the server stores the message once.
          if (!err.status && tries < 3) return new Promise(function (r) { setTimeout(r, 500 * (tries + 1)); }).then(function () { return attempt(tries + 1); });
          error.textContent = err.message;
          if (!input.value) input.value = text;
        });
      };
      attempt(0);
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submit();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        submit();
      }
    });
    return { form: form, input: input };
  }

  window.LivechatThread = { api: api, el: el, Thread: Thread, composer: composer };
})();
