/*
 * lmspack preview: a small SCORM 2004 run-time (window.API_1484_11) in the page around the quiz
 * player, which finds it in its parent window as it finds an LMS's. It keeps what an LMS would
 * store, the cmi elements the player sets, in this tab's sessionStorage, one record per player
 * (the whole quiz, or one item: the frame's data-sco), written at each Commit and at Terminate:
 * a reload resumes a suspended attempt, as an LMS's next launch does; after a normal exit the next
 * launch starts a new attempt.
 *
 * Only what a preview needs: the session's states and their error codes, read-only and write-only
 * elements, the vocabularies of the status elements, interactions added in order. No sequencing,
 * no checks of the other elements' types (tests/test_player_browser.py runs the player under a
 * full run-time). The author view shows what is recorded (preview.js, "lmspack-preview-cmi" events).
 */
(function (win) {
  "use strict";

  var PREFIX = "lmspack-preview:";
  var READ_ONLY = ["cmi._version", "cmi.entry", "cmi.learner_id", "cmi.learner_name", "cmi.mode", "cmi.credit",
                   "cmi.launch_data", "cmi.total_time", "cmi.completion_threshold", "cmi.scaled_passing_score",
                   "cmi.max_time_allowed", "cmi.time_limit_action"];
  var WRITE_ONLY = ["cmi.exit", "cmi.session_time"];
  var VOCABULARIES = {
    "cmi.completion_status": ["completed", "incomplete", "not attempted", "unknown"],
    "cmi.success_status": ["passed", "failed", "unknown"],
    "cmi.exit": ["time-out", "suspend", "logout", "normal", ""]
  };
  var MESSAGES = {
    "0": "No error", "101": "General exception", "103": "Already initialized",
    "112": "Termination before initialization", "113": "Termination after termination",
    "122": "Retrieve data before initialization", "123": "Retrieve data after termination",
    "132": "Store data before initialization", "133": "Store data after termination",
    "142": "Commit before initialization", "143": "Commit after termination", "201": "General argument error",
    "351": "General set failure", "401": "Undefined data model element",
    "403": "Data model element value not initialized", "404": "Data model element is read only",
    "405": "Data model element is write only", "406": "Data model element type mismatch",
    "408": "Data model dependency not established"
  };
  var INTERACTION = /^cmi\.interactions\.(\d+)\.(.+)$/;
  var PATTERN = /^correct_responses\.(\d+)\.pattern$/;

  var phase = "idle";  // idle, running (Initialize), done (Terminate)
  var sco = null;      // the storage name of the running player
  var cmi = {};
  var lastError = "0";
  var diagnostic = "";
  var discardNext = false;  // "Start again": the running player's record is dropped, not stored

  function storageName() {
    var frame = win.document.getElementById("sco");
    return PREFIX + win.document.body.getAttribute("data-quiz") + ":" +
      (frame ? frame.getAttribute("data-sco") : "quiz");
  }

  function load(name) {
    try {
      var record = JSON.parse(win.sessionStorage.getItem(name));
      return record && typeof record.cmi === "object" ? record : null;
    } catch (e) {
      return null;  // no storage in this browser, or not a record of ours: a first launch
    }
  }

  function store() {
    try {
      if (discardNext) {
        win.sessionStorage.removeItem(sco);
      } else {
        win.sessionStorage.setItem(sco, JSON.stringify({cmi: cmi}));
      }
    } catch (e) { /* no storage: the attempt lives as long as the page */ }
  }

  function changed() {
    win.dispatchEvent(new win.CustomEvent("lmspack-preview-cmi"));
  }

  /** Records an error; GetValue then returns "" (the other calls return "false"). */
  function fail(code, why) {
    lastError = code;
    diagnostic = why || "";
    return "";
  }

  function succeed(value) {
    lastError = "0";
    diagnostic = "";
    return value;
  }

  /** Whether the session runs; when not, the call's error is `before` (no Initialize yet) or
   *  `after` (Terminate was called). */
  function running(before, after) {
    if (phase === "running") {
      return true;
    }
    fail(phase === "idle" ? before : after);
    return false;
  }

  var api = {
    Initialize: function (parameter) {
      if (parameter !== "") {
        fail("201", "Initialize takes \"\"");
        return "false";
      }
      if (phase === "running") {
        fail("103");
        return "false";
      }
      // A player that starts after another terminated is the next launch (a reload, another item).
      sco = storageName();
      var saved = discardNext ? null : load(sco);
      discardNext = false;
      var resume = saved !== null && saved.cmi["cmi.exit"] === "suspend";
      cmi = resume ? saved.cmi : {};
      delete cmi["cmi.exit"];
      delete cmi["cmi.session_time"];
      cmi["cmi._version"] = "1.0";
      cmi["cmi.entry"] = resume ? "resume" : "ab-initio";
      cmi["cmi.learner_id"] = "preview";
      cmi["cmi.learner_name"] = "Preview, Author";
      cmi["cmi.mode"] = "normal";
      cmi["cmi.credit"] = "credit";
      ["cmi.completion_status", "cmi.success_status"].forEach(function (element) {
        if (!(element in cmi)) {
          cmi[element] = "unknown";
        }
      });
      if (!("cmi.interactions._count" in cmi)) {
        cmi["cmi.interactions._count"] = "0";
      }
      phase = "running";
      changed();
      return succeed("true");
    },

    Terminate: function (parameter) {
      if (!running("112", "113")) {
        return "false";
      }
      store();
      phase = "done";
      changed();
      return succeed("true");
    },

    GetValue: function (element) {
      if (!running("122", "123")) {
        return "";
      }
      element = String(element);
      if (WRITE_ONLY.indexOf(element) >= 0) {
        return fail("405", element);
      }
      if (element in cmi) {
        return succeed(cmi[element]);
      }
      return fail(element.indexOf("cmi.") === 0 ? "403" : "401", element);
    },

    SetValue: function (element, value) {
      if (!running("132", "133")) {
        return "false";
      }
      element = String(element);
      value = String(value);
      if (element.indexOf("cmi.") !== 0) {
        fail("401", element);
        return "false";
      }
      if (READ_ONLY.indexOf(element) >= 0 || /\._(count|children)$/.test(element)) {
        fail("404", element);
        return "false";
      }
      if (VOCABULARIES[element] && VOCABULARIES[element].indexOf(value) < 0) {
        fail("406", element + " cannot be " + JSON.stringify(value));
        return "false";
      }
      var interaction = INTERACTION.exec(element);
      if (interaction) {
        var n = parseInt(interaction[1], 10);
        var count = parseInt(cmi["cmi.interactions._count"], 10);
        if (n > count || (n === count && interaction[2] !== "id")) {
          fail(n > count ? "351" : "408", element + ": interactions are added in order, id first");
          return "false";
        }
        if (n === count) {
          cmi["cmi.interactions._count"] = String(count + 1);
        }
        var pattern = PATTERN.exec(interaction[2]);
        var patterns = "cmi.interactions." + n + ".correct_responses._count";
        if (pattern && parseInt(pattern[1], 10) >= parseInt(cmi[patterns] || "0", 10)) {
          cmi[patterns] = String(parseInt(pattern[1], 10) + 1);
        }
      }
      cmi[element] = value;
      changed();
      return succeed("true");
    },

    Commit: function (parameter) {
      if (!running("142", "143")) {
        return "false";
      }
      store();
      return succeed("true");
    },

    GetLastError: function () {
      return lastError;
    },

    GetErrorString: function (code) {
      return MESSAGES[String(code)] || "";
    },

    GetDiagnostic: function (code) {
      return diagnostic;
    }
  };

  win.API_1484_11 = api;

  /** What the author view shows and does (preview.js). */
  win.lmspackPreview = {
    record: function () {
      var copy = {};
      Object.keys(cmi).forEach(function (element) { copy[element] = cmi[element]; });
      return {phase: phase, cmi: copy};
    },
    /** The player in the frame starts a new attempt at its next launch: its record is dropped. */
    startAgain: function () {
      discardNext = true;
      try {
        win.sessionStorage.removeItem(storageName());
      } catch (e) { /* no storage */ }
    }
  };
}(window));
