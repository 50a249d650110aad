/* ULT staff pages (reception, counter, back office): live fragments, step timers, the
   recall cooldown and keyboard shortcuts. Served by the appliance; no inline script anywhere
   (CSP). Every page works without this file: it only saves reloads and keystrokes. */
(function () {
  "use strict";

  var root = document.getElementById("pages-root");
  if (!root) {
    return;
  }

  // ------------------------------------------------------------------ clock
  // Timers count with the server's clock, so a PC whose clock is off still shows the
  // same elapsed time (and the same "overdue") as the server computed.
  function parseStamp(text) {
    // Stored stamps carry microseconds; Date.parse is only specified for milliseconds.
    return Date.parse(String(text || "").replace(/(\.\d{3})\d+/, "$1"));
  }
  var serverNow = parseStamp(root.getAttribute("data-server-now"));
  var offset = isNaN(serverNow) ? 0 : serverNow - Date.now();
  function now() {
    return Date.now() + offset;
  }
  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }
  /* The same format as admin/pages/common.py clock_text(): mm:ss, or h:mm:ss from an hour. */
  function clockText(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    return h ? h + ":" + pad(m) + ":" + pad(s % 60) : pad(m) + ":" + pad(s % 60);
  }

  function tick() {
    var timers = root.querySelectorAll(".timer[data-since]");
    for (var i = 0; i < timers.length; i += 1) {
      var el = timers[i];
      var since = parseStamp(el.getAttribute("data-since"));
      var standard = Number(el.getAttribute("data-standard-seconds"));
      if (isNaN(since) || isNaN(standard)) {
        continue;
      }
      var elapsed = Math.floor((now() - since) / 1000);
      var over = elapsed > standard;
      var text = el.querySelector(".elapsed");
      var word = el.querySelector(".overdue-word");
      if (text) {
        text.textContent = clockText(elapsed);
      }
      el.classList.toggle("overdue", over);
      if (word) {
        word.hidden = !over;
      }
    }
    // Recall cooldown: the button waits, the note counts down. Without this script the
    // button stays enabled and the server explains an early press.
    var waits = root.querySelectorAll("[data-ready-at]");
    for (var j = 0; j < waits.length; j += 1) {
      var wait = waits[j];
      var readyAt = parseStamp(wait.getAttribute("data-ready-at"));
      if (isNaN(readyAt)) {
        continue;
      }
      var left = Math.ceil((readyAt - now()) / 1000);
      if (wait.tagName === "BUTTON") {
        wait.disabled = left > 0;
      } else {
        var seconds = wait.querySelector(".seconds");
        if (seconds) {
          seconds.textContent = String(Math.max(left, 0));
        }
        wait.hidden = left <= 0;
      }
    }
  }
  tick();
  window.setInterval(tick, 1000);

  // ------------------------------------------------------------------ returned cases
  // Issue 14: answers back from the back office or a main unit cannot be missed. The top
  // card's fragment carries data-returned-count (cases no counter has called back yet):
  // the badge in the heading and the page title follow it, and a short beep (generated
  // here with WebAudio, no sound file) marks a rise: not on the first load, not on a
  // refresh that changes nothing, not when a case leaves the list.
  var returnedSeen = null;
  var audioContext = null;
  var baseTitle = document.title.replace(/^\(\d+\) /, "");

  function audio() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) {
      return null;
    }
    if (!audioContext) {
      audioContext = new Context();
    }
    return audioContext;
  }

  function beep() {
    var context = audio();
    if (!context) {
      return;
    }
    if (context.state === "suspended" && context.resume) {
      context.resume();
    }
    // Two short tones (880 Hz, then 1175 Hz), quiet: noticed at the desk, not across the room.
    [0, 0.18].forEach(function (start, index) {
      var tone = context.createOscillator();
      var gain = context.createGain();
      tone.type = "sine";
      tone.frequency.value = index ? 1175 : 880;
      var at = context.currentTime + start;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.25, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.15);
      tone.connect(gain);
      gain.connect(context.destination);
      tone.start(at);
      tone.stop(at + 0.16);
    });
    // Counted on the page, so a test can tell a beep was played without hearing it.
    var beeps = Number(root.getAttribute("data-returned-beeps") || 0) + 1;
    root.setAttribute("data-returned-beeps", String(beeps));
  }

  function updateReturned() {
    var marker = root.querySelector("[data-returned-count]");
    if (!marker) {
      return;
    }
    var count = Number(marker.getAttribute("data-returned-count")) || 0;
    var badge = root.querySelector("[data-returned-badge]");
    if (badge) {
      badge.hidden = count === 0;
      var number = badge.querySelector("[data-returned-number]");
      if (number) {
        number.textContent = String(count);
      }
    }
    document.title = (count ? "(" + count + ") " : "") + baseTitle;
    updateBanner();
    if (returnedSeen !== null && count > returnedSeen) {
      beep();
    }
    returnedSeen = count;
  }
  // The banner on top (issue 14 review: an officer scrolled down to the waiting list saw
  // only the title and the beep change): shown while a returned case waits for a call-back
  // and its card is out of view, watched with an IntersectionObserver on the card's place
  // (the card itself is replaced on every refresh). Without the observer: no banner.
  var banner = root.querySelector("[data-returned-banner]");
  var returnedPlace = root.querySelector(".returned-top");
  var cardInView = true;

  function updateBanner() {
    var link = banner ? banner.querySelector("a") : null;
    if (!link) {
      return;
    }
    var card = root.querySelector(".returned-alert[data-returned-count]");
    var count = card ? Number(card.getAttribute("data-returned-count")) || 0 : 0;
    var show = count > 0 && !cardInView;
    var labels = banner.querySelector("[data-returned-banner-labels]");
    if (show && labels) {
      labels.textContent = card.getAttribute("data-returned-labels") || String(count);
    }
    link.hidden = !show;
  }

  if (banner && returnedPlace && window.IntersectionObserver) {
    new window.IntersectionObserver(
      function (entries) {
        var entry = entries[entries.length - 1];
        // In view: enough of it to be noticed (a quarter, or 120 px of a tall card).
        cardInView =
          entry.isIntersecting &&
          (entry.intersectionRatio >= 0.25 || entry.intersectionRect.height >= 120);
        updateBanner();
      },
      { threshold: [0, 0.1, 0.25, 0.5, 0.75, 1] }
    ).observe(returnedPlace);
  }

  updateReturned();
  // Browsers start sound only after the user acted on the page: unlock it on the first one.
  ["pointerdown", "keydown"].forEach(function (name) {
    document.addEventListener(
      name,
      function () {
        var context = audio();
        if (context && context.state === "suspended" && context.resume) {
          context.resume();
        }
      },
      { once: true }
    );
  });

  // ------------------------------------------------------------------ live fragments
  var regions = root.querySelectorAll("[data-live-url]");

  function typingIn(region) {
    var active = document.activeElement;
    return Boolean(
      active && region.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)
    );
  }

  // A region marked data-live-versioned (the counter's "at the desk" panel) holds forms the
  // officer fills in over minutes. Its fragment carries data-version (what it shows, as a
  // key): an unchanged version is never re-rendered, and a changed one is put in only while
  // the officer neither has focus in one of its fields nor has typed into one of its forms
  // (data-dirty, set on input). Otherwise the region's data-live-changed notice says the
  // counter changed, and its button shows the new state (dropping what was typed): the
  // officer decides, nothing typed vanishes by itself.
  function versioned(region) {
    return region.hasAttribute("data-live-versioned");
  }

  function dirty(region) {
    return Boolean(region.querySelector("form[data-dirty]"));
  }

  function changedNotice(region) {
    return region.querySelector("[data-live-changed]");
  }

  function applyVersioned(region, html) {
    var notice = changedNotice(region);
    var open = openDetails(region);
    var children = Array.prototype.slice.call(region.childNodes);
    for (var i = 0; i < children.length; i += 1) {
      if (children[i] !== notice) {
        region.removeChild(children[i]);
      }
    }
    var holder = document.createElement("template");
    holder.innerHTML = html;
    region.appendChild(holder.content);
    reopen(region, open);
    if (notice) {
      notice.hidden = true;
    }
    region.removeAttribute("data-stale");
    mirror(region);
  }

  function showVersioned(region, html) {
    var holder = document.createElement("template");
    holder.innerHTML = html;
    var fresh = holder.content.querySelector("[data-version]");
    var shown = region.querySelector("[data-version]");
    var notice = changedNotice(region);
    if (fresh && shown && fresh.getAttribute("data-version") === shown.getAttribute("data-version")) {
      if (notice) {
        notice.hidden = true;
      }
      region.removeAttribute("data-stale");
      return;
    }
    if (typingIn(region) || dirty(region)) {
      region.setAttribute("data-stale", "1");
      if (notice) {
        notice.hidden = false;
      }
      return;
    }
    applyVersioned(region, html);
  }

  function refreshRegion(region) {
    // Never replace a field the user is filling in: refresh once they leave it. A versioned
    // region is fetched anyway, to learn whether it changed at all.
    if (!versioned(region) && typingIn(region)) {
      region.setAttribute("data-stale", "1");
      return;
    }
    window
      .fetch(region.getAttribute("data-live-url"), {
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "text/html" }
      })
      .then(function (response) {
        if (response.redirected) {
          // The session ended: the reload lands on the login page.
          window.location.reload();
          throw new Error("session ended");
        }
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        if (versioned(region)) {
          showVersioned(region, html);
          tick();
          return;
        }
        if (typingIn(region)) {
          region.setAttribute("data-stale", "1");
          return;
        }
        replaceKeepingOpen(region, html);
        region.removeAttribute("data-stale");
        mirror(region);
        tick();
        updateReturned();
      })
      .catch(function () {
        // Keep what is shown; the next event or poll tries again.
      });
  }

  // A refreshed region keeps its opened <details> (a ticket's actions in reception's list of
  // today's tickets): those with an id are opened again in the new content.
  function openDetails(region) {
    var open = [];
    var shown = region.querySelectorAll("details[open][id]");
    for (var i = 0; i < shown.length; i += 1) {
      open.push(shown[i].id);
    }
    return open;
  }

  function reopen(region, open) {
    for (var j = 0; j < open.length; j += 1) {
      var again = document.getElementById(open[j]);
      if (again && region.contains(again)) {
        again.open = true;
      }
    }
  }

  function replaceKeepingOpen(region, html) {
    var open = openDetails(region);
    region.innerHTML = html;
    reopen(region, open);
  }

  // A live part can update a text outside itself (the count in reception's "Tiket hari ini"
  // heading, above its search box): data-live-mirror names the element's id.
  function mirror(region) {
    var copies = region.querySelectorAll("[data-live-mirror]");
    for (var i = 0; i < copies.length; i += 1) {
      var target = document.getElementById(copies[i].getAttribute("data-live-mirror"));
      if (target) {
        target.textContent = copies[i].textContent;
      }
    }
  }

  function refresh() {
    for (var i = 0; i < regions.length; i += 1) {
      refreshRegion(regions[i]);
    }
  }

  function markDirty(event) {
    var form = event.target && event.target.form;
    if (form) {
      form.setAttribute("data-dirty", "1");
    }
  }

  for (var r = 0; r < regions.length; r += 1) {
    regions[r].addEventListener("focusout", function (event) {
      var region = event.currentTarget;
      window.setTimeout(function () {
        if (region.getAttribute("data-stale") && !typingIn(region) && !dirty(region)) {
          refreshRegion(region);
        }
      }, 0);
    });
    if (versioned(regions[r])) {
      regions[r].addEventListener("input", markDirty);
      regions[r].addEventListener("change", markDirty);
      regions[r].addEventListener("click", function (event) {
        var region = event.currentTarget;
        var apply = event.target.closest ? event.target.closest("[data-live-apply]") : null;
        if (!apply) {
          return;
        }
        var forms = region.querySelectorAll("form[data-dirty]");
        for (var f = 0; f < forms.length; f += 1) {
          forms[f].removeAttribute("data-dirty");
        }
        if (document.activeElement && region.contains(document.activeElement)) {
          document.activeElement.blur();
        }
        refreshRegion(region);
      });
    }
  }

  // ONE stream per browser, shared by all tabs (PITFALLS: browsers allow ~6 connections
  // per origin): live.js follows the board stream through a SharedWorker, or with this
  // page's own EventSource where there is none; it polls while the server refuses the
  // stream. The staff templates load only this file, so it brings live.js along.
  var streamUrl = root.getAttribute("data-stream-url");
  var kinds = (root.getAttribute("data-event-kinds") || "").split(/\s+/).filter(Boolean);
  var here = document.currentScript;

  function follow() {
    window.ULTLive.follow({
      url: streamUrl,
      kinds: kinds,
      onChange: refresh, // already debounced, and called again after each reconnection
      pollSeconds: 30
    });
  }

  if (regions.length && streamUrl) {
    if (window.ULTLive) {
      follow();
    } else {
      var loader = document.createElement("script");
      loader.src = new URL(
        "live.js",
        here && here.src ? here.src : window.location.origin + "/static/pages.js"
      ).href;
      loader.onload = function () {
        if (window.ULTLive) {
          follow();
        } else {
          window.setInterval(refresh, 30000);
        }
      };
      loader.onerror = function () {
        // No live.js: keep the page current by polling slowly.
        window.setInterval(refresh, 30000);
      };
      document.head.appendChild(loader);
    }
  }

  // ------------------------------------------------------------------ forms
  root.addEventListener("submit", function (event) {
    // A double click must not send an action twice (the second would be refused).
    var form = event.target;
    if (form.getAttribute("data-submitting")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-submitting", "1");
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      var sent = root.querySelectorAll("form[data-submitting]");
      for (var i = 0; i < sent.length; i += 1) {
        sent[i].removeAttribute("data-submitting");
      }
    }
  });

  root.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // ------------------------------------------------------------------ shortcuts
  // N = call next, R = recall, S = start: the buttons carry data-shortcut and the page
  // shows the legend. Ignored while typing, and with modifier keys (browser shortcuts).
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) {
      return;
    }
    var target = event.target;
    if (
      target &&
      (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(target.tagName))
    ) {
      return;
    }
    var key = String(event.key || "").toLowerCase();
    if (!/^[a-z]$/.test(key)) {
      return;
    }
    var button = root.querySelector('[data-shortcut="' + key + '"]');
    if (!button || button.disabled) {
      return;
    }
    event.preventDefault();
    button.click();
  });
})();
