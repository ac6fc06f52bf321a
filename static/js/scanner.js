/* Colloque's door scanner: camera, hand-held scanner and search by name, online and offline.

   Every answer comes from POST /api/v1/checkin/. When that cannot be reached, the page answers
   from the offline bundle it downloaded (each badge's hash and standing), shows the answer
   marked offline and keeps the scan in a queue in localStorage; the queue is sent when the
   network is back, one request per scan with its own nonce, so a scan sent twice (two tabs,
   a lost answer) is recorded once by the server. Plain JavaScript, no build step. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("scanner-config").textContent);
  var t = JSON.parse(document.getElementById("scanner-strings").textContent);

  var STORAGE = "colloque.scanner.";
  var BUNDLE_REFRESH_MS = 60000;
  var QUEUE_RETRY_MS = 10000;
  // A gate cannot wait long: past this a scan is answered from the downloaded list (and sent
  // again later with the same nonce, so a scan the server did get is not recorded twice).
  var SCAN_TIMEOUT_MS = 4000;
  var REQUEST_TIMEOUT_MS = 8000;
  var BUNDLE_TIMEOUT_MS = 30000;
  // A badge held in front of the camera is one scan: the same code is ignored until it has
  // been out of sight this long.
  var SAME_CODE_PAUSE_MS = 2500;
  var CAMERA_INTERVAL_MS = 120;
  var SEARCH_SHOWN = 20;
  var TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

  var $ = function (id) {
    return document.getElementById(id);
  };
  var ui = {
    pairing: $("pairing"),
    pairingForm: $("pairing-form"),
    pairingToken: $("pairing-token"),
    pairingStatus: $("pairing-status"),
    deviceLabel: $("scanner-device-label"),
    forget: $("forget-device"),
    main: $("scanner-main"),
    checkpoint: $("checkpoint"),
    directionField: $("direction-field"),
    direction: $("direction"),
    network: $("network-state"),
    bundleState: $("bundle-state"),
    queueState: $("queue-state"),
    result: $("scan-result"),
    message: $("scan-message"),
    name: $("scan-name"),
    details: $("scan-details"),
    first: $("scan-first"),
    offline: $("scan-offline"),
    correction: $("correction"),
    correctionLabel: $("correction-label"),
    correctionReason: $("correction-reason"),
    correctionButton: $("correction-button"),
    correctionStatus: $("correction-status"),
    cameraToggle: $("camera-toggle"),
    cameraStatus: $("camera-status"),
    cameraFrame: $("camera-frame"),
    video: $("camera-video"),
    wedgeForm: $("wedge-form"),
    wedge: $("wedge-input"),
    search: $("search-input"),
    searchStatus: $("search-status"),
    searchResults: $("search-results"),
  };

  var state = {
    token: null,
    checkpoints: [],
    checkpointId: null,
    bundle: null,
    byHash: new Map(),
    byRegistration: new Map(),
    online: navigator.onLine,
    authFailed: false,
    answered: false, // an answer is on screen: background work must not replace it
    correctable: null, // the answer on screen the door staff may correct: {kind, id, name}
    timers: [],
  };

  // --- Small helpers ---------------------------------------------------------------------

  function format(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  var store = {
    get: function (name, fallback) {
      try {
        var raw = window.localStorage.getItem(STORAGE + name);
        return raw === null ? fallback : JSON.parse(raw);
      } catch (error) {
        return fallback;
      }
    },
    set: function (name, value) {
      try {
        window.localStorage.setItem(STORAGE + name, JSON.stringify(value));
        return true;
      } catch (error) {
        return false; // storage full or disabled: the page still works while it stays open
      }
    },
    remove: function (name) {
      try {
        window.localStorage.removeItem(STORAGE + name);
      } catch (error) {
        /* nothing kept, nothing to remove */
      }
    },
    removeAll: function (prefix) {
      try {
        for (var i = window.localStorage.length - 1; i >= 0; i--) {
          var key = window.localStorage.key(i);
          if (key && key.indexOf(STORAGE + prefix) === 0) window.localStorage.removeItem(key);
        }
      } catch (error) {
        /* as above */
      }
    },
  };

  function newNonce() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (byte) {
        return ("0" + byte.toString(16)).slice(-2);
      })
      .join("");
  }

  function sha256Hex(text) {
    if (window.crypto && window.crypto.subtle && window.TextEncoder) {
      return window.crypto.subtle
        .digest("SHA-256", new TextEncoder().encode(text))
        .then(function (digest) {
          return Array.prototype.map
            .call(new Uint8Array(digest), function (byte) {
              return ("0" + byte.toString(16)).slice(-2);
            })
            .join("");
        })
        .catch(function () {
          return window.colloqueSha256Hex(text);
        });
    }
    // crypto.subtle exists only in secure contexts (https, localhost).
    return Promise.resolve(window.colloqueSha256Hex(text));
  }

  function badgeHash(text) {
    return sha256Hex(text).then(function (hex) {
      return hex.slice(0, 32);
    });
  }

  // Accent- and case-insensitive: "lefebure" finds "Lefébure".
  function fold(text) {
    return String(text || "")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase();
  }

  function currentCheckpoint() {
    for (var i = 0; i < state.checkpoints.length; i++) {
      if (state.checkpoints[i].id === state.checkpointId) return state.checkpoints[i];
    }
    return null;
  }

  function timeZone() {
    var checkpoint = currentCheckpoint();
    var eventId = checkpoint ? checkpoint.event.id : state.bundle && state.bundle.event.id;
    return (eventId && config.eventTimeZones[String(eventId)]) || config.timeZone;
  }

  /* The event day a moment belongs to, as the server counts it (registrations/models.py,
     attendance_day): its date in the event's time zone, or the day before until 04:00. A
     first entry counts only on its own day: on day 2, everyone is admitted once again. */
  var DAY_ENDS_AT_HOUR = 4;

  function attendanceDay(iso) {
    var moment = new Date(iso);
    if (isNaN(moment.getTime())) return "";
    var options = {
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      hourCycle: "h23",
    };
    var parts = {};
    try {
      options.timeZone = (state.bundle && state.bundle.event.time_zone) || timeZone();
      new Intl.DateTimeFormat("en-GB", options).formatToParts(moment).forEach(function (part) {
        parts[part.type] = part.value;
      });
    } catch (error) {
      return "";
    }
    var day = new Date(Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day)));
    if (Number(parts.hour) < DAY_ENDS_AT_HOUR) day.setUTCDate(day.getUTCDate() - 1);
    return day.toISOString().slice(0, 10);
  }

  function sameDay(first, second) {
    return Boolean(first && second) && attendanceDay(first) === attendanceDay(second);
  }

  function formatTime(iso) {
    var moment = new Date(iso);
    if (isNaN(moment.getTime())) return "";
    var options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    try {
      options.timeZone = timeZone();
      return new Intl.DateTimeFormat(config.language, options).format(moment);
    } catch (error) {
      delete options.timeZone;
      return new Intl.DateTimeFormat(config.language, options).format(moment);
    }
  }

  // --- Talking to the API ----------------------------------------------------------------

  function Offline() {}

  function headers(hasBody) {
    var result = { Accept: "application/json", "Accept-Language": config.language };
    if (config.mode === "device") {
      result.Authorization = "Device " + state.token;
    } else {
      result["X-CSRFToken"] = config.csrfToken;
    }
    if (hasBody) result["Content-Type"] = "application/json";
    return result;
  }

  /* Resolves to {status, ok, data}; rejects with Offline when the server cannot be reached
     (no network, a timeout, or a server error that a retry later may cure). */
  function request(url, options) {
    options = options || {};
    if (!navigator.onLine) {
      setOnline(false);
      return Promise.reject(new Offline());
    }
    var controller = typeof AbortController !== "undefined" ? new AbortController() : null;
    var timer = controller
      ? setTimeout(function () {
          controller.abort();
        }, options.timeout || REQUEST_TIMEOUT_MS)
      : null;
    return fetch(url, {
      method: options.method || "GET",
      headers: headers(Boolean(options.body)),
      body: options.body ? JSON.stringify(options.body) : undefined,
      credentials: "same-origin",
      cache: "no-store",
      signal: controller ? controller.signal : undefined,
    })
      .then(
        function (response) {
          clearTimeout(timer);
          if (response.status >= 500) throw new Offline();
          setOnline(true);
          return response.json().then(
            function (data) {
              return { status: response.status, ok: response.ok, data: data };
            },
            function () {
              return { status: response.status, ok: response.ok, data: null };
            },
          );
        },
        function () {
          clearTimeout(timer);
          throw new Offline();
        },
      )
      .catch(function (error) {
        if (error instanceof Offline) setOnline(false);
        throw error;
      });
  }

  function firstError(data) {
    if (!data) return "";
    if (typeof data.detail === "string") return data.detail;
    for (var key in data) {
      if (Object.prototype.hasOwnProperty.call(data, key)) {
        var value = data[key];
        return Array.isArray(value) ? String(value[0]) : String(value);
      }
    }
    return "";
  }

  /* A 401 or 403: the device was revoked, the session expired, or the person may not scan
     here. Scans stay queued: they are sent once someone fixes the credentials. */
  function refused(response) {
    state.authFailed = true;
    if (config.mode === "device" && response.status === 401) {
      showNotice(t.deviceRefused);
      showPairing(t.deviceRefused);
    } else if (response.status === 401) {
      showNotice(t.sessionExpired);
    } else {
      showNotice(firstError(response.data) || t.forbidden);
    }
  }

  // --- Network state, bundle, queue --------------------------------------------------------

  function setOnline(online) {
    state.online = online;
    ui.network.textContent = online ? t.online : t.offline;
    ui.network.className =
      "scanner-pill " + (online ? "scanner-pill--online" : "scanner-pill--offline");
  }

  function indexBundle(bundle) {
    state.bundle = bundle;
    state.byHash = new Map();
    state.byRegistration = new Map();
    (bundle.badges || []).forEach(function (badge) {
      state.byHash.set(badge.hash, badge);
      state.byRegistration.set(badge.registration, badge);
    });
    renderBundleState();
    renderSearch();
  }

  function renderBundleState(failed) {
    if (!state.bundle) {
      ui.bundleState.textContent = failed ? t.bundleFailed : t.bundleNone;
      return;
    }
    var text = format(t.bundleLoaded, {
      count: state.bundle.badges.length,
      time: formatTime(state.bundle.generated_at),
    });
    ui.bundleState.textContent = failed ? text + " " + t.bundleStale : text;
  }

  function loadBundle() {
    var url = config.api.bundle;
    if (state.checkpointId) url += "?checkpoint=" + encodeURIComponent(state.checkpointId);
    var asked = state.checkpointId;
    return request(url, { timeout: BUNDLE_TIMEOUT_MS }).then(
      function (response) {
        if (!response.ok) {
          if (response.status === 401 || response.status === 403) refused(response);
          else renderBundleState(true);
          return;
        }
        var bundle = response.data;
        if (asked && bundle.checkpoint.id !== state.checkpointId) return; // changed meanwhile
        if (!asked) {
          // A device without a remembered choice: its default checkpoint.
          chooseCheckpoint(bundle.checkpoint.id, { skipBundle: true });
        }
        store.set("bundle." + bundle.checkpoint.id, bundle);
        indexBundle(bundle);
        if (!state.answered) showReady();
      },
      function (error) {
        if (!(error instanceof Offline)) throw error;
        renderBundleState(true);
      },
    );
  }

  function admittedHere() {
    return store.get("admitted." + state.checkpointId, {});
  }

  /* An admission undone: this device, and its copy of the list, forget it (the server's
     list, downloaded again, no longer has it). */
  function forgetAdmitted(registration) {
    if (registration === null || registration === undefined) return;
    var admitted = admittedHere();
    if (admitted[registration]) {
      delete admitted[registration];
      store.set("admitted." + state.checkpointId, admitted);
    }
    var badge = state.byRegistration.get(registration);
    if (badge) {
      badge.first_checked_in_at = null;
      badge.first_gate = "";
    }
  }

  function noteAdmitted(registration, at) {
    var admitted = admittedHere();
    if (!admitted[registration] || !sameDay(admitted[registration].at, at)) {
      admitted[registration] = { at: at };
      store.set("admitted." + state.checkpointId, admitted);
    }
  }

  /* This device's own admission of `registration` here on the event day of `at`, if any. */
  function admittedToday(registration, at) {
    var local = admittedHere()[registration];
    return local && sameDay(local.at, at) ? local : null;
  }

  function queue() {
    return store.get("queue", []);
  }

  function enqueue(item) {
    // Read, change and write at once: another tab of this page may share the queue.
    var items = queue();
    items.push(item);
    store.set("queue", items);
    renderQueue();
  }

  function dequeue(nonce) {
    store.set(
      "queue",
      queue().filter(function (item) {
        return item.nonce !== nonce;
      }),
    );
    renderQueue();
  }

  function renderQueue(note) {
    var count = queue().length;
    var text =
      count === 0 ? t.queueEmpty : count === 1 ? t.queueOne : format(t.queueMany, { count: count });
    ui.queueState.textContent = note ? text + " " + note : text;
    ui.queueState.className = count ? "scanner-queue scanner-queue--waiting" : "scanner-queue";
  }

  var uploading = false;

  function uploadQueue() {
    if (uploading || state.authFailed || !navigator.onLine || !queue().length) {
      return Promise.resolve();
    }
    uploading = true;
    var rejected = [];
    function next() {
      var items = queue();
      if (!items.length) return Promise.resolve();
      var item = items[0];
      return request(config.api.checkin, { method: "POST", body: item }).then(function (response) {
        if (response.status === 401 || response.status === 403) {
          refused(response);
          return;
        }
        // Recorded, or refused for good (a scan too old to keep): either way done with it.
        if (!response.ok) rejected.push(firstError(response.data));
        dequeue(item.nonce);
        return next();
      });
    }
    return next()
      .catch(function (error) {
        // Offline again: the rest waits for the next try. Anything else is a bug, but must
        // not stop the queue for good.
        if (!(error instanceof Offline)) window.console.error(error);
      })
      .then(function () {
        uploading = false;
        var note = "";
        if (rejected.length) {
          note = format(t.queueRejected, { count: rejected.length, reason: rejected[0] });
        }
        renderQueue(note);
        if (rejected.length === 0 && state.online && state.checkpointId) loadBundle();
      });
  }

  // --- Checkpoints ---------------------------------------------------------------------------

  function loadCheckpoints() {
    return request(config.api.checkpoints).then(
      function (response) {
        if (!response.ok) {
          if (response.status === 401 || response.status === 403) refused(response);
          return false;
        }
        state.checkpoints = response.data;
        store.set("checkpoints", response.data);
        return true;
      },
      function (error) {
        if (!(error instanceof Offline)) throw error;
        state.checkpoints = store.get("checkpoints", []);
        return true;
      },
    );
  }

  function renderCheckpoints() {
    ui.checkpoint.textContent = "";
    var placeholder = document.createElement("option");
    placeholder.value = "";
    placeholder.textContent = t.chooseCheckpoint;
    ui.checkpoint.appendChild(placeholder);
    var titles = {};
    state.checkpoints.forEach(function (checkpoint) {
      titles[checkpoint.event.id] = true;
    });
    var severalEvents = Object.keys(titles).length > 1;
    state.checkpoints.forEach(function (checkpoint) {
      var option = document.createElement("option");
      option.value = String(checkpoint.id);
      option.textContent = severalEvents
        ? checkpoint.event.title + " — " + checkpoint.name
        : checkpoint.name;
      ui.checkpoint.appendChild(option);
    });
    ui.checkpoint.value = state.checkpointId ? String(state.checkpointId) : "";
  }

  function chooseCheckpoint(id, options) {
    options = options || {};
    state.checkpointId = id;
    store.set("checkpoint", id);
    ui.checkpoint.value = id ? String(id) : "";
    var checkpoint = currentCheckpoint();
    var exits = Boolean(checkpoint && checkpoint.records_exits);
    ui.directionField.hidden = !exits;
    if (!exits) ui.direction.value = "entry";
    if (!id) {
      state.bundle = null;
      renderBundleState();
      showNotice(t.chooseCheckpoint, "idle");
      return;
    }
    if (!options.skipBundle) {
      var kept = store.get("bundle." + id, null);
      if (kept) indexBundle(kept);
      else {
        state.bundle = null;
        renderBundleState();
      }
      loadBundle();
    }
    if (!state.answered) showReady();
  }

  // --- The answer on screen --------------------------------------------------------------

  function colourOf(result) {
    if (result === "ok") return "ok";
    if (result === "already_checked_in") return "repeat";
    return "refused";
  }

  function setLine(element, text) {
    element.textContent = text || "";
    element.hidden = !text;
  }

  function showNotice(text, tone) {
    ui.result.className = "scan-result scan-result--" + (tone || "notice");
    ui.result.removeAttribute("data-result");
    setLine(ui.message, text);
    setLine(ui.name, "");
    setLine(ui.details, "");
    setLine(ui.first, "");
    setLine(ui.offline, "");
    offerCorrection(null);
  }

  function showReady() {
    if (state.checkpointId) showNotice(t.ready, "idle");
  }

  function showAnswer(answer) {
    state.answered = true;
    var attendee = answer.attendee;
    ui.result.className = "scan-result scan-result--" + colourOf(answer.result);
    ui.result.setAttribute("data-result", answer.result);
    setLine(ui.message, answer.message);
    setLine(ui.name, attendee ? attendee.name : "");
    var details = [];
    if (attendee) {
      if (attendee.organisation) details.push(attendee.organisation);
      if (attendee.category_label) details.push(attendee.category_label);
      if (attendee.ticket_type && attendee.ticket_type !== attendee.category_label) {
        details.push(attendee.ticket_type);
      }
    }
    setLine(ui.details, details.join(" · "));
    var first = "";
    if (answer.first && (answer.result !== "ok" || answer.isReturn)) {
      var time = formatTime(answer.first.at);
      first = answer.first.gate
        ? format(t.firstCheckIn, { time: time, gate: answer.first.gate })
        : format(t.firstCheckInNoGate, { time: time });
    }
    setLine(ui.first, first);
    setLine(ui.offline, answer.offline ? t.offlineAnswer : "");
    ui.result.classList.toggle("scan-result--offline", Boolean(answer.offline));
    offerCorrection(answer);
  }

  // --- Correcting the answer on screen ------------------------------------------------------

  // Refusals the door staff may override (checkin/corrections.py, OVERRIDABLE); an unknown
  // badge, another event's or a cancelled registration cannot be admitted anyway.
  var OVERRIDABLE = ["not_paid", "not_valid_now", "already_checked_in"];

  /* Under an answer the server gave (offline answers have no scan to correct yet): "Undo this
     entry" for an admission, "Admit anyway" with a reason for an overridable refusal. */
  function offerCorrection(answer) {
    var kind = null;
    if (answer && answer.checkin && !answer.offline && answer.direction === "entry") {
      if (answer.result === "ok") kind = "annul";
      else if (OVERRIDABLE.indexOf(answer.result) !== -1 && answer.attendee) kind = "override";
    }
    state.correctable = kind
      ? {
          kind: kind,
          id: answer.checkin,
          name: answer.attendee ? answer.attendee.name : "",
          registration: answer.attendee ? answer.attendee.registration : null,
        }
      : null;
    ui.correction.hidden = !kind;
    ui.correctionReason.value = "";
    ui.correctionReason.removeAttribute("aria-invalid");
    ui.correctionStatus.textContent = "";
    ui.correctionButton.disabled = false;
    if (!kind) return;
    var name = state.correctable.name;
    var annul = kind === "annul";
    ui.correctionLabel.textContent = annul ? t.annulReason : t.overrideReason;
    ui.correctionReason.required = !annul;
    ui.correctionButton.textContent = annul ? t.annulButton : t.overrideButton;
    ui.correctionButton.setAttribute(
      "aria-label",
      format(annul ? t.annulNamed : t.overrideNamed, { name: name }),
    );
  }

  function correct() {
    var target = state.correctable;
    if (!target) return Promise.resolve();
    var reason = ui.correctionReason.value.trim();
    if (target.kind === "override" && !reason) {
      ui.correctionReason.setAttribute("aria-invalid", "true");
      ui.correctionStatus.textContent = t.overrideNoReason;
      ui.correctionReason.focus();
      return Promise.resolve();
    }
    ui.correctionReason.removeAttribute("aria-invalid");
    ui.correctionButton.disabled = true;
    var url = config.api[target.kind].replace("{id}", encodeURIComponent(target.id));
    return request(url, { method: "POST", body: { reason: reason } })
      .then(function (response) {
        if (state.correctable !== target) return; // another scan answered meanwhile
        ui.correctionButton.disabled = false;
        if (response.status === 401) {
          refused(response);
          return;
        }
        if (!response.ok) {
          if (response.data && response.data.reason) {
            ui.correctionReason.setAttribute("aria-invalid", "true");
          }
          ui.correctionStatus.textContent = format(t.correctionFailed, {
            reason: firstError(response.data),
          });
          return;
        }
        if (target.kind === "annul") {
          forgetAdmitted(target.registration);
          showNotice(format(t.annulDone, { name: target.name }), "notice");
          state.answered = true;
        } else {
          var data = response.data;
          if (data.attendee) noteAdmitted(data.attendee.registration, data.scanned_at);
          showAnswer({
            result: data.result,
            message: data.message,
            attendee: data.attendee,
            first: data.first_checked_in,
            isReturn: Boolean(data.first_checked_in),
            offline: false,
            checkin: data.checkin,
            direction: data.direction,
          });
          signal(data.result);
        }
        renderSearch();
        if (keepsFocus) ui.wedge.focus({ preventScroll: true });
      })
      .catch(function (error) {
        if (!(error instanceof Offline)) throw error;
        ui.correctionButton.disabled = false;
        ui.correctionStatus.textContent = t.correctionOffline;
      });
  }

  ui.correction.addEventListener("submit", function (event) {
    event.preventDefault();
    correct();
  });

  // --- Sound and vibration ---------------------------------------------------------------

  var audio = null;

  function unlockAudio() {
    // Browsers let a page play sound only after a gesture: make the context on the first one.
    var AudioContext = window.AudioContext || window.webkitAudioContext;
    if (!audio && AudioContext) {
      try {
        audio = new AudioContext();
      } catch (error) {
        audio = null;
      }
    }
    if (audio && audio.state === "suspended") audio.resume();
  }

  function signal(result) {
    var colour = colourOf(result);
    if (audio) {
      var tones =
        colour === "ok"
          ? [[880, 0, 0.12], [1320, 0.13, 0.16]]
          : colour === "repeat"
            ? [[660, 0, 0.14], [660, 0.22, 0.14]]
            : [[196, 0, 0.5]];
      try {
        tones.forEach(function (tone) {
          var start = audio.currentTime + tone[1];
          var oscillator = audio.createOscillator();
          var gain = audio.createGain();
          oscillator.type = colour === "refused" ? "square" : "sine";
          oscillator.frequency.value = tone[0];
          gain.gain.setValueAtTime(0.18, start);
          gain.gain.exponentialRampToValueAtTime(0.001, start + tone[2]);
          oscillator.connect(gain);
          gain.connect(audio.destination);
          oscillator.start(start);
          oscillator.stop(start + tone[2] + 0.02);
        });
      } catch (error) {
        /* no sound: the colour and the text still say it */
      }
    }
    if (typeof navigator.vibrate === "function") {
      var pattern = { ok: 80, repeat: [120, 80, 120], refused: [300, 100, 300] };
      navigator.vibrate(pattern[colour]);
    }
  }

  // --- Deciding without the network ------------------------------------------------------

  function attendeeOf(badge) {
    return {
      registration: badge.registration,
      name: badge.name,
      organisation: badge.organisation,
      category: badge.category,
      category_label: badge.category_label,
      ticket_type: badge.ticket_type,
    };
  }

  /* The same rule as the server's (checkin/services.py), from the downloaded bundle:
     the badge's standing, then the checkpoint's hours, then an earlier admission here. */
  function decideOffline(item) {
    var bundle = state.bundle;
    var messages = (bundle && bundle.messages) || t.messages;
    var lookup;
    if (!bundle || bundle.checkpoint.id !== item.checkpoint) {
      lookup = Promise.resolve(null);
    } else if (item.token !== undefined) {
      lookup = badgeHash(item.token).then(function (hash) {
        return state.byHash.get(hash) || null;
      });
    } else {
      lookup = Promise.resolve(state.byRegistration.get(item.registration) || null);
    }
    return lookup.then(function (badge) {
      if (!badge) {
        return {
          result: "unknown",
          message: bundle ? messages.unknown : messages.unknown + " — " + t.bundleNone,
          attendee: null,
        };
      }
      var answer = { attendee: attendeeOf(badge), first: null };
      if (badge.result !== "ok") {
        answer.result = badge.result;
        answer.message = badge.message;
        return answer;
      }
      if (item.direction === "exit") {
        answer.result = "ok";
        answer.message = messages.ok;
        return answer;
      }
      var now = new Date(item.scanned_at);
      var opens = bundle.checkpoint.opens_at && new Date(bundle.checkpoint.opens_at);
      var closes = bundle.checkpoint.closes_at && new Date(bundle.checkpoint.closes_at);
      if (opens && now < opens) {
        answer.result = "not_valid_now";
        answer.message = t.reasonNotOpen;
        return answer;
      }
      if (closes && now > closes) {
        answer.result = "not_valid_now";
        answer.message = t.reasonClosed;
        return answer;
      }
      var local = admittedToday(badge.registration, item.scanned_at);
      var first = sameDay(badge.first_checked_in_at, item.scanned_at)
        ? { at: badge.first_checked_in_at, gate: badge.first_gate }
        : local
          ? { at: local.at, gate: "" }
          : null;
      if (first && !bundle.checkpoint.allows_reentry) {
        answer.result = "already_checked_in";
        answer.message = messages.already_checked_in;
        answer.first = first;
        return answer;
      }
      answer.result = "ok";
      answer.message = messages.ok;
      answer.first = first;
      answer.isReturn = Boolean(first);
      if (!first) noteAdmitted(badge.registration, item.scanned_at);
      return answer;
    });
  }

  // --- A scan, from any source -----------------------------------------------------------

  var scans = Promise.resolve();

  /* `input` is {token: text} or {registration: id}. Scans run one after another, so that two
     quick scans of one badge cannot both be admitted offline. */
  function scan(input) {
    scans = scans.then(function () {
      return scanOnce(input).catch(function (error) {
        showNotice(String(error && error.message ? error.message : error));
      });
    });
    return scans;
  }

  function scanOnce(input) {
    if (!state.checkpointId) {
      showNotice(t.chooseCheckpoint);
      signal("refused");
      return Promise.resolve();
    }
    var item = {
      checkpoint: state.checkpointId,
      nonce: newNonce(),
      direction: ui.direction.value || "entry",
      scanned_at: new Date().toISOString(),
    };
    if (input.token !== undefined) item.token = input.token;
    else item.registration = input.registration;
    showNotice(t.scanning, "pending");
    var body = {
      checkpoint: item.checkpoint,
      nonce: item.nonce,
      direction: item.direction,
    };
    if (item.token !== undefined) body.token = item.token;
    else body.registration = item.registration;
    return request(config.api.checkin, { method: "POST", body: body, timeout: SCAN_TIMEOUT_MS })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) {
          refused(response);
          signal("refused");
          return null;
        }
        if (!response.ok) {
          showNotice(format(t.badInput, { reason: firstError(response.data) }), "refused");
          signal("refused");
          return null;
        }
        var data = response.data;
        if (data.result === "ok" && data.attendee && item.direction === "entry") {
          noteAdmitted(data.attendee.registration, data.scanned_at);
          var badge = state.byRegistration.get(data.attendee.registration);
          if (
            badge &&
            !sameDay(badge.first_checked_in_at, data.scanned_at) &&
            !data.first_checked_in
          ) {
            badge.first_checked_in_at = data.scanned_at;
          }
        }
        var answer = {
          result: data.result,
          message: data.message,
          attendee: data.attendee,
          first: data.first_checked_in,
          isReturn: data.result === "ok" && Boolean(data.first_checked_in),
          offline: false,
          checkin: data.checkin,
          direction: data.direction,
        };
        showAnswer(answer);
        signal(answer.result);
        renderSearch();
        if (queue().length) uploadQueue();
        return answer;
      })
      .catch(function (error) {
        if (!(error instanceof Offline)) throw error;
        return decideOffline(item).then(function (answer) {
          answer.offline = true;
          item.offline = true;
          item.client_result = answer.result;
          enqueue(item);
          showAnswer(answer);
          signal(answer.result);
          renderSearch();
          return answer;
        });
      });
  }

  // --- Hand-held scanners (keyboard wedge) -------------------------------------------------

  function isTextField(element) {
    if (!element) return false;
    var tag = element.tagName;
    return tag === "TEXTAREA" || tag === "SELECT" || (tag === "INPUT" && element.type !== "button");
  }

  // On a phone the focus would open the on-screen keyboard over the camera: there, the field
  // takes the focus only when tapped.
  var keepsFocus = !window.matchMedia || window.matchMedia("(any-pointer: fine)").matches;

  // Give the focus back to the scanner field when nobody else wants it (a click on the page,
  // the end of a scan), never taking it from the search box or the checkpoint list.
  function refocusWedge() {
    if (ui.main.hidden || !keepsFocus) return;
    var active = document.activeElement;
    var nobody = !active || active === document.body || active === document.documentElement;
    if (nobody || active.id === "main") {
      ui.wedge.focus({ preventScroll: true });
    }
  }

  ui.wedgeForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = ui.wedge.value.trim();
    ui.wedge.value = "";
    if (text) scan({ token: text });
  });

  ui.wedge.addEventListener("blur", function () {
    setTimeout(refocusWedge, 200);
  });

  document.addEventListener("click", function () {
    setTimeout(refocusWedge, 0);
  });

  // A hand-held scanner types wherever the focus is: keys typed on a button or on the page
  // itself go to the scanner field instead (never Enter or Space, which press buttons).
  document.addEventListener("keydown", function (event) {
    if (ui.main.hidden || !keepsFocus || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key.length !== 1 || event.key === " ") return;
    if (isTextField(document.activeElement)) return;
    ui.wedge.focus({ preventScroll: true });
  });

  // --- Search by name ----------------------------------------------------------------------

  function renderSearch() {
    var query = fold(ui.search.value).trim();
    ui.searchResults.textContent = "";
    if (!query) {
      ui.searchStatus.textContent = "";
      return;
    }
    if (!state.bundle) {
      ui.searchStatus.textContent = t.bundleNone;
      return;
    }
    if (query.length < 2) {
      ui.searchStatus.textContent = t.searchTooShort;
      return;
    }
    var words = query.split(/\s+/);
    var found = state.bundle.badges.filter(function (badge) {
      if (!badge._folded) badge._folded = fold(badge.name + " " + badge.organisation);
      return words.every(function (word) {
        return badge._folded.indexOf(word) !== -1;
      });
    });
    if (!found.length) {
      ui.searchStatus.textContent = t.searchNoResults;
      return;
    }
    ui.searchStatus.textContent = "";
    if (found.length > SEARCH_SHOWN) {
      ui.searchStatus.textContent = format(t.searchMore, { count: found.length - SEARCH_SHOWN });
    }
    var now = new Date().toISOString();
    found.slice(0, SEARCH_SHOWN).forEach(function (badge) {
      ui.searchResults.appendChild(searchResult(badge, admittedToday(badge.registration, now)));
    });
  }

  function searchResult(badge, local) {
    var item = document.createElement("li");
    item.className = "scanner-results__item";
    var text = document.createElement("div");
    var name = document.createElement("p");
    name.className = "scanner-results__name";
    name.textContent = badge.name;
    text.appendChild(name);
    var details = [badge.organisation, badge.category_label].filter(Boolean).join(" · ");
    if (details) {
      var detailLine = document.createElement("p");
      detailLine.className = "scanner-results__details";
      detailLine.textContent = details;
      text.appendChild(detailLine);
    }
    var standing = "";
    if (badge.result !== "ok") standing = badge.message;
    else {
      var today = sameDay(badge.first_checked_in_at, new Date().toISOString())
        ? badge.first_checked_in_at
        : local && local.at;
      if (today) standing = format(t.alreadyAt, { time: formatTime(today) });
    }
    if (standing) {
      var standingLine = document.createElement("p");
      standingLine.className =
        "scanner-results__standing scanner-results__standing--" +
        (badge.result === "ok" ? "repeat" : "refused");
      standingLine.textContent = standing;
      text.appendChild(standingLine);
    }
    item.appendChild(text);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button scanner-results__button";
    button.textContent = t.checkInButton;
    button.setAttribute("aria-label", format(t.checkInNamed, { name: badge.name }));
    button.addEventListener("click", function () {
      scan({ registration: badge.registration }).then(function () {
        ui.search.value = "";
        renderSearch();
        if (keepsFocus) ui.wedge.focus({ preventScroll: true });
      });
    });
    item.appendChild(button);
    return item;
  }

  ui.search.addEventListener("input", renderSearch);
  ui.search.addEventListener("keydown", function (event) {
    // A hand-held scanner used while the search box had the focus: a code, not a name.
    if (event.key !== "Enter") return;
    event.preventDefault();
    var text = ui.search.value.trim();
    if (TOKEN_PATTERN.test(text) && !ui.searchResults.children.length) {
      ui.search.value = "";
      renderSearch();
      scan({ token: text });
    }
  });

  // --- Camera ------------------------------------------------------------------------------

  var camera = { stream: null, decode: null, timer: null, busy: false, lastCode: "", lastSeen: 0 };
  var canvas = null;

  function loadScript(url) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = url;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function makeDecoder() {
    var native = Promise.resolve(null);
    if ("BarcodeDetector" in window) {
      native = window.BarcodeDetector.getSupportedFormats()
        .then(function (formats) {
          if (formats.indexOf("qr_code") === -1) return null;
          var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
          return function (video) {
            return detector.detect(video).then(function (codes) {
              return codes.length ? codes[0].rawValue : null;
            });
          };
        })
        .catch(function () {
          return null;
        });
    }
    return native.then(function (decoder) {
      if (decoder) return decoder;
      // No native detector (Firefox, desktop Chromium on Linux and Windows): jsQR, served here.
      var ready =
        typeof window.jsQR === "function" ? Promise.resolve() : loadScript(config.jsqrUrl);
      return ready.then(
        function () {
          if (typeof window.jsQR !== "function") return null;
          canvas = canvas || document.createElement("canvas");
          var context = canvas.getContext("2d", { willReadFrequently: true });
          return function (video) {
            var width = video.videoWidth;
            var height = video.videoHeight;
            if (!width || !height) return Promise.resolve(null);
            var scale = Math.min(1, 960 / Math.max(width, height));
            canvas.width = Math.round(width * scale);
            canvas.height = Math.round(height * scale);
            context.drawImage(video, 0, 0, canvas.width, canvas.height);
            var image = context.getImageData(0, 0, canvas.width, canvas.height);
            var code = window.jsQR(image.data, image.width, image.height, {
              inversionAttempts: "dontInvert",
            });
            return Promise.resolve(code ? code.data : null);
          };
        },
        function () {
          return null;
        },
      );
    });
  }

  function setCameraStatus(text) {
    ui.cameraStatus.textContent = text;
  }

  function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      // Browsers offer the camera only to secure contexts (https, localhost).
      setCameraStatus(
        window.isSecureContext === false
          ? t.cameraInsecure
          : format(t.cameraDenied, { reason: "getUserMedia" }),
      );
      return Promise.resolve();
    }
    setCameraStatus(t.cameraStarting);
    ui.cameraToggle.disabled = true;
    return navigator.mediaDevices
      .getUserMedia({
        audio: false,
        video: {
          facingMode: { ideal: "environment" }, // the rear camera of a phone
          width: { ideal: 1280 },
          height: { ideal: 720 },
        },
      })
      .then(function (stream) {
        camera.stream = stream;
        ui.video.srcObject = stream;
        ui.cameraFrame.hidden = false;
        return ui.video.play().then(makeDecoder);
      })
      .then(function (decoder) {
        if (!decoder) {
          setCameraStatus(t.cameraNoDecoder);
          stopCamera(true);
          return;
        }
        camera.decode = decoder;
        store.set("camera", true);
        ui.cameraToggle.textContent = t.cameraStop;
        setCameraStatus(t.cameraOn);
        watch();
      })
      .catch(function (error) {
        stopCamera(true);
        var reason = (error && (error.message || error.name)) || "";
        setCameraStatus(format(t.cameraDenied, { reason: reason }));
      })
      .then(function () {
        ui.cameraToggle.disabled = false;
      });
  }

  function stopCamera(keepStatus) {
    clearTimeout(camera.timer);
    if (camera.stream) {
      camera.stream.getTracks().forEach(function (track) {
        track.stop();
      });
    }
    camera.stream = null;
    camera.decode = null;
    ui.video.srcObject = null;
    ui.cameraFrame.hidden = true;
    ui.cameraToggle.textContent = t.cameraStart;
    if (!keepStatus) {
      store.set("camera", false);
      setCameraStatus("");
    }
  }

  function watch() {
    if (!camera.stream) return;
    if (!camera.busy && ui.video.readyState >= 2 && camera.decode) {
      camera.busy = true;
      camera
        .decode(ui.video)
        .then(seen, function () {
          return null;
        })
        .then(function () {
          camera.busy = false;
        });
    }
    camera.timer = setTimeout(watch, CAMERA_INTERVAL_MS);
  }

  function seen(code) {
    if (!code) return;
    var text = String(code).trim();
    var now = Date.now();
    var again = text === camera.lastCode && now - camera.lastSeen < SAME_CODE_PAUSE_MS;
    camera.lastCode = text;
    camera.lastSeen = now;
    if (!again) scan({ token: text });
  }

  ui.cameraToggle.addEventListener("click", function () {
    unlockAudio();
    if (camera.stream) stopCamera(false);
    else startCamera();
  });

  // --- Pairing a device --------------------------------------------------------------------

  function showPairing(message) {
    if (!ui.pairing) return;
    ui.pairing.hidden = false;
    ui.pairingStatus.textContent = message || "";
    if (!message) ui.pairingToken.focus();
  }

  function pair(token) {
    ui.pairingStatus.textContent = t.pairingChecking;
    state.token = token;
    state.authFailed = false;
    return request(config.api.checkpoints).then(
      function (response) {
        if (!response.ok) {
          state.token = store.get("deviceToken", null);
          ui.pairingStatus.textContent = t.pairingRefused;
          return;
        }
        if (store.get("deviceToken", null) !== token) {
          // Another device's lists and admissions do not apply to this one.
          store.removeAll("bundle.");
          store.removeAll("admitted.");
          store.remove("checkpoint");
        }
        store.set("deviceToken", token);
        ui.pairingToken.value = "";
        ui.pairingStatus.textContent = "";
        ui.pairing.hidden = true;
        start();
      },
      function (error) {
        if (!(error instanceof Offline)) throw error;
        state.token = store.get("deviceToken", null);
        ui.pairingStatus.textContent = t.pairingFailed;
      },
    );
  }

  if (ui.pairingForm) {
    ui.pairingForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var token = ui.pairingToken.value.trim();
      if (!token) {
        ui.pairingStatus.textContent = t.pairingEmpty;
        ui.pairingToken.setAttribute("aria-invalid", "true");
        return;
      }
      ui.pairingToken.removeAttribute("aria-invalid");
      pair(token);
    });
  }

  if (ui.forget) {
    ui.forget.addEventListener("click", function () {
      var waiting = queue().length;
      if (waiting && !window.confirm(format(t.forgetConfirm, { count: waiting }))) return;
      stopCamera(false);
      state.timers.forEach(clearInterval);
      state.timers = [];
      store.removeAll("");
      state.token = null;
      state.bundle = null;
      state.checkpointId = null;
      state.checkpoints = [];
      ui.main.hidden = true;
      ui.forget.hidden = true;
      ui.deviceLabel.hidden = true;
      showPairing();
    });
  }

  // --- Start -------------------------------------------------------------------------------

  function start() {
    state.timers.forEach(clearInterval);
    state.timers = [];
    ui.main.hidden = false;
    if (config.mode === "device") {
      ui.forget.hidden = false;
      ui.deviceLabel.hidden = false;
    }
    setOnline(navigator.onLine);
    renderQueue();
    renderBundleState();
    showNotice(t.loadingCheckpoints, "idle");
    refocusWedge();
    return loadCheckpoints().then(function (ok) {
      if (!ok) return;
      renderCheckpoints();
      if (!state.checkpoints.length) {
        showNotice(t.noCheckpoint, "idle");
        return;
      }
      var remembered = store.get("checkpoint", null);
      var known = state.checkpoints.some(function (checkpoint) {
        return checkpoint.id === remembered;
      });
      if (known) chooseCheckpoint(remembered);
      else if (state.checkpoints.length === 1) chooseCheckpoint(state.checkpoints[0].id);
      else if (config.mode === "device") loadBundle();
      else chooseCheckpoint(null);
      uploadQueue();
      state.timers.push(
        setInterval(function () {
          if (navigator.onLine && state.checkpointId) loadBundle();
        }, BUNDLE_REFRESH_MS),
        setInterval(uploadQueue, QUEUE_RETRY_MS),
      );
      if (store.get("camera", false)) startCamera();
    });
  }

  ui.checkpoint.addEventListener("change", function () {
    var id = ui.checkpoint.value ? Number(ui.checkpoint.value) : null;
    state.answered = false;
    chooseCheckpoint(id);
  });

  window.addEventListener("online", function () {
    setOnline(true);
    state.authFailed = false;
    uploadQueue();
    if (state.checkpointId) loadBundle();
  });
  window.addEventListener("offline", function () {
    setOnline(false);
  });
  window.addEventListener("storage", function (event) {
    if (event.key === STORAGE + "queue") renderQueue();
  });
  document.addEventListener("pointerdown", unlockAudio, { once: true });
  document.addEventListener("keydown", unlockAudio, { once: true });

  if ("serviceWorker" in navigator && config.serviceWorkerUrl) {
    // Lets the page load again without network; a failure only costs that.
    navigator.serviceWorker
      .register(config.serviceWorkerUrl, { scope: config.scope })
      .catch(function () {});
  }

  if (config.mode === "device") {
    // A link "…/checkin/#device=<token>" pairs at once; the fragment never reaches the server.
    var match = /^#device=([A-Za-z0-9_-]{16,200})$/.exec(window.location.hash);
    if (match) {
      history.replaceState(null, "", window.location.pathname + window.location.search);
      pair(match[1]);
    } else {
      state.token = store.get("deviceToken", null);
      if (state.token) start();
      else showPairing();
    }
  } else {
    start();
  }
})();
