/* ULT live updates for the supervisor overview, the visitor's ticket page and the browser
   board: one EventSource on the public board stream per page (PITFALLS, admin: a browser
   allows about six connections per origin), and a callback when something happened.

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
     reconnects by itself and resumes with Last-Event-ID. */
(function () {
  "use strict";

  var DEBOUNCE_MS = 250;
  var RETRY_MS = 30000;

  function follow(options) {
    var source = null;
    var debounce = null;
    var poller = null;
    var retry = null;
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

    function listen(kind) {
      source.addEventListener(kind, function (message) {
        var data = null;
        try {
          data = JSON.parse(message.data);
        } catch (ignored) {
          data = null;
        }
        if (options.onEvent) {
          options.onEvent(kind, data, message.lastEventId);
        }
        changed();
      });
    }

    function open() {
      retry = null;
      if (stopped) {
        return;
      }
      if (!window.EventSource) {
        status(false);
        startPolling();
        return;
      }
      source = new window.EventSource(options.url);
      (options.kinds || []).forEach(listen);
      source.onmessage = changed;
      source.onopen = function () {
        stopPolling();
        status(true);
        changed();
      };
      source.onerror = function () {
        status(false);
        if (source && source.readyState === window.EventSource.CLOSED) {
          // Refused, not dropped: the browser will not retry by itself.
          source = null;
          startPolling();
          retry = window.setTimeout(open, RETRY_MS);
        }
      };
    }

    open();
    return {
      close: function () {
        stopped = true;
        stopPolling();
        if (retry !== null) {
          window.clearTimeout(retry);
        }
        if (source) {
          source.close();
          source = null;
        }
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
