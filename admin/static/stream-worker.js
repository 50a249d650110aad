/* ULT board stream, shared by every tab of this browser (a SharedWorker; live.js starts it).

   Browsers allow about six HTTP/1.1 connections per origin (PITFALLS, admin): a supervisor
   with the overview, the board and four staff pages open, each with its own EventSource,
   finds the seventh tab hanging. Here ONE EventSource per stream URL serves all tabs.

   Messages from a tab's port:
     {type: "hello", url, kinds, lock}  register (again): the absolute stream URL, the event
         names it wants (an EventSource delivers a named event only to a listener of that
         name, so the worker listens to the union of all tabs' kinds), and optionally the
         name of a Web Lock the tab holds until it dies (released → the port is dropped).
         Tabs repeat it every PING_MS as a ping, so a port dropped by mistake comes back.
     {type: "bye"}  the page is going away (pagehide).
   Messages to a tab's port:
     {type: "open"}  the stream is (re)connected: catch up (events may have been missed).
     {type: "error"}  the connection dropped; the browser reconnects by itself (Last-Event-ID).
     {type: "refused"}  the server refused the stream (503: too many screens): poll; this
         worker tries again every RETRY_MS.
     {type: "event", kind, data, lastEventId}  data: the raw text of the message.
     {type: "unsupported"}  no EventSource in workers here (Safari): use one per page.

   Tabs cannot reliably say they closed: a port is dropped on "bye", when its Web Lock is
   released (the tab is gone), or when it has not pinged for PORT_TIMEOUT_MS (long, as a
   hidden tab's timers may run only once a minute). The last port gone closes the stream. */
/* eslint-env worker */
(function () {
  "use strict";

  var RETRY_MS = 30000;
  var PORT_TIMEOUT_MS = 150000;
  var SWEEP_MS = 15000;

  var ports = []; // {port, url, kinds: {kind: true}, seen, lock}
  var streams = {}; // url → {source, kinds: {kind: true}, state, retry}

  function post(entry, message) {
    try {
      entry.port.postMessage(message);
    } catch (ignored) {
      // A port whose page is gone: dropped at the next sweep.
    }
  }

  function entryOf(port) {
    for (var i = 0; i < ports.length; i += 1) {
      if (ports[i].port === port) {
        return ports[i];
      }
    }
    return null;
  }

  function broadcast(url, message, kind) {
    for (var i = 0; i < ports.length; i += 1) {
      var entry = ports[i];
      if (entry.url === url && (!kind || kind === "message" || entry.kinds[kind])) {
        post(entry, message);
      }
    }
  }

  function listen(stream, url, kind) {
    stream.source.addEventListener(kind, function (message) {
      broadcast(
        url,
        { type: "event", kind: kind, data: message.data, lastEventId: message.lastEventId },
        kind
      );
    });
  }

  function open(url) {
    var stream = streams[url];
    if (!stream) {
      return;
    }
    stream.retry = null;
    stream.state = "connecting";
    var source = new EventSource(url);
    stream.source = source;
    Object.keys(stream.kinds).forEach(function (kind) {
      listen(stream, url, kind);
    });
    source.onmessage = function (message) {
      broadcast(
        url,
        { type: "event", kind: "message", data: message.data, lastEventId: message.lastEventId },
        "message"
      );
    };
    source.onopen = function () {
      stream.state = "open";
      broadcast(url, { type: "open" });
    };
    source.onerror = function () {
      if (stream.source !== source) {
        return;
      }
      if (source.readyState === EventSource.CLOSED) {
        // Refused, not dropped: the browser will not retry by itself.
        source.close();
        stream.source = null;
        stream.state = "refused";
        broadcast(url, { type: "refused" });
        stream.retry = setTimeout(function () {
          open(url);
        }, RETRY_MS);
      } else {
        stream.state = "connecting";
        broadcast(url, { type: "error" });
      }
    };
  }

  function close(url) {
    var stream = streams[url];
    if (!stream) {
      return;
    }
    delete streams[url];
    if (stream.retry !== null) {
      clearTimeout(stream.retry);
    }
    if (stream.source) {
      stream.source.close();
      stream.source = null;
    }
  }

  function drop(port) {
    var kept = [];
    var url = null;
    for (var i = 0; i < ports.length; i += 1) {
      if (ports[i].port === port) {
        url = ports[i].url;
        try {
          port.close();
        } catch (ignored) {
          // already closed
        }
      } else {
        kept.push(ports[i]);
      }
    }
    ports = kept;
    if (url !== null && !kept.some(function (entry) { return entry.url === url; })) {
      close(url); // the last tab on this stream is gone
    }
  }

  function hello(port, message) {
    var url = String(message.url || "");
    if (!url) {
      return;
    }
    if (typeof EventSource === "undefined") {
      port.postMessage({ type: "unsupported" });
      return;
    }
    var entry = entryOf(port);
    var known = entry !== null;
    if (!known) {
      entry = { port: port, url: url, kinds: {}, seen: Date.now(), lock: null };
      ports.push(entry);
    }
    entry.seen = Date.now();
    entry.url = url;
    (message.kinds || []).forEach(function (kind) {
      if (kind) {
        entry.kinds[String(kind)] = true;
      }
    });
    if (message.lock && !entry.lock && self.navigator && navigator.locks) {
      // The tab holds this lock until it dies: waiting for it tells us when.
      entry.lock = String(message.lock);
      navigator.locks
        .request(entry.lock, function () {
          drop(port);
        })
        .catch(function () {
          entry.lock = null;
        });
    }

    var stream = streams[url];
    if (!stream) {
      stream = streams[url] = { source: null, kinds: {}, state: "connecting", retry: null };
    }
    Object.keys(entry.kinds).forEach(function (kind) {
      if (!stream.kinds[kind]) {
        stream.kinds[kind] = true;
        if (stream.source) {
          listen(stream, url, kind);
        }
      }
    });
    if (!stream.source && stream.retry === null) {
      open(url);
    } else if (!known) {
      // A tab that joins a running stream: tell it where the stream stands.
      if (stream.state === "open") {
        post(entry, { type: "open" });
      } else if (stream.state === "refused") {
        post(entry, { type: "refused" });
      }
    }
  }

  setInterval(function () {
    var limit = Date.now() - PORT_TIMEOUT_MS;
    ports
      .filter(function (entry) {
        return !entry.lock && entry.seen < limit;
      })
      .forEach(function (entry) {
        drop(entry.port);
      });
  }, SWEEP_MS);

  self.onconnect = function (event) {
    var port = event.ports[0];
    port.onmessage = function (message) {
      var data = message.data || {};
      if (data.type === "hello") {
        hello(port, data);
      } else if (data.type === "bye") {
        drop(port);
      }
    };
    port.start();
  };
})();
