/* ULT visitor's ticket page: keep the ticket's state current. Listens to the public board
   stream and re-fetches this ticket's status fragment after events; polls instead while the
   stream is refused (every phone in the waiting room counts against the stream cap). Stops
   once the ticket is finished, cancelled or expired: nothing will change any more. */
(function () {
  "use strict";

  var region = document.getElementById("ticket-live");
  if (!region || !window.ULTLive || !window.fetch) {
    return;
  }
  var liveUrl = region.getAttribute("data-live-url");
  var follower = null;
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
        if (after === "called" && before !== "called") {
          document.title = "Dipanggil! · " + document.title.replace(/^Dipanggil! · /, "");
          if (navigator.vibrate) {
            navigator.vibrate([400, 150, 400]);
          }
        }
        if (finished() && follower) {
          follower.close();
        }
      })
      .catch(function () {
        // Offline for a moment (a phone walking out of Wi-Fi): the next event or poll retries.
      })
      .then(function () {
        loading = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  if (!finished()) {
    follower = window.ULTLive.follow({
      url: region.getAttribute("data-stream-url"),
      kinds: window.ULTLive.kindsOf(region),
      onChange: refresh,
      pollSeconds: 30
    });
  }
})();
