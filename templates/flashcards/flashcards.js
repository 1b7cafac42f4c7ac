/*
 * lmspack study player of flashcards (one SCO). Reads the deck embedded in index.html as JSON
 * (builder/formats/flashcards.py), shows one card at a time: its front, then, when flipped (the
 * button, the space bar or Enter, a tap on the card), its back, which a live region announces;
 * the learner rates it Again (key 1) or Good (key 2). A card rated Again comes back `againGap`
 * cards later in the same session, until every card has been rated Good once: the deck is then
 * complete. Progress is shown (an accessible progressbar) and reported: SCORM 2004
 * cmi.progress_measure and cmi.completion_status, SCORM 1.2 cmi.core.lesson_status; no score.
 * The learner resumes where they left (cmi.suspend_data, encodeState).
 *
 * Trust boundary, words, the run-time and the theme are the quiz player's: common.js, loaded
 * first (insertFragment is the only way markup enters the page).
 *
 * Loaded by Node (tests), it exports its pure functions (the queue and its resume state) and
 * touches no page.
 */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory(require("./common.js"));
  } else {
    factory(root.lmspackCommon).boot(root);
  }
}(this, function (common) {
  "use strict";

  var STATE_FORMAT = "c1";
  var INDEX_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz";

  // ---- the queue ------------------------------------------------------------------------------
  //
  // A study state: good[n] (card n rated Good in this round), queue (the cards still to study,
  // the current one first: each card not Good exactly once), side ("f" its front, "b" its back,
  // "e" the end: every card Good) and completed (every card was rated Good once: it stays so when
  // the learner studies the deck again).

  function freshState(count, completed) {
    var good = [];
    var queue = [];
    for (var n = 0; n < count; n++) {
      good.push(false);
      queue.push(n);
    }
    return {good: good, queue: queue, side: count ? "f" : "e", completed: Boolean(completed) || !count};
  }

  /** The state after the current card is rated: Good takes it out of the queue; Again puts it
   *  back `gap` cards on (at the end when fewer are left). */
  function rate(state, good, gap) {
    var queue = state.queue.slice(1);
    var marks = state.good.slice();
    var card = state.queue[0];
    if (good) {
      marks[card] = true;
    } else {
      queue.splice(Math.min(gap, queue.length), 0, card);
    }
    return {good: marks, queue: queue, side: queue.length ? "f" : "e",
            completed: state.completed || !queue.length};
  }

  function learnedCount(state) {
    return state.good.filter(Boolean).length;
  }

  /** What the LMS is told of the learner's progress: the share of cards rated Good, 1 once the
   *  deck was complete. */
  function progressMeasure(state) {
    return state.completed || !state.good.length ? 1 : learnedCount(state) / state.good.length;
  }

  // ---- resume state ---------------------------------------------------------------------------

  /** Base-36 digits per card number (builder/formats/flashcards.py, index_digits). */
  function indexDigits(count) {
    var digits = 1;
    while (Math.pow(36, digits) < count) {
      digits += 1;
    }
    return digits;
  }

  /** c1;<deck>;<side><c|n>;<Good cards, a base-32 mask>;<the queue, each card in indexDigits
   *  base-36 digits>: at most flashcards.py's suspend_data_bound characters. */
  function encodeState(data, state) {
    var width = indexDigits(data.cards.length);
    var marks = [];
    state.good.forEach(function (good, n) {
      if (good) {
        marks.push(n);
      }
    });
    var queue = state.queue.map(function (card) {
      var text = card.toString(36);
      while (text.length < width) {
        text = "0" + text;
      }
      return text;
    }).join("");
    return [STATE_FORMAT, data.deck, state.side + (state.completed ? "c" : "n"), common.encodeMask(marks),
            queue].join(";");
  }

  /** The state encodeState wrote for this deck, or null (another deck, another format, damage). */
  function decodeState(data, text) {
    var count = data.cards.length;
    var parts = String(text).split(";");
    if (parts.length !== 5 || parts[0] !== STATE_FORMAT || parts[1] !== data.deck ||
        !/^[fbe][cn]$/.test(parts[2]) || !/^[0-9a-v]*$/.test(parts[3]) ||
        parts[3].length > Math.ceil(count / 5)) {
      return null;
    }
    var good = freshState(count).good;
    var marked = common.decodeMask(parts[3]);
    for (var m = 0; m < marked.length; m++) {
      if (marked[m] >= count) {
        return null;
      }
      good[marked[m]] = true;
    }
    var width = indexDigits(count);
    if (parts[4].length % width) {
      return null;
    }
    var queue = [];
    for (var at = 0; at < parts[4].length; at += width) {
      var digits = parts[4].slice(at, at + width);
      var card = 0;
      for (var d = 0; d < digits.length; d++) {
        var value = INDEX_DIGITS.indexOf(digits.charAt(d));
        if (value < 0) {
          return null;
        }
        card = card * 36 + value;
      }
      // Each card not rated Good is in the queue once; a card rated Good never.
      if (card >= count || good[card] || queue.indexOf(card) >= 0) {
        return null;
      }
      queue.push(card);
    }
    var side = parts[2].charAt(0);
    if (queue.length !== good.filter(function (g) { return !g; }).length || (side === "e") !== !queue.length) {
      return null;
    }
    return {good: good, queue: queue, side: side, completed: parts[2].charAt(1) === "c" || side === "e"};
  }

  // ---- the page -------------------------------------------------------------------------------

  var EDITIONS = {
    scorm12: common.extended(common.RUNTIMES.scorm12, {incomplete: "incomplete", completed: "completed"}),
    scorm2004: common.extended(common.RUNTIMES.scorm2004, {incomplete: "incomplete", completed: "completed"})
  };

  /** Whether a key press belongs to what has focus (a button, a link, a box that scrolls), which
   *  the space bar and Enter then work, rather than flipping the card. */
  function ownsKey(target) {
    return Boolean(target && target.closest && target.closest("button, a, input, select, textarea, [tabindex='0']"));
  }

  function boot(win) {
    var doc = win.document;
    var data = JSON.parse(doc.getElementById("study-data").textContent);
    var edition = EDITIONS[data.edition];
    var words = common.wordsFor(data.quiz, data.messages || {});
    var say = words.text;
    var $ = function (id) { return doc.getElementById(id); };
    var log = function (message) { win.console.log(message); };
    var count = data.cards.length;
    common.applyTheme(doc, data.theme, data.allow.files.prefix, $("header"));

    function notify(message) {
      $("notice").textContent = message;
      $("notice").hidden = false;
    }

    var lms = common.connect(win, edition, log);
    var sessionStart = Date.now();
    var state = null;
    var discarded = false;
    if (lms) {
      // A new SCORM 2004 attempt (entry ab-initio) has no suspend_data: reading it is error 403.
      if (data.edition === "scorm12" || lms.get("cmi.entry") !== "ab-initio") {
        var stored = lms.get("cmi.suspend_data");
        state = stored === "" ? null : decodeState(data, stored);
        if (!state && stored !== "") {
          discarded = true;
          log("lmspack: the saved state (" + stored.length + " characters) is not one of this deck; " +
              "it starts again");
          notify(say("study.updated"));
        }
      }
      var status = lms.get(edition.status);
      if (status !== edition.completed && !(state && state.completed)) {
        lms.set(edition.status, edition.incomplete);
      }
    } else {
      notify(say("study.preview"));
    }
    if (!state) {
      state = freshState(count);
    }

    /** Keep the state and the progress in the LMS; commit when asked (after each rating). */
    function save(commit) {
      if (!lms || lms.terminated) {
        return;
      }
      var encoded = encodeState(data, state);
      if (encoded.length > data.suspendDataLimit) {
        log("lmspack: resume state of " + encoded.length + " characters exceeds cmi.suspend_data's " +
            data.suspendDataLimit + "; it is not saved");
      } else {
        lms.set("cmi.suspend_data", encoded);
      }
      if (state.queue.length) {
        lms.set(edition.location, String(state.queue[0] + 1));
      }
      if (data.edition === "scorm2004") {
        lms.set("cmi.progress_measure", common.decimal(progressMeasure(state)));
      }
      if (state.completed) {
        lms.set(edition.status, edition.completed);
      }
      // Not at the end: the LMS keeps the attempt for the next launch, which resumes it.
      lms.set(edition.exit, state.side === "e" ? edition.normalExit : "suspend");
      if (commit) {
        lms.commit();
      }
    }

    function showProgress() {
      var learned = learnedCount(state);
      var line = say("study.progress", {learned: learned, count: count});
      $("progress-text").textContent = line;
      var bar = $("progress");
      bar.setAttribute("aria-valuenow", String(learned));
      bar.setAttribute("aria-valuetext", line);
      $("progress-fill").style.width = (count ? 100 * learned / count : 100) + "%";
      $("progress-line").hidden = false;
    }

    function show() {
      showProgress();
      var ended = state.side === "e";
      $("study").hidden = ended;
      $("done").hidden = !ended;
      if (ended) {
        $("done-text").textContent = say("study.done", {count: count});
        return;
      }
      var card = data.cards[state.queue[0]];
      var flipped = state.side === "b";
      common.insertFragment(doc, data.allow, $("front"), card.front, say("page.table"));
      $("study").classList.toggle("flipped", flipped);
      $("flip-actions").hidden = flipped;
      $("back-heading").hidden = !flipped;
      $("rate").hidden = !flipped;
      if (flipped) {
        common.insertFragment(doc, data.allow, $("back"), card.back, say("page.table"));
      } else {
        common.clearNode($("back"));
      }
    }

    function flip() {
      if (state.side !== "f") {
        return;
      }
      state = {good: state.good, queue: state.queue, side: "b", completed: state.completed};
      show();  // the back goes into a live region: announced
      $("back-heading").focus();
      save(false);
    }

    function rated(good) {
      if (state.side !== "b") {
        return;
      }
      state = rate(state, good, data.againGap);
      show();
      (state.side === "e" ? $("done") : $("front-heading")).focus();
      save(true);
    }

    function restart() {
      state = freshState(count, state.completed);
      show();
      $("front-heading").focus();
      save(true);
    }

    function leave() {
      if (!lms || lms.terminated) {
        return;
      }
      save(false);
      lms.terminate((Date.now() - sessionStart) / 1000);
    }

    $("flip-button").addEventListener("click", flip);
    $("face").addEventListener("click", function (event) {
      if (!ownsKey(event.target)) {  // a tap on the card, not on a link or a table in it
        flip();
      }
    });
    $("again-button").addEventListener("click", function () { rated(false); });
    $("good-button").addEventListener("click", function () { rated(true); });
    $("restart-button").addEventListener("click", restart);
    doc.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) {
        return;
      }
      if ((event.key === " " || event.key === "Enter") && state.side === "f" && !ownsKey(event.target)) {
        event.preventDefault();
        flip();
      } else if ((event.key === "1" || event.key === "2") && state.side === "b") {
        event.preventDefault();
        rated(event.key === "2");
      }
    });
    win.addEventListener("pagehide", leave);
    win.addEventListener("unload", leave);
    show();
    if (discarded || (lms && !state.completed)) {
      save(true);
    }
  }

  return {
    freshState: freshState,
    rate: rate,
    learnedCount: learnedCount,
    progressMeasure: progressMeasure,
    indexDigits: indexDigits,
    encodeState: encodeState,
    decodeState: decodeState,
    boot: boot
  };
}));
