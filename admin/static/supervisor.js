/* ULT supervisor pages: the live day overview, and a confirmation before disabling an
   account or revoking a token. No inline script anywhere (CSP); without this file the
   pages still work, the overview is then current as of its last load. */
(function () {
  "use strict";

  // ------------------------------------------------------------------ confirmations
  var forms = document.querySelectorAll("form[data-confirm]");
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });

  // ------------------------------------------------------------------ live overview
  var region = document.getElementById("overview-live");
  if (!region || !window.ULTLive) {
    return;
  }
  var statusLine = document.getElementById("live-status");
  var liveUrl = region.getAttribute("data-live-url");
  var loading = false;
  var again = false;

  function say(text) {
    if (statusLine) {
      statusLine.textContent = text;
    }
  }

  function refresh() {
    // One request at a time; a burst of events during a request costs one more, not many.
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    window
      .fetch(liveUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.redirected || response.status === 401 || response.status === 403) {
          // The session ended (idle shift, account disabled): show the login page.
          window.location.reload();
          return null;
        }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null) {
          region.innerHTML = html; // rendered and escaped by the server's template
        }
      })
      .catch(function () {
        say("Koneksi ke perangkat terputus; data mungkin tidak terbaru.");
      })
      .then(function () {
        loading = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  window.ULTLive.follow({
    url: region.getAttribute("data-stream-url"),
    kinds: window.ULTLive.kindsOf(region),
    onChange: refresh,
    onStatus: function (online) {
      say(
        online
          ? "Data diperbarui otomatis setiap ada kejadian di antrian."
          : "Pembaruan otomatis terputus; mencoba menyambung kembali…"
      );
    },
    pollSeconds: 30
  });
})();
