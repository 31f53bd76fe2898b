/*
 * Browser client of the host's notification bus (served at /host/static/bus.js, no build step).
 *
 *   var bus = window.HostBus.connect({ token: visitorToken, storageKey: "my-widget", origin: "https://helpdesk.example" });
 *   bus.on("message", function (notification) { ... });   // "*" receives every type
 *   bus.onSignal("typing", function (signal) { ... });     // signals: never stored, never caught up
 *   bus.onReady(function () { ... });                       // after each (re)connection's catch-up
 *   bus.post(path, body, lang)   // a POST over the socket (a visitor's lean route, or a logged-in user's socket
 *                                // route): a promise of { status, body, retryAfter }, or null when the socket
 *                                // is not open (send it over HTTP then)
 *   bus.close();
 *
 * The last notification id is kept in sessionStorage, so a reload or a reconnect asks the server for
 * exactly what was missed. Logged-in users (no token) also report presence: the server is told every
 * 30 s whether there was real input since the previous beat.
 */
(function () {
  "use strict";

  var HEARTBEAT_MS = 30000;
  var MIN_RETRY_MS = 1000;
  var MAX_RETRY_MS = 30000;
  var MOUSEMOVE_EVERY_MS = 1000;
  var SEEN_LIMIT = 1000;
  /** The server takes frames up to 16 KiB: a larger post goes over HTTP. */
  var MAX_POST_BYTES = 15000;

  /** sessionStorage can be unavailable (privacy settings, sandboxed frames): fall back to memory. */
  function makeStore(key) {
    var memory = null;
    return {
      get: function () {
        try {
          var value = window.sessionStorage.getItem(key);
          return value === null ? memory : value;
        } catch (e) {
          return memory;
        }
      },
      set: function (value) {
        memory = value;
        try {
          window.sessionStorage.setItem(key, value);
        } catch (e) {
          /* memory copy is enough for this page */
        }
      },
    };
  }

  function connect(options) {
    options = options || {};
    var token = options.token || null;
    var isUser = !token;
    var store = makeStore(options.storageKey || (isUser ? "hostbus.last" : "hostbus.visitor.last"));

    var handlers = {};
    var signalHandlers = {};
    var readyHandlers = [];
    var seen = new Set();
    var seenOrder = [];
    var stored = parseInt(store.get() || "", 10);
    var lastId = isFinite(stored) && stored >= 0 ? stored : null;

    var socket = null;
    var closed = false;
    var attempts = 0;
    var retryTimer = null;
    var heartbeatTimer = null;
    var hadInput = false;
    var lastMouseMove = 0;
    var nextRef = 0;
    /** Posts sent on the current socket and not yet answered, by ref: failed if the socket closes first. */
    var unanswered = {};

    // A widget embedded on another website passes the host's origin; pages of the host use their own.
    var origin = options.origin ? new URL(options.origin) : window.location;

    function url() {
      var scheme = origin.protocol === "https:" ? "wss://" : "ws://";
      var base = scheme + origin.host + "/websocket";
      return token ? base + "?token=" + encodeURIComponent(token) : base;
    }

    function remember(id) {
      if (lastId === null || id > lastId) {
        lastId = id;
        store.set(String(id));
      }
    }

    function markSeen(id) {
      seen.add(id);
      seenOrder.push(id);
      if (seenOrder.length > SEEN_LIMIT) seen.delete(seenOrder.shift());
    }

    function emit(list, notification) {
      if (!list) return;
      list.slice().forEach(function (handler) {
        try {
          handler(notification);
        } catch (e) {
          if (window.console) window.console.error(e);
        }
      });
    }

    function dispatch(notification) {
      if (!notification || typeof notification.id !== "number") return;
      if (seen.has(notification.id)) return;
      markSeen(notification.id);
      remember(notification.id);
      emit(handlers[notification.type], notification);
      emit(handlers["*"], notification);
    }

    function send(message) {
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    }

    function beat() {
      if (!isUser) return;
      send({ op: "presence", input: hadInput });
      hadInput = false;
    }

    function open() {
      if (closed) return;
      var ws;
      try {
        ws = new WebSocket(url());
      } catch (e) {
        scheduleRetry();
        return;
      }
      socket = ws;
      ws.onopen = function () {
        send({ op: "hello", last: lastId });
        beat();
      };
      ws.onmessage = function (event) {
        var message;
        try {
          message = JSON.parse(event.data);
        } catch (e) {
          return;
        }
        if (message.op === "notification") {
          dispatch(message.notification);
        } else if (message.op === "signal") {
          if (message.signal && typeof message.signal.type === "string") emit(signalHandlers[message.signal.type], message.signal);
        } else if (message.op === "answer") {
          var waiting = unanswered[message.ref];
          if (waiting && waiting.socket === ws) {
            delete unanswered[message.ref];
            waiting.resolve({ status: message.status, body: message.body, retryAfter: message.retryAfter });
          }
        } else if (message.op === "ready") {
          attempts = 0;
          // The server's id is authoritative: a stored id from an older database must not hide newer ones.
          if (typeof message.last === "number") {
            lastId = message.last;
            store.set(String(message.last));
          }
          readyHandlers.slice().forEach(function (handler) {
            try {
              handler();
            } catch (e) {
              if (window.console) window.console.error(e);
            }
          });
        }
      };
      ws.onclose = function (event) {
        if (socket === ws) socket = null;
        failUnanswered(ws);
        // 4401: the server no longer accepts this visitor token or user session; retrying cannot help.
        if (event.code === 4401) return;
        scheduleRetry();
      };
      ws.onerror = function () {
        /* onclose follows and schedules the retry */
      };
    }

    /** The answer to a post sent on `ws` can no longer come: its sender may send it again (same client id). */
    function failUnanswered(ws) {
      Object.keys(unanswered).forEach(function (ref) {
        var waiting = unanswered[ref];
        if (waiting.socket !== ws) return;
        delete unanswered[ref];
        waiting.reject(new Error("The connection closed before the answer came"));
      });
    }

    function post(path, body, lang) {
      if (!socket || socket.readyState !== WebSocket.OPEN) return null;
      var ref = ++nextRef;
      var message = { op: "post", ref: ref, path: path, body: body };
      if (lang) message.lang = lang;
      var text = JSON.stringify(message);
      if (new TextEncoder().encode(text).length > MAX_POST_BYTES) return null;
      var ws = socket;
      return new Promise(function (resolve, reject) {
        unanswered[ref] = { socket: ws, resolve: resolve, reject: reject };
        ws.send(text);
      });
    }

    function scheduleRetry() {
      if (closed || retryTimer) return;
      var delay = Math.min(MAX_RETRY_MS, MIN_RETRY_MS * Math.pow(2, attempts));
      attempts += 1;
      // Jitter, so that many tabs do not reconnect in step after a server restart.
      delay = Math.round(delay * (0.5 + Math.random() / 2));
      retryTimer = window.setTimeout(retryNow, delay);
    }

    function retryNow() {
      if (retryTimer) window.clearTimeout(retryTimer);
      retryTimer = null;
      if (!closed && !socket) open();
    }

    function onInput() {
      hadInput = true;
    }

    function onMouseMove() {
      var now = Date.now();
      if (now - lastMouseMove < MOUSEMOVE_EVERY_MS) return;
      lastMouseMove = now;
      hadInput = true;
    }

    function onVisibility() {
      if (document.visibilityState !== "visible") return;
      hadInput = true;
      // A tab coming back should not wait out a long backoff.
      if (!socket) retryNow();
    }

    var inputEvents = ["keydown", "pointerdown", "wheel", "touchstart"];
    var listenerOptions = { capture: true, passive: true };
    if (isUser) {
      inputEvents.forEach(function (name) {
        window.addEventListener(name, onInput, listenerOptions);
      });
      window.addEventListener("mousemove", onMouseMove, listenerOptions);
      heartbeatTimer = window.setInterval(beat, HEARTBEAT_MS);
    }
    document.addEventListener("visibilitychange", onVisibility);
    window.addEventListener("online", retryNow);

    open();

    return {
      on: function (type, handler) {
        (handlers[type] = handlers[type] || []).push(handler);
        return function () {
          var list = handlers[type] || [];
          var index = list.indexOf(handler);
          if (index >= 0) list.splice(index, 1);
        };
      },
      /** Signals of `type` (`{ channel, type, payload }`): delivered live only, never replayed after a reconnect. */
      onSignal: function (type, handler) {
        (signalHandlers[type] = signalHandlers[type] || []).push(handler);
        return function () {
          var list = signalHandlers[type] || [];
          var index = list.indexOf(handler);
          if (index >= 0) list.splice(index, 1);
        };
      },
      onReady: function (handler) {
        readyHandlers.push(handler);
        return function () {
          var index = readyHandlers.indexOf(handler);
          if (index >= 0) readyHandlers.splice(index, 1);
        };
      },
      post: post,
      /** Asks the server to recompute this socket's channels (e.g. after joining a channel). */
      refresh: function () {
        send({ op: "refresh" });
      },
      close: function () {
        closed = true;
        if (retryTimer) window.clearTimeout(retryTimer);
        if (heartbeatTimer) window.clearInterval(heartbeatTimer);
        retryTimer = null;
        heartbeatTimer = null;
        if (isUser) {
          inputEvents.forEach(function (name) {
            window.removeEventListener(name, onInput, listenerOptions);
          });
          window.removeEventListener("mousemove", onMouseMove, listenerOptions);
        }
        document.removeEventListener("visibilitychange", onVisibility);
        window.removeEventListener("online", retryNow);
        if (socket) {
          socket.close(1000, "closed by page");
          failUnanswered(socket);
        }
        socket = null;
      },
    };
  }

  window.HostBus = { connect: connect };
})();
