/* ULT live updates for the staff pages, the supervisor overview and the browser board: a
   callback when something happened on the public board stream.

   ONE stream per browser, not per tab (PITFALLS, admin: a browser allows about six
   connections per origin, so six tabs with their own EventSource hang the seventh): a
   SharedWorker (stream-worker.js, next to this file) holds the EventSource and forwards its
   events to every tab. Where there is no SharedWorker (some mobile browsers), or no
   EventSource inside one (Safari), the page opens its own EventSource as before.

   ULTLive.follow({url, kinds, onEvent, onChange, onStatus, pollSeconds}) → {close()}
   - kinds: the event names to listen to (EventSource delivers a named event only to a
     listener registered under that name; the server renders the list).
   - onEvent(kind, data, id): each event as it arrives (data: the parsed JSON, or null).
   - onChange(): once after a burst of events (debounced), and after each (re)connection,
     so a page that missed events while offline catches up.
   - onStatus(online): the stream is open (true) or lost (false).
   - pollSeconds: while the server refuses the stream (503 when too many screens are
     connected) or the browser has no EventSource, call onChange this often instead, and
     try the stream again every RETRY_MS. A lost connection is left to the browser, which
     reconnects by itself and resumes with Last-Event-ID.
   The stream is let go on pagehide and taken up again when the page comes back from the
   browser's page cache. */
(function () {
  "use strict";

  var DEBOUNCE_MS = 250;
  var RETRY_MS = 30000;
  var PING_MS = 10000;

  var script = document.currentScript;
  var WORKER_URL = new URL(
    "stream-worker.js",
    script && script.src ? script.src : window.location.origin + "/static/live.js"
  ).href;
  var WORKER_NAME = "ult-board-stream";

  function follow(options) {
    var url = new URL(options.url, window.location.href).href;
    var kinds = (options.kinds || []).filter(Boolean).map(String);
    var source = null; // this page's own EventSource (fallback)
    var port = null; // the shared worker's port
    var shared = Boolean(window.SharedWorker);
    var debounce = null;
    var poller = null;
    var retry = null;
    var ping = null;
    var stopped = false;

    function changed() {
      if (debounce !== null || stopped) {
        return;
      }
      debounce = window.setTimeout(function () {
        debounce = null;
        options.onChange();
      }, DEBOUNCE_MS);
    }

    function status(online) {
      if (options.onStatus) {
        options.onStatus(online);
      }
    }

    function startPolling() {
      if (poller === null && options.pollSeconds) {
        poller = window.setInterval(options.onChange, options.pollSeconds * 1000);
      }
    }

    function stopPolling() {
      if (poller !== null) {
        window.clearInterval(poller);
        poller = null;
      }
    }

    function opened() {
      stopPolling();
      status(true);
      changed();
    }

    function received(kind, text, id) {
      var data = null;
      try {
        data = JSON.parse(text);
      } catch (ignored) {
        data = null;
      }
      if (options.onEvent && kind !== "message") {
        options.onEvent(kind, data, id);
      }
      changed();
    }

    // ---------------------------------------------------------------- through the worker
    function hello(lock) {
      if (port) {
        port.postMessage({ type: "hello", url: url, kinds: kinds, lock: lock || null });
      }
    }

    function fromWorker(message) {
      var data = message.data || {};
      if (stopped) {
        return;
      }
      if (data.type === "open") {
        opened();
      } else if (data.type === "event") {
        received(data.kind, data.data, data.lastEventId);
      } else if (data.type === "error") {
        status(false);
      } else if (data.type === "refused") {
        // The worker tries the stream again; meanwhile this page polls.
        status(false);
        startPolling();
      } else if (data.type === "unsupported") {
        detach();
        shared = false;
        openOwn();
      }
    }

    function attach() {
      var worker;
      try {
        worker = new window.SharedWorker(WORKER_URL, { name: WORKER_NAME });
      } catch (refused) {
        return false;
      }
      worker.onerror = function () {
        // The worker script did not load: this page keeps its own stream.
        if (port && !stopped) {
          detach();
          shared = false;
          openOwn();
        }
      };
      port = worker.port;
      port.onmessage = fromWorker;
      port.start();
      var lockName = null;
      if (navigator.locks && navigator.locks.request) {
        // Held until this page dies: the worker waits for it to learn the tab is gone.
        lockName = "ult-tab-" + Date.now() + "-" + Math.random().toString(36).slice(2);
        navigator.locks
          .request(lockName, function () {
            hello(lockName);
            return new Promise(function () {});
          })
          .catch(function () {});
      }
      hello(null);
      ping = window.setInterval(function () {
        hello(lockName);
      }, PING_MS);
      return true;
    }

    function detach() {
      if (ping !== null) {
        window.clearInterval(ping);
        ping = null;
      }
      if (port) {
        try {
          port.postMessage({ type: "bye" });
          port.close();
        } catch (ignored) {
          // already gone
        }
        port = null;
      }
    }

    // ---------------------------------------------------------------- this page's own
    function listen(kind) {
      source.addEventListener(kind, function (message) {
        received(kind, message.data, message.lastEventId);
      });
    }

    function openOwn() {
      retry = null;
      if (stopped) {
        return;
      }
      if (!window.EventSource) {
        status(false);
        startPolling();
        return;
      }
      source = new window.EventSource(url);
      kinds.forEach(listen);
      source.onmessage = changed;
      source.onopen = opened;
      source.onerror = function () {
        status(false);
        if (source && source.readyState === window.EventSource.CLOSED) {
          // Refused, not dropped: the browser will not retry by itself.
          source = null;
          startPolling();
          retry = window.setTimeout(openOwn, RETRY_MS);
        }
      };
    }

    function closeOwn() {
      if (retry !== null) {
        window.clearTimeout(retry);
        retry = null;
      }
      if (source) {
        source.close();
        source = null;
      }
    }

    // ----------------------------------------------------------------
    function start() {
      if (!(shared && attach())) {
        shared = false;
        openOwn();
      }
    }

    function stop() {
      detach();
      closeOwn();
    }

    function onPageHide() {
      stop();
    }

    function onPageShow(event) {
      if (event.persisted && !stopped) {
        // Back from the browser's page cache: the stream was let go on leaving.
        start();
        changed();
      }
    }

    window.addEventListener("pagehide", onPageHide);
    window.addEventListener("pageshow", onPageShow);
    start();
    return {
      close: function () {
        stopped = true;
        stopPolling();
        stop();
        window.removeEventListener("pagehide", onPageHide);
        window.removeEventListener("pageshow", onPageShow);
      }
    };
  }

  /* The JSON list a server template put in a data attribute, or [] when it is unreadable. */
  function kindsOf(element) {
    try {
      return JSON.parse(element.getAttribute("data-kinds") || "[]");
    } catch (ignored) {
      return [];
    }
  }

  window.ULTLive = { follow: follow, kindsOf: kindsOf };
})();
