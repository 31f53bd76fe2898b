// Connects logged-in pages to the notification bus, which also reports real activity for presence.
(function () {
  "use strict";
  if (!window.HostBus) return;
  window.hostBus = window.HostBus.connect({ storageKey: "host.bus.last" });
})();
