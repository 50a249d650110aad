/* ULT visitor's ticket page: keep the ticket's state current. Polls this ticket's status
   fragment every POLL_MS, and at once when the phone shows the page again. It holds no event
   stream: every phone in the waiting room would take one of the server's capped stream slots
   (503 beyond) and starve the TV boards. Stops once the ticket is finished, cancelled or
   expired: nothing will change any more. */
(function () {
  "use strict";

  var region = document.getElementById("ticket-live");
  if (!region || !window.fetch) {
    return;
  }
  var POLL_MS = 10000;
  var liveUrl = region.getAttribute("data-live-url");
  var poller = null;
  var loading = false;
  var again = false;

  function stateOf() {
    var status = region.querySelector("[data-state]");
    return status ? status.getAttribute("data-state") : "";
  }

  function finished() {
    return region.querySelector("[data-final]") !== null;
  }

  function refresh() {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    var before = stateOf();
    window
      .fetch(liveUrl, { cache: "no-store" })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html === null) {
          return;
        }
        region.innerHTML = html; // rendered and escaped by the server's template
        var after = stateOf();
        // A call, or a returned case's visitor called back to a counter (issue 14).
        if ((after === "called" || after === "called_back") && before !== after) {
          document.title = "Dipanggil! · " + document.title.replace(/^Dipanggil! · /, "");
          if (navigator.vibrate) {
            navigator.vibrate([400, 150, 400]);
          }
        }
        if (finished()) {
          stop();
        }
      })
      .catch(function () {
        // Offline for a moment (a phone walking out of Wi-Fi): the next poll retries.
      })
      .then(function () {
        loading = false;
        if (again && poller !== null) {
          again = false;
          refresh();
        }
      });
  }

  function visible() {
    if (document.visibilityState === "visible") {
      refresh();
    }
  }

  function stop() {
    if (poller !== null) {
      window.clearInterval(poller);
      poller = null;
    }
    document.removeEventListener("visibilitychange", visible);
  }

  if (!finished()) {
    poller = window.setInterval(refresh, POLL_MS);
    document.addEventListener("visibilitychange", visible);
  }
})();
