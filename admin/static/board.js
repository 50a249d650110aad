/* ULT browser caller board (/board): the same information as the TV's pygame board, kept
   current from the public board stream and GET /api/v1/board, and speaking each call with
   the same announcement WAV, one after another.

   - The clock shows the office's time zone and the appliance's clock (the skew against this
     PC's clock is measured at load), so a spare PC with a wrong clock still shows the
     right time.
   - Every event schedules one re-fetch of the board state (debounced in live.js); a
     "snapshot" event carries the state itself. A lost stream shows the offline mark; the
     browser reconnects and resumes with Last-Event-ID by itself.
   - Sound: browsers refuse to play audio before the first click on the page, so the
     "Aktifkan suara" button stays until an announcement has played (a kiosk browser started
     with autoplay allowed never needs the click). A call replayed after a reconnect is shown
     but not spoken when it is older than announceMaxAgeSeconds; a call made while the stream
     was down (the server restarted) is spoken from the state read on reconnect. */
(function () {
  "use strict";

  var root = document.getElementById("board");
  if (!root || !window.ULTLive) {
    return;
  }
  var config = JSON.parse(root.getAttribute("data-config"));
  var words = config.words;
  var skew = config.serverNow - Date.now();

  function byId(id) {
    return document.getElementById(id);
  }

  function now() {
    return Date.now() + skew;
  }

  // ------------------------------------------------------------------ clock
  var dateFormat = null;
  var timeFormat = null;
  try {
    dateFormat = new Intl.DateTimeFormat("id-ID", {
      timeZone: config.timezone,
      weekday: "long",
      day: "numeric",
      month: "long",
      year: "numeric"
    });
    timeFormat = new Intl.DateTimeFormat("id-ID", {
      timeZone: config.timezone,
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23"
    });
  } catch (ignored) {
    // A browser without time zone data keeps the server-rendered date and time.
  }

  function tick() {
    var moment = new Date(now());
    if (dateFormat && timeFormat && timeFormat.formatToParts) {
      var parts = {};
      timeFormat.formatToParts(moment).forEach(function (part) {
        parts[part.type] = part.value;
      });
      byId("board-date").textContent = dateFormat.format(moment);
      byId("board-clock").textContent = parts.hour + "." + parts.minute;
      byId("board-seconds").textContent = "." + parts.second;
    }
    // Just after the next whole second, so the seconds never skip or stall.
    window.setTimeout(tick, 1005 - (now() % 1000));
  }
  tick();

  // ------------------------------------------------------------------ drawing
  var seenCall = config.lastCallId;
  var attentionTimer = null;
  var runningText = null;

  function row(left, right) {
    var item = document.createElement("li");
    var name = document.createElement("span");
    var value = document.createElement("strong");
    name.className = "name";
    name.textContent = left;
    value.textContent = right;
    item.appendChild(name);
    item.appendChild(value);
    return item;
  }

  function fill(list, items) {
    list.textContent = "";
    items.forEach(function (item) {
      list.appendChild(item);
    });
  }

  /* Rows that do not fit whole are replaced by "+n lainnya", as on the TV board. */
  function fitList(list) {
    var rows = list.children;
    if (list.scrollHeight <= list.clientHeight + 1 || rows.length < 2) {
      return;
    }
    var hidden = 0;
    while (rows.length > 1 && list.scrollHeight > list.clientHeight + 1) {
      list.removeChild(rows[rows.length - 1]);
      hidden += 1;
    }
    if (hidden) {
      list.removeChild(rows[rows.length - 1]);
      list.appendChild(row(words.MORE.replace("{n}", String(hidden + 1)), ""));
    }
  }

  function withPriority(label, priority) {
    return priority ? label + " " + words.PRIORITY_SHORT : label;
  }

  function attention() {
    var call = byId("board-call");
    call.classList.remove("attention");
    void call.offsetWidth; // restart the blink for a call that follows closely
    call.classList.add("attention");
    window.clearTimeout(attentionTimer);
    attentionTimer = window.setTimeout(function () {
      call.classList.remove("attention");
    }, config.attentionSeconds * 1000);
  }

  function setRunning(text) {
    var box = byId("board-running-box");
    var line = byId("board-running");
    if (text === runningText) {
      return;
    }
    runningText = text;
    line.textContent = text;
    box.classList.remove("scrolling");
    line.style.animationDuration = "";
    if (text && line.scrollWidth > box.clientWidth) {
      // Too wide for one line: scroll it at about the TV's pace (8% of the width a second).
      var distance = line.scrollWidth + box.clientWidth;
      line.style.animationDuration = distance / (0.08 * window.innerWidth) + "s";
      box.classList.add("scrolling");
    }
  }

  // The closed notice follows the clock, not an event (ult/hours.py): the state says when it
  // may change next, and the state is read again then (a second late, so the server's clock
  // has passed it too).
  var noticeTimer = null;
  function scheduleNotice(until) {
    window.clearTimeout(noticeTimer);
    noticeTimer = null;
    var at = until ? Date.parse(until) : NaN;
    if (isNaN(at)) {
      return;
    }
    // Timers are capped near 24.8 days; a far change is re-planned at the next state read.
    var wait = Math.min(Math.max(at - now() + 1000, 1000), 6 * 3600 * 1000);
    noticeTimer = window.setTimeout(fetchState, wait);
  }

  function render(state) {
    // The server decides what the main panel shows and which calls are listed
    // (display/snapshot.py), so this board and the TV follow one rule.
    var latest = state.current_call || null;
    var names = state.service_names || {};
    var waiting = state.waiting || {};
    byId("call-caption").textContent = latest
      ? latest.recall
        ? words.RECALLING
        : words.NOW_CALLING
      : (state.last_calls || []).length
        ? words.NEXT_CALL
        : words.NO_CALL_YET;
    byId("call-label").textContent = latest ? latest.label : "";
    byId("call-priority").hidden = !(latest && latest.priority);
    byId("call-goto").hidden = !latest;
    // A returned case's visitor called back (issue 14): "Silakan kembali ke", as on the TV.
    byId("call-goto").textContent = latest && latest.call_back ? words.COME_BACK : words.GO_TO;
    byId("call-counter").textContent = latest ? latest.counter : "";
    var newest = latest ? latest.event_id : null;
    if (newest !== null && newest !== seenCall) {
      attention();
    } else if (newest === null) {
      // A visitor no longer called is not highlighted either (they reached the counter).
      window.clearTimeout(attentionTimer);
      byId("board-call").classList.remove("attention");
    }
    seenCall = newest;
    fill(
      byId("board-counters"),
      (state.counters || []).map(function (counter) {
        var serving = counter.paused
          ? words.PAUSED
          : counter.label
            ? withPriority(counter.label, counter.priority)
            : words.IDLE;
        return row(counter.name, serving);
      })
    );
    fill(
      byId("board-calls"),
      (state.earlier_calls || []).map(function (call) {
        return row(call.counter, withPriority(call.label, call.priority));
      })
    );
    fitList(byId("board-counters"));
    fitList(byId("board-calls"));
    fill(
      byId("board-waiting"),
      Object.keys(waiting).map(function (letter) {
        var name = names[letter] ? letter + " · " + names[letter] : letter;
        return row(name, String(waiting[letter]));
      })
    );
    // The band, as on the TV (display.calls.band): taking a number closed (service hours),
    // else the printer fault; and the priority mark's legend on a line of its own under it.
    var band = state.band || [];
    byId("board-closed").textContent = state.closed_notice || "";
    byId("board-closed").hidden = band.indexOf("closed") < 0;
    byId("board-banner").hidden = band.indexOf("fault") < 0;
    byId("board-legend").hidden = band.indexOf("legend") < 0;
    if (root.classList.contains("band-two") !== band.length > 1) {
      root.classList.toggle("band-two", band.length > 1);
      if (!byId("board-announcement").hidden) {
        fitText(byId("board-announcement")); // the lower part changed height
      }
    }
    scheduleNotice(state.closed_notice_until);
    setRunning(state.running_text || "");
    speakNew(state); // a call made while the stream was down is still heard
  }

  /* The office's name, whole: as large as fits its part of the header on up to two lines. */
  function fitOffice() {
    var office = root.querySelector(".head .office");
    office.style.fontSize = "";
    var size = parseFloat(window.getComputedStyle(office).fontSize);
    var floor = Math.min(window.innerWidth, window.innerHeight) / 60;
    var lines = function () {
      return office.scrollHeight / parseFloat(window.getComputedStyle(office).lineHeight);
    };
    while (
      size > floor &&
      (office.scrollHeight > office.clientHeight + 1 ||
        office.scrollWidth > office.clientWidth + 1 ||
        lines() > 2.2)
    ) {
      size = Math.max(floor, size * 0.92);
      office.style.fontSize = size + "px";
    }
  }
  fitOffice();

  window.addEventListener("resize", function () {
    fitOffice();
    if (!byId("board-announcement").hidden) {
      fitText(byId("board-announcement"));
    }
    var text = runningText;
    runningText = null;
    setRunning(text || "");
    fetchState(); // the lists are cut to the new height from the full state
  });

  fitList(byId("board-counters"));
  fitList(byId("board-calls"));
  // The server-rendered running text scrolls at once too: cut until the first state came, it
  // stayed cut whenever the state could not be fetched.
  setRunning(byId("board-running").textContent);
  scheduleNotice(config.closedNoticeUntil);

  // ------------------------------------------------------------------ slides
  // The slide due now, by the appliance's clock, as on the TV: every board shows the same.
  /* Shrink an announcement until all of it fits its box, as the TV does: never cut. */
  function fitText(box) {
    box.style.fontSize = "";
    var size = parseFloat(window.getComputedStyle(box).fontSize);
    var floor = Math.min(window.innerWidth, window.innerHeight) / 60;
    while (
      size > floor &&
      (box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1)
    ) {
      size = Math.max(floor, size * 0.9);
      box.style.fontSize = size + "px";
    }
  }

  function showSlide() {
    var slides = config.slides || [];
    var notes = config.announcements || [];
    var count = slides.length || notes.length;
    if (!count) {
      return;
    }
    var seconds = Math.max(1, config.slideSeconds);
    var index = Math.floor(now() / 1000 / seconds) % count;
    if (slides.length) {
      var image = byId("board-slide");
      if (image.getAttribute("src") !== slides[index]) {
        image.setAttribute("src", slides[index]);
      }
    } else {
      byId("board-announcement").textContent = notes[index];
      fitText(byId("board-announcement"));
    }
    window.setTimeout(showSlide, seconds * 1000 - (now() % (seconds * 1000)) + 5);
  }
  showSlide();

  // ------------------------------------------------------------------ state and offline mark
  var streamOnline = true;
  var stateOnline = true;
  var loading = false;
  var again = false;

  function showOffline() {
    byId("board-offline").hidden = streamOnline && stateOnline;
  }

  function fetchState() {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    window
      .fetch(config.stateUrl, { cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("board state " + response.status);
        }
        return response.json();
      })
      .then(function (state) {
        stateOnline = true;
        render(state);
      })
      .catch(function () {
        stateOnline = false;
      })
      .then(function () {
        showOffline();
        loading = false;
        if (again) {
          again = false;
          fetchState();
        }
      });
  }

  // ------------------------------------------------------------------ announcements
  var audio = byId("board-audio");
  var button = byId("board-sound");
  var sound = "unknown"; // "on" once audio played or the button was clicked; "blocked"
  var queue = [];
  var current = null; // the URL playing now: one announcement at a time, never overlapping

  function soundOn() {
    sound = "on";
    button.hidden = true;
    fitOffice(); // the header's room changed
  }

  function finished() {
    current = null;
    playNext();
  }

  function playNext() {
    if (current !== null || !queue.length || sound === "blocked") {
      return;
    }
    var url = queue.shift();
    current = url;
    audio.src = url;
    var started = audio.play();
    if (started && started.then) {
      started.then(soundOn, function (error) {
        if (current !== url) {
          return; // the element's error event already moved on
        }
        current = null;
        if (error && error.name === "NotAllowedError") {
          sound = "blocked"; // wait for the click; calls until then are shown only
          queue = [];
          button.hidden = false;
          fitOffice();
        } else {
          playNext(); // this one cannot play (no voice pack: 404); go on with the next
        }
      });
    }
  }

  function parseAt(text) {
    return Date.parse(String(text || "").replace(/(\.\d{3})\d+/, "$1"));
  }

  /* Queue one announcement: not while sound is refused, nor for a call older than
     announceMaxAgeSeconds (shown, not spoken: a visitor would go to a counter that called
     long ago). */
  function speak(label, counter, at, back) {
    var made = parseAt(at);
    var old = !isNaN(made) && now() - made > config.announceMaxAgeSeconds * 1000;
    if (sound === "blocked" || old) {
      return;
    }
    queue.push(
      config.wavUrl +
        "?label=" +
        encodeURIComponent(label) +
        "&counter=" +
        encodeURIComponent(counter) +
        (back ? "&back=1" : "")
    );
    if (queue.length > 6) {
      queue.shift(); // a burst after a hiccup: the newest calls matter most
    }
    playNext();
  }

  // The newest call this board spoke or showed (display.calls.SpokenMark): a call is spoken
  // once, and after a reconnect only the calls made since are.
  var markId = Number(config.spokenMark.id) || 0;
  var markAt = parseAt(config.spokenMark.at);

  function see(id, at) {
    markId = Math.max(markId, Number(id) || 0);
    var made = parseAt(at);
    if (!isNaN(made) && (isNaN(markAt) || made > markAt)) {
      markAt = made;
    }
  }

  function announce(data, id) {
    var eventId = Number(id) || 0;
    if (!data || typeof data.label !== "string" || typeof data.counter !== "string") {
      return;
    }
    if (eventId && eventId <= markId) {
      return; // already spoken (or shown) from a state read
    }
    see(eventId, data.at);
    speak(data.label, data.counter, data.at, data.back);
  }

  /* Speak the calls of a board state (a re-read after a reconnect, a snapshot from a
     restarted server) made after the last one this board spoke or showed, when recent and
     their visitor is still called, each ticket once, oldest first: the rule of the TV's
     display.calls.SpokenMark.take. When the state's newest event id is below the mark's (a
     restored or replaced database) the call's time tells which are new. */
  function speakNew(state) {
    var calls = state.last_calls || [];
    var wentBack = (Number(state.last_event_id) || 0) < markId;
    var seen = {};
    var fresh = [];
    calls.forEach(function (call) {
      if (seen[call.label]) {
        return;
      }
      seen[call.label] = true;
      if (call.current === false) {
        return;
      }
      if (wentBack) {
        var made = parseAt(call.at);
        if (!isNaN(markAt) && (isNaN(made) || made <= markAt)) {
          return;
        }
      } else if ((Number(call.event_id) || 0) <= markId) {
        return;
      }
      fresh.push(call);
    });
    if (wentBack) {
      markId = 0;
    }
    calls.forEach(function (call) {
      see(call.event_id, call.at);
    });
    fresh.reverse().forEach(function (call) {
      speak(call.label, call.counter, call.at, call.call_back);
    });
  }

  audio.addEventListener("ended", finished);
  audio.addEventListener("error", finished); // e.g. 404: no voice pack on the appliance
  button.addEventListener("click", function () {
    soundOn();
    playNext();
  });
  button.hidden = false;
  fitOffice();

  // A call made while this page was (re)loading is still spoken (the server picked the
  // recent calls whose visitor is still called, by the TV board's rule).
  (config.speakNow || []).forEach(function (call) {
    speak(call.label, call.counter, call.at, call.back);
  });

  // ------------------------------------------------------------------ stream
  window.ULTLive.follow({
    url: config.streamUrl,
    kinds: config.kinds,
    onEvent: function (kind, data, id) {
      if (kind === "snapshot" && data) {
        render(data);
      } else if (config.callKinds.indexOf(kind) >= 0) {
        // A call-back says "silakan kembali ke" (issue 14), as the TV does.
        announce(
          data && kind === "called_back"
            ? { label: data.label, counter: data.counter, at: data.at, back: true }
            : data,
          id
        );
      }
    },
    onChange: fetchState,
    onStatus: function (online) {
      streamOnline = online;
      showOffline();
    },
    pollSeconds: 15
  });
})();
