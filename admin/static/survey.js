/* ULT satisfaction survey: the desk tablet and the printed survey link. No inline scripts
   (the CSP allows none); the visitor's phone needs no script at all.

   Desk tablet (main#tablet): idle, it polls data-status-url every data-poll-seconds and
   loads the page again when its counter just finished a ticket (other than the one it let
   go of, data-skip). Showing a survey, it goes back to idle after data-idle-seconds without
   a touch or a key (the visitor walked away), letting go of that ticket. */
(function () {
  "use strict";

  function tablet(main) {
    var idleUrl = main.getAttribute("data-idle-url");
    var ticket = main.getAttribute("data-ticket");
    if (ticket) {
      var idleMs = Number(main.getAttribute("data-idle-seconds")) * 1000;
      var timer = null;
      var restart = function () {
        if (timer !== null) {
          window.clearTimeout(timer);
        }
        timer = window.setTimeout(function () {
          window.location.replace(idleUrl + "?lewati=" + encodeURIComponent(ticket));
        }, idleMs);
      };
      ["input", "change", "click", "keydown", "touchstart", "scroll"].forEach(function (kind) {
        document.addEventListener(kind, restart, { passive: true });
      });
      restart();
      return;
    }
    if (!main.hasAttribute("data-idle") || !window.fetch) {
      return; // the thank-you screen goes back to idle by its meta refresh
    }
    var statusUrl = main.getAttribute("data-status-url");
    var skip = main.getAttribute("data-skip");
    var pollMs = Number(main.getAttribute("data-poll-seconds")) * 1000;
    var busy = false;
    window.setInterval(function () {
      if (busy) {
        return;
      }
      busy = true;
      window
        .fetch(statusUrl, { cache: "no-store", credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (body) {
          if (body && body.ticket !== null && String(body.ticket) !== skip) {
            window.location.replace(idleUrl);
          }
        })
        .catch(function () {
          // The network dropped for a moment: the next poll tries again.
        })
        .then(function () {
          busy = false;
        });
    }, pollMs);
  }

  function copyButton(button) {
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-copy");
      var done = function () {
        var note = document.querySelector("[data-copied]");
        if (note) {
          note.hidden = false;
        }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () {});
        return;
      }
      // Plain http on the office LAN has no Clipboard API: copy through a selected field.
      var field = document.createElement("textarea");
      field.value = text;
      field.setAttribute("readonly", "");
      field.className = "copy-buffer";
      document.body.appendChild(field);
      field.select();
      try {
        if (document.execCommand("copy")) {
          done();
        }
      } catch (ignored) {
        // Nothing more to try: the address is on the page to copy by hand.
      }
      document.body.removeChild(field);
    });
  }

  var main = document.getElementById("tablet");
  if (main) {
    tablet(main);
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), copyButton);
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
