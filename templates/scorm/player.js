/*
 * lmspack SCORM quiz player (one SCO). Reads the quiz embedded in index.html as JSON, shows it
 * item by item and reports to the LMS through the SCORM 1.2 (API) or 2004 (API_1484_11) run-time.
 *
 * Trust boundary: the only markup this script inserts is the item text fragments of the quiz data
 * (prompt, choices, feedback, hints, explanation), which lmspack's allowlist sanitiser produced at
 * build time. They go through insertFragment(), which parses them inert in a <template> and keeps
 * again only the allowlisted tags (HTML, and the MathML of formulas), attributes and URL schemes,
 * and files of the package for images, audio and video. Everything else (numbers, labels,
 * messages) is set as text. The page's Content-Security-Policy allows no inline script, and
 * nothing from outside the package but https: images.
 *
 * Words: every string it shows is a message of the quiz's language, which the build resolved from
 * builder/catalogues (data.messages), said through wordsFor: plural forms by Intl.PluralRules,
 * numbers, percents and lists by Intl in the quiz's language. The page runs right to left when the
 * build says so (index.html's dir); the style sheet's sides are logical, so nothing here mirrors.
 *
 * Structure: everything that depends on what kind of question an item is lives in one handler
 * per interaction kind (INTERACTIONS, below); the rest of the player (the start screen, draw,
 * navigation, linear or free, hints, feedback display and the right answers, timing, tries, score
 * and pass/fail, suspend_data) is the same for every kind and reaches an item's answer only
 * through its handler.
 *
 * What it shares with the study player of a deck of cards (the fragment insertion and its allowlist,
 * the words, the SCORM run-time and the theme) is in common.js, which the page loads first.
 *
 * Loaded by Node (tests), it exports its pure functions and touches no page.
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

  // What this page shares with the study player (common.js, loaded first).
  var round7 = common.round7;
  var decimal = common.decimal;
  var clearNode = common.clearNode;
  var wordsFor = common.wordsFor;
  var insertFragment = common.insertFragment;
  var encodeMask = common.encodeMask;
  var decodeMask = common.decodeMask;

  var STATE_FORMAT = 2;
  /** The formats of resume state this player reads: 1 is 2 without the start-screen phase. */
  var STATE_PHASES = {"1": /^[qr]$/, "2": /^[sqr]$/};
  var MASK_DIGITS = common.MASK_DIGITS;
  var MAX_ATTEMPT = 99999;
  var MAX_ELAPSED = 999999999;

  // ---- deterministic draw -------------------------------------------------------------------

  /** mulberry32: a small seeded PRNG, the same sequence in every browser. */
  function prng(seed) {
    var a = seed >>> 0;
    return function () {
      a = (a + 0x6D2B79F5) >>> 0;
      var t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function shuffled(list, random) {
    var copy = list.slice();
    for (var i = copy.length - 1; i > 0; i--) {
      var j = Math.floor(random() * (i + 1));
      var swap = copy[i];
      copy[i] = copy[j];
      copy[j] = swap;
    }
    return copy;
  }

  /** The seed of an attempt: the quiz seed itself for the first, a fresh draw for each retry. */
  function attemptSeed(seed, attempt) {
    return (seed ^ Math.imul(attempt - 1, 0x9E3779B9)) >>> 0;
  }

  /** Whether an item's choices (or a matching item's options) are shown shuffled: where the quiz
   *  shuffles them, unless the item keeps its own order (its shuffleChoices false). */
  function shufflesChoices(item, settings) {
    return settings.shuffleChoices && item.shuffleChoices !== false;
  }

  /**
   * The items and their layouts an attempt shows: for each pool in order, `select` of its items
   * (all when null), in pool order unless shuffleItems; then each item's handler arranges it
   * (the choice interaction: its choice order, shuffled when shufflesChoices and the item allows).
   * Returns [{item: index into data.items, layout: the handler's layout}].
   */
  function draw(data, attempt) {
    var settings = data.settings;
    var random = prng(attemptSeed(settings.seed, attempt));
    var order = [];
    data.pools.forEach(function (pool) {
      var picked = pool.items.slice();
      if (pool.select !== null && pool.select < picked.length) {
        picked = shuffled(picked, random).slice(0, pool.select);
        if (!settings.shuffleItems) {
          picked.sort(function (a, b) { return pool.items.indexOf(a) - pool.items.indexOf(b); });
        }
      } else if (settings.shuffleItems) {
        picked = shuffled(picked, random);
      }
      order = order.concat(picked);
    });
    return order.map(function (index) {
      var item = data.items[index];
      return {item: index, layout: handlerFor(item).arrange(item, random, shufflesChoices(item, settings))};
    });
  }

  function unique(list) {
    return list.filter(function (value, n) { return list.indexOf(value) === n; });
  }

  function sortedNumbers(list) {
    return list.slice().sort(function (a, b) { return a - b; });
  }

  // ---- interactions -------------------------------------------------------------------------
  //
  // A handler is what the player knows about one interaction kind. A response is whatever value
  // its handler chooses (the choice interaction: an array of choice indexes); the generic player
  // stores and passes responses but never looks inside one. Every handler has all of:
  //
  //   arrange(item, random, shuffle)  the item's layout for one try, from the seeded draw (random
  //                                   must be called the same number of times for the same item)
  //   prompts(item)                   {instruction, missing}: the message keys (builder/catalogues)
  //                                   of what is shown beside the points, and when the learner
  //                                   submits without answering
  //   render(item, layout, response, container, page, options)
  //                                   the inputs into `container`, showing `response`; options:
  //                                   locked (submitted: read-only), marked (show what was chosen),
  //                                   prompt (the element showing the prompt, which a handler may
  //                                   put controls into: the blanks of fill_in_blanks).
  //                                   `page` has element(tag, class, text) and fragment(tag, class,
  //                                   html), the only ways to make nodes (fragment sanitises), and
  //                                   the page's words: text(key, params), number(value) (wordsFor)
  //   read(item, container)           the learner's response from the inputs, null when none given
  //   problem(item, response, quiz, page)
  //                                   why `response` cannot be submitted yet (a message), or null
  //   reviewPrompt(item, response, prompt, page, quiz)
  //                                   marks the response in the result review's copy of the
  //                                   prompt (`prompt`, an element; response null when not
  //                                   answered): fill_in_blanks shows each blank's answer where
  //                                   it stands; the other kinds leave the prompt as it is
  //   feedback(item, response, page, quiz)
  //                                   a node showing the response's own feedback, or null
  //   correctAnswer(item, page, quiz) {heading, node}: the right answer(s), shown after a wrong or
  //                                   partly right one unless settings.showCorrectAnswers is
  //                                   false: the key of its heading and a node; null for none
  //   score(item, response, quiz)     {points, correct}: builder/scoring.py's definition (points:
  //                                   clamped to 0..item.points, 7 decimals; correct: what the
  //                                   LMS records as a correct interaction)
  //   autoScored(item)                false when a person grades the item (scoring.auto_scored):
  //                                   it is then left out of the score's maximum
  //   report(item, response, edition, quiz)
  //                                   {type, response, pattern, result} for cmi.interactions.n:
  //                                   the response and correct_responses.0.pattern in the
  //                                   edition's format (edition.name is scorm12 or scorm2004);
  //                                   null for either: not reported
  //   structure(item)                 a string naming what a stored response depends on (ids,
  //                                   order); a change of it makes a saved state another version's
  //   encodeState(item, response)     the response in suspend_data: characters [0-9a-zA-Z] only,
  //                                   "" for no response
  //   decodeState(item, text)         the response encodeState wrote, or null when it does not
  //                                   fit this item; decodeState(item, "") is the empty response
  //
  // INTERACTIONS maps the item's kind as the build writes it ("type" in the quiz data) to its
  // handler. `quiz` is the quiz part of the data (its language's decimal comma). To add an
  // interaction kind to the player, write one handler with all of these and
  // add its kind(s) here; nothing else in the player changes (docs/scorm.md, "Interactions").
  // An item of a kind missing here stops the player at load with a message (unknownKinds).

  /** The code choice ``n`` of ``item`` is reported as in responses and correct-response patterns:
   *  in SCORM 1.2 a single character a-z, 0-9 by position (cmi.interactions.n.student_response;
   *  the build refuses items with more choices), in 2004 the choice id where Moodle's
   *  short_identifier_type check (^[\w.]{1,250}$) accepts it, hyphens being the only id character
   *  it refuses, else the position. */
  function code12(item, n) {
    return "abcdefghijklmnopqrstuvwxyz0123456789".charAt(n);
  }

  function code2004(item, n) {
    var codes = item.choices.map(function (choice) { return choice.id.replace(/-/g, "_"); });
    var distinct = codes.filter(function (code, index) { return codes.indexOf(code) === index; });
    return distinct.length === codes.length ? codes[n] : "choice_" + (n + 1);
  }

  function correctChoices(item) {
    var correct = [];
    item.choices.forEach(function (choice, n) {
      if (choice.correct) {
        correct.push(n);
      }
    });
    return correct;
  }

  /**
   * Single choice, multiple response and true/false: choices with a weight each (computed in
   * Python by builder.scoring.choice_weights); `item.multiple` says checkboxes or radio buttons,
   * `item.shuffle` whether the draw may reorder the choices. A response is the chosen choice
   * indexes.
   */
  var CHOICE = {
    /** The author's order, or shuffled when `shuffle` and the item allows it; a choice marked
     *  fixed keeps its place ("All of the above"), the others are shuffled among the rest. */
    arrange: function (item, random, shuffle) {
      var order = item.choices.map(function (choice, n) { return n; });
      if (!(shuffle && item.shuffle)) {
        return order;
      }
      var moved = shuffled(order.filter(function (n) { return !item.choices[n].fixed; }), random);
      return order.map(function (n) { return item.choices[n].fixed ? n : moved.shift(); });
    },

    prompts: function (item) {
      return item.multiple ? {instruction: "instruction.chooseAll", missing: "missing.choices"}
                           : {instruction: "instruction.chooseOne", missing: "missing.choice"};
    },

    render: function (item, layout, response, container, page, options) {
      clearNode(container);
      layout.forEach(function (n, shown) {
        var chosen = response.indexOf(n) >= 0;
        var row = page.element("div", "choice" + (options.marked && chosen ? " chosen" : ""));
        row.setAttribute("data-choice", String(n));
        var input = page.element("input");
        input.type = item.multiple ? "checkbox" : "radio";
        input.name = "choice";
        input.id = "choice-" + shown;
        input.value = String(n);
        input.checked = chosen;
        input.disabled = options.locked;
        var label = page.fragment("label", "choice-label", item.choices[n].html);
        label.setAttribute("for", input.id);
        row.appendChild(input);
        row.appendChild(label);
        container.appendChild(row);
      });
    },

    read: function (item, container) {
      var inputs = container.querySelectorAll("input");
      var selected = [];
      for (var i = 0; i < inputs.length; i++) {
        if (inputs[i].checked) {
          selected.push(parseInt(inputs[i].value, 10));
        }
      }
      return selected.length ? selected : null;
    },

    problem: function (item, response) {
      return null;
    },

    reviewPrompt: function (item, response, prompt, page, quiz) {
    },

    feedback: function (item, response, page) {
      if (!response.length) {
        return null;
      }
      var list = page.element("ul", "chosen-feedback");
      sortedNumbers(response).forEach(function (n) {
        var choice = item.choices[n];
        var entry = page.element("li", choice.correct ? "right" : "wrong");
        page.mark(entry, page.text(choice.correct ? "feedback.choiceRight" : "feedback.choiceWrong"));
        entry.appendChild(page.fragment("span", "choice-text", choice.html));
        if (choice.feedback) {
          entry.appendChild(page.fragment("span", "choice-feedback", choice.feedback));
        }
        list.appendChild(entry);
      });
      return list;
    },

    correctAnswer: function (item, page) {
      var list = page.element("ul", "correct-list");
      correctChoices(item).forEach(function (n) {
        list.appendChild(page.fragment("li", "", item.choices[n].html));
      });
      return {heading: "feedback.correctAnswer", count: correctChoices(item).length, node: list};
    },

    /** The sum of the chosen weights kept between 0 and the item's points (any number of choices
     *  but one scores 0 on a single-answer item), rounded to 7 decimals, as scoring.score();
     *  correct when exactly the correct choices are chosen, as scoring.is_correct(). */
    score: function (item, response) {
      var chosen = unique(response);
      var total = 0;
      chosen.forEach(function (n) {
        if (item.choices[n]) {
          total += item.choices[n].weight;
        }
      });
      var points = !item.multiple && chosen.length !== 1 ? 0 : round7(Math.min(Math.max(total, 0), item.points));
      var correct = correctChoices(item);
      var exact = chosen.length === correct.length && correct.every(function (n) { return chosen.indexOf(n) >= 0; });
      return {points: points, correct: exact};
    },

    autoScored: function (item) {
      return true;
    },

    report: function (item, response, edition) {
      var code = edition.name === "scorm12" ? code12 : code2004;
      var codes = function (indexes) {
        return sortedNumbers(indexes).map(function (n) { return code(item, n); }).join(edition.separator);
      };
      return {type: "choice", response: codes(unique(response)), pattern: codes(correctChoices(item)),
              result: CHOICE.score(item, response).correct ? "correct" : edition.wrong};
    },

    /** The choice ids; a fixed choice marked (a change of it changes the layout a resumed try
     *  would show), so that a quiz without fixed choices keeps its version. */
    structure: function (item) {
      return item.choices.map(function (choice) { return choice.id + (choice.fixed ? "!" : ""); }).join(" ");
    },

    encodeState: function (item, response) {
      return encodeMask(response);
    },

    decodeState: function (item, text) {
      if (!/^[0-9a-v]*$/.test(text)) {
        return null;
      }
      var selected = decodeMask(text);
      return selected.every(function (n) { return n < item.choices.length; }) ? selected : null;
    }
  };

  // ---- typed answers ----------------------------------------------------------------------

  /** What Python's str.split() and str.strip() take for whitespace (str.isspace), which JavaScript's
   *  \s is not: it lacks U+001C..U+001F and U+0085 and has U+FEFF. */
  var SPACE = "\\t\\n\\u000b\\u000c\\r\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  var SPACES = new RegExp("[" + SPACE + "]+", "g");
  var EDGE_SPACES = new RegExp("^[" + SPACE + "]+|[" + SPACE + "]+$", "g");
  var NON_SPACES = new RegExp("[^" + SPACE + "]+", "g");

  /** str.strip(). */
  function strip(text) {
    return text.replace(EDGE_SPACES, "");
  }

  /** " ".join(text.split()): trimmed, inner runs of whitespace folded to one space. */
  function foldSpaces(text) {
    return strip(text.replace(SPACES, " "));
  }

  /** The number of words: runs of non-whitespace, as len(text.split()). */
  function wordCount(text) {
    var words = text.match(NON_SPACES);
    return words ? words.length : 0;
  }

  /**
   * Python's str.casefold, character by character: upper then lower case gives it for every
   * character Unicode 14 (Python 3.11's) assigns but these, which casefold treats otherwise:
   * dotless i stays, capital sharp s becomes "ss", Cherokee folds to its capital letters.
   * tests/test_scorm.py compares every character with Python's.
   */
  function caseFold(text) {
    var folded = "";
    for (var i = 0; i < text.length; i++) {
      var code = text.codePointAt(i);
      var character = String.fromCodePoint(code);
      if (code > 0xFFFF) {
        i++;
      }
      if (code === 0x131) {
        folded += character;
      } else if (code === 0x1E9E) {
        folded += "ss";
      } else if ((code >= 0x13A0 && code <= 0x13FD) || (code >= 0xAB70 && code <= 0xABBF)) {
        folded += character.toUpperCase();
      } else {
        folded += character.toUpperCase().toLowerCase();
      }
    }
    return folded;
  }

  /** scoring.normalised_text. */
  function normalisedText(text, caseSensitive) {
    var folded = foldSpaces(text);
    return caseSensitive ? folded : caseFold(folded);
  }

  var NUMBER = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
  var NUMBER_WITH_COMMA = /^[+-]?(?:[0-9]+(?:,[0-9]*)?|,[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

  // scoring.TYPED_NUMBER_CHARACTERS: Arabic-Indic, Persian and full-width digits, the Arabic
  // decimal separator, full-width signs and the minus sign, read as their ASCII characters.
  var TYPED_NUMBER_CHARACTER = /[\u0660-\u0669\u06f0-\u06f9\uff10-\uff19\u066b\uff0e\uff0c\u2212\uff0d\uff0b]/g;
  var TYPED_SIGNS = {"\u066b": ".", "\uff0e": ".", "\uff0c": ",", "\u2212": "-", "\uff0d": "-", "\uff0b": "+"};

  function asciiNumber(text) {
    return text.replace(TYPED_NUMBER_CHARACTER, function (character) {
      var code = character.charCodeAt(0);
      var first = code >= 0xff10 ? 0xff10 : code >= 0x06f0 ? 0x06f0 : 0x0660;
      return TYPED_SIGNS[character] || String(code - first);
    });
  }

  /** scoring.parse_number: the typed number, or null; `comma`: the quiz's language writes 0,5. */
  function parseNumber(text, comma) {
    var typed = asciiNumber(strip(text));
    var value;
    if (NUMBER.test(typed)) {
      value = Number(typed);
    } else if (comma && NUMBER_WITH_COMMA.test(typed)) {
      value = Number(typed.replace(",", "."));
    } else {
      return null;
    }
    return isFinite(value) ? value : null;
  }

  /** A number as SCORM's real(10,7) is checked (scorm-again's CMIDecimal), or null when it has no
   *  such form (ten digits before the point at most). */
  function decimalText(value) {
    var text = String(value === 0 ? 0 : value);
    if (/e/.test(text)) {
      text = value.toFixed(18).replace(/0+$/, "").replace(/\.$/, "");
    }
    return /^-?[0-9]{1,10}(\.[0-9]{1,18})?$/.test(text) ? text : null;
  }

  /** At most `limit` UTF-16 code units of `text`, ending with "…" when shortened, never half of a
   *  surrogate pair. */
  function shortened(text, limit) {
    if (text.length <= limit) {
      return text;
    }
    var cut = limit - 1;
    if (/[\uD800-\uDBFF]/.test(text.charAt(cut - 1))) {
      cut -= 1;
    }
    return text.slice(0, cut) + "\u2026";
  }

  /**
   * A typed text as a response the LMS takes: whitespace and line breaks folded to spaces
   * (localized strings are one line), at most `limit` characters; in SCORM 2004 a '{' that starts
   * the text, or a part of it after a comma, is written '(' (a localized string may not start
   * with '{', which opens a {lang=} prefix).
   */
  function reportedText(text, limit, edition) {
    var folded = foldSpaces(text);
    if (edition.name === "scorm2004") {
      folded = folded.replace(/(^|,)\{/g, "$1(");
    }
    return shortened(folded, limit);
  }

  var BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  var TAIL_DIGITS = [0, 2, 3, 5, 6];

  function utf8(text) {
    return new TextEncoder().encode(text);
  }

  /** Typed text in suspend_data: its UTF-8 bytes in base 62, 7 digits for each 5 bytes and 2, 3,
   *  5 or 6 digits for the 1 to 4 bytes at the end (scorm.py, _text_state_bound). */
  function encodeText(text) {
    var bytes = utf8(text);
    var out = "";
    for (var start = 0; start < bytes.length; start += 5) {
      var block = bytes.subarray(start, start + 5);
      var value = 0;
      for (var b = 0; b < block.length; b++) {
        value = value * 256 + block[b];
      }
      var digits = block.length === 5 ? 7 : TAIL_DIGITS[block.length];
      var chunk = "";
      for (var d = 0; d < digits; d++) {
        chunk = BASE62.charAt(value % 62) + chunk;
        value = Math.floor(value / 62);
      }
      out += chunk;
    }
    return out;
  }

  /** The text encodeText wrote, or null when `code` is not one. */
  function decodeText(code) {
    if (!/^[0-9A-Za-z]*$/.test(code)) {
      return null;
    }
    var tail = TAIL_DIGITS.indexOf(code.length % 7);
    if (tail < 0) {
      return null;
    }
    var bytes = [];
    for (var start = 0; start < code.length; start += 7) {
      var chunk = code.slice(start, start + 7);
      var size = chunk.length === 7 ? 5 : tail;
      var value = 0;
      for (var d = 0; d < chunk.length; d++) {
        value = value * 62 + BASE62.indexOf(chunk.charAt(d));
      }
      if (value >= Math.pow(256, size)) {
        return null;
      }
      var block = [];
      for (var b = 0; b < size; b++) {
        block.unshift(value % 256);
        value = Math.floor(value / 256);
      }
      bytes = bytes.concat(block);
    }
    try {
      return new TextDecoder("utf-8", {fatal: true}).decode(new Uint8Array(bytes));
    } catch (e) {
      return null;
    }
  }

  /** The start of `text` that takes at most `size` bytes of UTF-8, whole characters only. */
  function firstBytes(text, size) {
    if (utf8(text).length <= size) {
      return text;
    }
    var kept = "";
    var used = 0;
    for (var i = 0; i < text.length; i++) {
      var code = text.codePointAt(i);
      var character = String.fromCodePoint(code);
      var length = utf8(character).length;
      if (used + length > size) {
        break;
      }
      kept += character;
      used += length;
      if (code > 0xFFFF) {
        i++;
      }
    }
    return kept;
  }

  /** The labelled one-line box of a short answer or a number, with `after` (a unit) beside it. */
  function renderTextBox(item, response, container, page, options, inputMode, after) {
    clearNode(container);
    var row = page.element("div", "typed" + (options.marked ? " chosen" : ""));
    var label = page.element("label", "typed-label", page.text("answer.label"));
    label.setAttribute("for", "answer-text");
    var input = page.element("input", "typed-input");
    input.type = "text";
    input.id = "answer-text";
    input.name = "answer";
    input.maxLength = item.maxLength;
    input.setAttribute("autocomplete", "off");
    input.setAttribute("autocapitalize", "off");
    input.spellcheck = false;
    if (inputMode) {
      input.setAttribute("inputmode", inputMode);
    }
    input.value = response;
    input.readOnly = options.locked;
    row.appendChild(label);
    var box = page.element("div", "typed-box");
    box.appendChild(input);
    if (after) {
      var unit = page.element("span", "typed-unit", after);
      unit.id = "answer-unit";
      input.setAttribute("aria-describedby", unit.id);
      box.appendChild(unit);
    }
    row.appendChild(box);
    container.appendChild(row);
  }

  /** What a one-line box holds, as typed (at most its length), or null when it is blank. */
  function readTextBox(item, container) {
    var input = container.querySelector("#answer-text");
    var value = input ? input.value.slice(0, item.maxLength) : "";
    return strip(value) === "" ? null : value;
  }

  /** "Your answer: ..." and the matched answer's feedback (or the item's other feedback). */
  function typedFeedback(page, shown, matched, other) {
    var list = page.element("ul", "chosen-feedback");
    var entry = page.element("li", matched ? "right" : "wrong");
    page.mark(entry, page.text(matched ? "feedback.accepted" : "feedback.notAccepted"));
    entry.appendChild(page.element("span", "typed-answer", shown));
    var note = matched ? matched.feedback : other;
    if (note) {
      entry.appendChild(page.fragment("span", "choice-feedback", note));
    }
    list.appendChild(entry);
    return list;
  }

  function typedScore(item, matched) {
    var points = matched ? round7(Math.min(Math.max(matched.weight, 0), item.points)) : 0;
    return {points: points, correct: points === round7(item.points)};
  }

  function decodeTyped(item, text) {
    return decodeText(text);
  }

  /** The right answer as text, for showing it: `shown` as the heading's one answer. */
  function oneAnswer(page, shown) {
    return {heading: "feedback.correctAnswer", count: 1, node: page.element("p", "correct-text", shown)};
  }

  /** The first answer worth the item's points (scoring.correct_answer). */
  function fullCredit(item) {
    var full = item.answers.filter(function (answer) { return round7(answer.weight) >= round7(item.points); });
    return full.length ? full[0] : item.answers[0];
  }

  /** What the learner may type as a number, for the message asking for one: ASCII, as
   *  parseNumber reads it, with a decimal comma where the quiz's language writes one. */
  function numberExamples(quiz, page) {
    var comma = !!(quiz && quiz.decimalComma);
    return page.list(comma ? ["12", "-0.5", "0,5", "1.5e3"] : ["12", "-0.5", "1.5e3"], "disjunction");
  }

  /** A number answer as the learner reads it: its value, or the interval it accepts. */
  function numberShown(answer, page) {
    if (answer.value !== null && answer.value !== undefined) {
      return page.number(answer.value);
    }
    return answer.low === answer.high ? page.number(answer.low) :
      page.text("feedback.range", {low: answer.low, high: answer.high});
  }

  /**
   * Short answer: a labelled text box. A response is the text as typed; it matches the first
   * answer equal to it after scoring.normalised_text (trimmed, whitespace folded, case folded
   * unless the item is case sensitive), which earns its weight (computed in Python).
   */
  var SHORT_ANSWER = {
    matching: function (item, response) {
      var typed = normalisedText(response, item.caseSensitive);
      for (var n = 0; n < item.answers.length; n++) {
        if (normalisedText(item.answers[n].text, item.caseSensitive) === typed) {
          return item.answers[n];
        }
      }
      return null;
    },

    arrange: function (item, random, shuffle) {
      return null;
    },

    prompts: function (item) {
      return {instruction: "instruction.type", missing: "missing.text"};
    },

    render: function (item, layout, response, container, page, options) {
      renderTextBox(item, response, container, page, options, "", "");
    },

    read: readTextBox,

    problem: function (item, response) {
      return null;
    },

    reviewPrompt: function (item, response, prompt, page, quiz) {
    },

    feedback: function (item, response, page) {
      return response === "" ? null :
        typedFeedback(page, foldSpaces(response), SHORT_ANSWER.matching(item, response), item.otherFeedback);
    },

    correctAnswer: function (item, page) {
      return oneAnswer(page, fullCredit(item).text);
    },

    score: function (item, response) {
      return typedScore(item, SHORT_ANSWER.matching(item, response));
    },

    autoScored: function (item) {
      return true;
    },

    report: function (item, response, edition) {
      var limit = edition.name === "scorm12" ? 255 : 250;
      return {type: "fill-in", response: reportedText(response, limit, edition),
              pattern: item.patterns[edition.name],
              result: SHORT_ANSWER.score(item, response).correct ? "correct" : edition.wrong};
    },

    structure: function (item) {
      return "text";
    },

    encodeState: function (item, response) {
      return encodeText(response);
    },

    decodeState: decodeTyped
  };

  /**
   * Numeric: a labelled text box with the unit beside it. A response is the text as typed, read
   * as scoring.parse_number reads it (a decimal comma when quiz.decimalComma); it matches the
   * first answer whose closed interval [low, high] holds the number. Text that is not a number
   * cannot be submitted (the learner is told what to type), as Moodle's numerical question asks.
   */
  var NUMERIC = {
    matching: function (item, response, quiz) {
      var value = parseNumber(response, !!(quiz && quiz.decimalComma));
      if (value === null) {
        return null;
      }
      for (var n = 0; n < item.answers.length; n++) {
        if (item.answers[n].low <= value && value <= item.answers[n].high) {
          return item.answers[n];
        }
      }
      return null;
    },

    arrange: function (item, random, shuffle) {
      return null;
    },

    prompts: function (item) {
      return {instruction: "instruction.number", missing: "missing.number"};
    },

    render: function (item, layout, response, container, page, options) {
      renderTextBox(item, response, container, page, options, "decimal", item.unit);
    },

    read: readTextBox,

    problem: function (item, response, quiz, page) {
      if (parseNumber(response, !!(quiz && quiz.decimalComma)) !== null) {
        return null;
      }
      return page.text(item.unit ? "problem.numberWithoutUnit" : "problem.number",
                       {examples: numberExamples(quiz, page)});
    },

    reviewPrompt: function (item, response, prompt, page, quiz) {
    },

    feedback: function (item, response, page, quiz) {
      if (response === "") {
        return null;
      }
      var shown = strip(response) + (item.unit ? " " + item.unit : "");
      return typedFeedback(page, shown, NUMERIC.matching(item, response, quiz), item.otherFeedback);
    },

    correctAnswer: function (item, page) {
      return oneAnswer(page, numberShown(fullCredit(item), page) + (item.unit ? " " + item.unit : ""));
    },

    score: function (item, response, quiz) {
      return typedScore(item, NUMERIC.matching(item, response, quiz));
    },

    autoScored: function (item) {
      return true;
    },

    report: function (item, response, edition, quiz) {
      var value = parseNumber(response, !!(quiz && quiz.decimalComma));
      return {type: "numeric", response: value === null ? null : decimalText(value),
              pattern: item.patterns[edition.name],
              result: NUMERIC.score(item, response, quiz).correct ? "correct" : edition.wrong};
    },

    structure: function (item) {
      return "number";
    },

    encodeState: function (item, response) {
      return encodeText(response);
    },

    decodeState: decodeTyped
  };

  /** "12 words", with the limits when the item has any. */
  function wordCountText(item, count, page) {
    var words = page.text("essay.words", {count: count});
    if (item.minWords !== null && item.maxWords !== null) {
      return page.text("essay.wordsBetween", {words: words, min: item.minWords, max: item.maxWords});
    }
    if (item.minWords !== null) {
      return page.text("essay.wordsAtLeast", {words: words, min: item.minWords});
    }
    if (item.maxWords !== null) {
      return page.text("essay.wordsAtMost", {words: words, max: item.maxWords});
    }
    return words;
  }

  /**
   * Essay: a labelled textarea that starts with the item's template, with a live word count
   * (words: runs of non-whitespace). An answer outside the word limits cannot be submitted; the
   * learner is told how many words it has. Never scored here: a person grades it, and it is left
   * out of the score's maximum. A response is the text as written; the resume state keeps its
   * first item.stateBytes bytes (the LMS has the whole text in the interaction).
   */
  var ESSAY = {
    arrange: function (item, random, shuffle) {
      return null;
    },

    prompts: function (item) {
      return {instruction: "instruction.essay", missing: "missing.essay"};
    },

    render: function (item, layout, response, container, page, options) {
      clearNode(container);
      var row = page.element("div", "typed essay" + (options.marked ? " chosen" : ""));
      var label = page.element("label", "typed-label", page.text("answer.label"));
      label.setAttribute("for", "answer-text");
      var area = page.element("textarea", "essay-input");
      area.id = "answer-text";
      area.name = "answer";
      area.rows = 10;
      area.value = response === "" ? item.template : response;
      area.readOnly = options.locked;
      var count = page.element("p", "word-count");
      count.id = "word-count";
      count.setAttribute("aria-live", "polite");
      area.setAttribute("aria-describedby", count.id);
      var update = function () {
        count.textContent = wordCountText(item, wordCount(area.value), page);
      };
      area.addEventListener("input", update);
      update();
      row.appendChild(label);
      row.appendChild(area);
      row.appendChild(count);
      container.appendChild(row);
    },

    read: function (item, container) {
      var area = container.querySelector("#answer-text");
      var value = area ? area.value : "";
      return strip(value) === "" || foldSpaces(value) === foldSpaces(item.template) ? null : value;
    },

    problem: function (item, response, quiz, page) {
      var count = wordCount(response);
      if (item.minWords !== null && count < item.minWords) {
        return page.text("problem.tooFewWords", {count: item.minWords, words: count});
      }
      if (item.maxWords !== null && count > item.maxWords) {
        return page.text("problem.tooManyWords", {count: item.maxWords, words: count});
      }
      return null;
    },

    reviewPrompt: function (item, response, prompt, page, quiz) {
    },

    feedback: function (item, response, page) {
      if (response === "") {
        return null;
      }
      var block = page.element("div", "essay-answer");
      block.appendChild(page.element("p", "choice-mark", page.text("feedback.essay")));
      block.appendChild(page.element("p", "typed-answer essay-text", response));
      return block;
    },

    correctAnswer: function (item, page) {
      return null;  // a person grades it: there is no right answer to show
    },

    score: function (item, response) {
      return {points: 0, correct: false};
    },

    autoScored: function (item) {
      return false;
    },

    report: function (item, response, edition) {
      return {type: edition.name === "scorm12" ? "fill-in" : "long-fill-in",
              response: reportedText(response, item.limits[edition.name], edition),
              pattern: null, result: "neutral"};
    },

    structure: function (item) {
      return "essay";
    },

    encodeState: function (item, response) {
      return encodeText(firstBytes(response, item.stateBytes));
    },

    decodeState: decodeTyped
  };

  // ---- matching, ordering, blanks -------------------------------------------------------------

  var BASE62_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  /** SCORM 1.2 short identifiers of the left sides of a matching item (1-9, a-z, 0), by position;
   *  the options are code12's a-z, 0-9 (the build refuses an item with more than 36 of either). */
  var LEFT12 = "123456789abcdefghijklmnopqrstuvwxyz0";

  /** An item's points times the share of its parts right, kept in 0..points, 7 decimals. */
  function partsScore(item, right, parts, allOrNothing) {
    var share = allOrNothing ? (right === parts ? 1 : 0) : right / parts;
    return {points: round7(Math.min(Math.max(item.points * share, 0), item.points)), correct: right === parts};
  }

  function base62(value, digits) {
    var out = "";
    for (var d = 0; d < digits; d++) {
      out = BASE62_DIGITS.charAt(value % 62) + out;
      value = Math.floor(value / 62);
    }
    return out;
  }

  function fromBase62(text) {
    var value = 0;
    for (var i = 0; i < text.length; i++) {
      var digit = BASE62_DIGITS.indexOf(text.charAt(i));
      if (digit < 0) {
        return -1;
      }
      value = value * 62 + digit;
    }
    return value;
  }

  /**
   * Matching: a labelled <select> per left side listing every option (shuffled per
   * shuffleChoices, as choices are, never in the right order; else in the data's
   * unshuffledOrder), "Choose a match" first. A response is the chosen option's
   * index for each left side in order, -1 for none; left n matches option n (Rn matches Ln).
   */
  var MATCHING = {
    digits: function (item) {
      return item.options.length < 62 ? 1 : 2;
    },

    arrange: function (item, random, shuffle) {
      if (!shuffle) {
        return item.unshuffledOrder.slice();  // the author's order would be the answer
      }
      var order = shuffled(item.options.map(function (option, n) { return n; }), random);
      var right = order.every(function (o, n) { return o === n; });
      // Every option beside its own left side would give the answer away: the first goes last.
      return right && order.length > 1 ? order.slice(1).concat(order.slice(0, 1)) : order;
    },

    prompts: function (item) {
      return {instruction: "instruction.match", missing: "missing.match"};
    },

    render: function (item, layout, response, container, page, options) {
      clearNode(container);
      var list = page.element("div", "matching");
      item.lefts.forEach(function (left, n) {
        var chosen = response.length ? response[n] : -1;
        var row = page.element("div", "match-row" + (options.marked && chosen >= 0 ? " chosen" : ""));
        var label = page.fragment("label", "match-left", left.html);
        label.setAttribute("for", "match-" + n);
        var select = page.element("select", "match-select");
        select.id = "match-" + n;
        select.setAttribute("data-left", String(n));
        select.appendChild(page.element("option", "", page.text("match.choose")));
        select.firstChild.value = "";
        layout.forEach(function (o) {
          var option = page.element("option", "", item.options[o].label);
          option.value = String(o);
          option.selected = o === chosen;
          select.appendChild(option);
        });
        select.disabled = options.locked;
        row.appendChild(label);
        row.appendChild(select);
        list.appendChild(row);
      });
      container.appendChild(list);
    },

    read: function (item, container) {
      var response = item.lefts.map(function (left, n) {
        var select = container.querySelector("#match-" + n);
        return select && select.value !== "" ? parseInt(select.value, 10) : -1;
      });
      return response.some(function (o) { return o >= 0; }) ? response : null;
    },

    problem: function (item, response, quiz, page) {
      var left = response.filter(function (o) { return o < 0; }).length;
      return left ? page.text("problem.unmatched", {count: left}) : null;
    },

    reviewPrompt: function (item, response, prompt, page, quiz) {
    },

    feedback: function (item, response, page) {
      if (!response.length) {
        return null;
      }
      var list = page.element("ul", "chosen-feedback");
      item.lefts.forEach(function (left, n) {
        var right = response[n] === n;
        var entry = page.element("li", right ? "right" : "wrong");
        page.mark(entry, page.text(right ? "feedback.pairRight" : "feedback.pairWrong"));
        entry.appendChild(page.fragment("span", "choice-text", left.html));
        entry.appendChild(page.element("span", "typed-answer", " " + page.text("feedback.matchedTo", {
          option: response[n] >= 0 ? item.options[response[n]].label : page.text("feedback.noMatch")})));
        list.appendChild(entry);
      });
      return list;
    },

    correctAnswer: function (item, page) {
      var list = page.element("ul", "correct-list");
      item.lefts.forEach(function (left, n) {
        var entry = page.fragment("li", "", left.html);
        entry.appendChild(page.element("span", "typed-answer", " " + page.text("feedback.matchedTo",
                                                                                {option: item.options[n].label})));
        list.appendChild(entry);
      });
      return {heading: "feedback.correctAnswer", count: item.lefts.length, node: list};
    },

    /** scoring.fraction_right: per_pair, each left side matched right earns its share;
     *  all_or_nothing, every one or nothing. */
    score: function (item, response) {
      var right = item.lefts.filter(function (left, n) { return response[n] === n; }).length;
      return partsScore(item, right, item.lefts.length, item.scoring === "all_or_nothing");
    },

    autoScored: function (item) {
      return true;
    },

    /** SCORM 1.2 `1.a,2.b` (short identifiers by position), 2004 `L1[.]R1[,]L2[.]R2`; a left side
     *  left without a match is not in the response. */
    report: function (item, response, edition) {
      var twelve = edition.name === "scorm12";
      var pair = function (n, o) {
        return twelve ? LEFT12.charAt(n) + "." + code12(item, o) : item.lefts[n].id + "[.]" + item.options[o].id;
      };
      var given = [];
      var correct = [];
      item.lefts.forEach(function (left, n) {
        if (response[n] >= 0) {
          given.push(pair(n, response[n]));
        }
        correct.push(pair(n, n));
      });
      return {type: "matching", response: given.join(edition.separator), pattern: correct.join(edition.separator),
              result: MATCHING.score(item, response).correct ? "correct" : edition.wrong};
    },

    structure: function (item) {
      return item.lefts.length + " " + item.options.length;
    },

    encodeState: function (item, response) {
      var digits = MATCHING.digits(item);
      return response.map(function (o) { return base62(o + 1, digits); }).join("").replace(/0+$/, "");
    },

    decodeState: function (item, text) {
      var digits = MATCHING.digits(item);
      if (text === "") {
        return [];
      }
      if (!/^[0-9A-Za-z]*$/.test(text) || text.length > digits * item.lefts.length) {
        return null;
      }
      while (text.length < digits * item.lefts.length) {
        text += "0";
      }
      var response = [];
      for (var n = 0; n < item.lefts.length; n++) {
        var o = fromBase62(text.slice(n * digits, (n + 1) * digits)) - 1;
        if (o >= item.options.length) {
          return null;
        }
        response.push(o);
      }
      return response;
    }
  };

  /**
   * Ordering: the steps as a list, each with "Move up" and "Move down" buttons (no drag and
   * drop); a move is announced and keeps focus on the moved step's button. It starts in a
   * seeded shuffled order, never the right one. A response is the step indexes in the learner's
   * order (step n is the n-th of the right order); [] until the learner touches it.
   */
  var ORDERING = {
    arrange: function (item, random, shuffle) {
      var order = shuffled(item.steps.map(function (step, n) { return n; }), random);
      var right = order.every(function (s, n) { return s === n; });
      // The right order as the start would give the answer away: the first step goes last.
      return right && order.length > 1 ? order.slice(1).concat(order.slice(0, 1)) : order;
    },

    prompts: function (item) {
      return {instruction: "instruction.order", missing: "missing.order"};
    },

    render: function (item, layout, response, container, page, options) {
      clearNode(container);
      var order = (response.length ? response : layout).slice();
      var list = page.element("ol", "ordering" + (options.marked ? " chosen" : ""));
      var status = page.element("p", "visually-hidden");
      status.setAttribute("aria-live", "polite");
      status.id = "order-status";
      var draw = function (focusStep, direction) {
        clearNode(list);
        order.forEach(function (s, position) {
          var row = page.element("li", "order-step");
          row.setAttribute("data-step", String(s));
          row.appendChild(page.fragment("span", "order-label", item.steps[s].html));
          if (!options.locked) {
            var buttons = page.element("span", "order-buttons");
            [["up", "order.up", "order.upStep", -1], ["down", "order.down", "order.downStep", 1]].forEach(function (spec) {
              var button = page.element("button", "secondary order-move", page.text(spec[1]));
              button.type = "button";
              button.setAttribute("data-move", spec[0]);
              button.setAttribute("aria-label", page.text(spec[2], {step: item.steps[s].label}));
              var target = position + spec[3];
              button.disabled = target < 0 || target >= order.length;
              button.addEventListener("click", function () {
                order.splice(position, 1);
                order.splice(target, 0, s);
                draw(s, spec[0]);
                status.textContent = page.text("order.moved", {step: item.steps[s].label, position: target + 1,
                                                               count: order.length});
              });
              buttons.appendChild(button);
            });
            row.appendChild(buttons);
          }
          list.appendChild(row);
        });
        if (focusStep !== undefined) {
          var row = list.querySelector('[data-step="' + focusStep + '"]');
          var same = row.querySelector('[data-move="' + direction + '"]');
          var other = row.querySelector('[data-move="' + (direction === "up" ? "down" : "up") + '"]');
          (same.disabled ? other : same).focus();
        }
      };
      draw();
      container.appendChild(list);
      container.appendChild(status);
    },

    read: function (item, container) {
      var rows = container.querySelectorAll("[data-step]");
      var order = [];
      for (var i = 0; i < rows.length; i++) {
        order.push(parseInt(rows[i].getAttribute("data-step"), 10));
      }
      return order.length ? order : null;
    },

    problem: function (item, response) {
      return null;
    },

    reviewPrompt: function (item, response, prompt, page, quiz) {
    },

    feedback: function (item, response, page) {
      if (!response.length) {
        return null;
      }
      var list = page.element("ol", "chosen-feedback");
      response.forEach(function (s, position) {
        var right = s === position;
        var entry = page.element("li", right ? "right" : "wrong");
        page.mark(entry, page.text(right ? "feedback.inPlace" : "feedback.notInPlace"));
        entry.appendChild(page.fragment("span", "choice-text", item.steps[s].html));
        list.appendChild(entry);
      });
      return list;
    },

    correctAnswer: function (item, page) {
      var list = page.element("ol", "correct-list");
      item.steps.forEach(function (step) {
        list.appendChild(page.fragment("li", "", step.html));
      });
      return {heading: "feedback.correctOrder", count: 1, node: list};
    },

    /** scoring.fraction_right: all_or_nothing, the whole order or nothing; per_position, each
     *  step in its own place earns its share. */
    score: function (item, response) {
      var right = item.steps.filter(function (step, n) { return response[n] === n; }).length;
      return partsScore(item, right, item.steps.length, item.scoring === "all_or_nothing");
    },

    autoScored: function (item) {
      return true;
    },

    /** sequencing: SCORM 1.2 short identifiers `a,b,c` (a: the first step of the right order),
     *  2004 the step ids `S1[,]S2`. */
    report: function (item, response, edition) {
      var code = function (s) { return edition.name === "scorm12" ? code12(item, s) : item.steps[s].id; };
      return {type: "sequencing", response: response.map(code).join(edition.separator),
              pattern: item.steps.map(function (step, s) { return code(s); }).join(edition.separator),
              result: ORDERING.score(item, response).correct ? "correct" : edition.wrong};
    },

    structure: function (item) {
      return "steps " + item.steps.length;
    },

    encodeState: function (item, response) {
      return response.map(function (s) { return MASK_DIGITS.charAt(s); }).join("");
    },

    decodeState: function (item, text) {
      if (text === "") {
        return [];
      }
      if (text.length !== item.steps.length) {
        return null;
      }
      var order = [];
      for (var i = 0; i < text.length; i++) {
        var s = MASK_DIGITS.indexOf(text.charAt(i));
        if (s < 0 || s >= item.steps.length || order.indexOf(s) >= 0) {
          return null;
        }
        order.push(s);
      }
      return order;
    }
  };

  var BLANK_MARKER = /\[\[([A-Za-z][A-Za-z0-9_]{0,31})\]\]/;

  /**
   * Fill in the blanks: in the prompt, where each [[name]] stands, a text box (typed), a text box
   * for a number, or a <select> (drop-down), each labelled "Blank 2 of 3". A response is one
   * string per blank in prompt order: the text typed, or the chosen option's index ("" for none).
   * Each blank right earns points / blanks (scoring.blank_right).
   */
  var BLANKS = {
    right: function (blank, value, quiz) {
      if (blank.kind === "text") {
        var typed = normalisedText(value, blank.caseSensitive);
        return blank.answers.some(function (answer) { return normalisedText(answer, blank.caseSensitive) === typed; });
      }
      if (blank.kind === "choice") {
        return value === String(blank.correct);
      }
      var number = parseNumber(value, !!(quiz && quiz.decimalComma));
      return number !== null && blank.low <= number && number <= blank.high;
    },

    shown: function (blank, value) {
      return blank.kind === "choice" ? (value === "" ? "" : blank.options[parseInt(value, 10)]) : foldSpaces(value);
    },

    arrange: function (item, random, shuffle) {
      return null;
    },

    prompts: function (item) {
      return {instruction: "instruction.blanks", missing: "missing.blanks"};
    },

    /** The controls go into slots made where the markers stand in the prompt (options.prompt),
     *  or, for a marker not found there, after it. */
    render: function (item, layout, response, container, page, options) {
      clearNode(container);
      var slots = BLANKS.slots(item, options.prompt, container, page);
      item.blanks.forEach(function (blank, n) {
        var value = response.length ? response[n] : "";
        var slot = slots[n];
        clearNode(slot);
        slot.className = "blank-slot" + (options.marked ? " chosen" : "");
        var control;
        if (blank.kind === "choice") {
          control = page.element("select", "blank-select");
          control.appendChild(page.element("option", "", page.text("blank.choose")));
          control.firstChild.value = "";
          blank.options.forEach(function (text, o) {
            var option = page.element("option", "", text);
            option.value = String(o);
            option.selected = String(o) === value;
            control.appendChild(option);
          });
          control.disabled = options.locked;
        } else {
          control = page.element("input", "blank-input");
          control.type = "text";
          control.maxLength = blank.maxLength;
          control.setAttribute("autocomplete", "off");
          control.setAttribute("autocapitalize", "off");
          control.spellcheck = false;
          if (blank.kind === "numeric") {
            control.setAttribute("inputmode", "decimal");
          }
          control.value = value;
          control.readOnly = options.locked;
        }
        control.id = "blank-" + n;
        control.setAttribute("aria-label", BLANKS.label(item, n, page));
        slot.appendChild(control);
      });
    },

    /** One slot per blank: the prompt's markers replaced by empty spans (once per showing of
     *  the prompt; a later render finds them). */
    slots: function (item, prompt, container, page) {
      var found = {};
      if (prompt) {
        var existing = prompt.querySelectorAll(".blank-slot");
        for (var e = 0; e < existing.length; e++) {
          found[existing[e].getAttribute("data-blank")] = existing[e];
        }
        var texts = [];
        var walker = prompt.ownerDocument.createTreeWalker(prompt, 4 /* NodeFilter.SHOW_TEXT */);
        while (walker.nextNode()) {
          texts.push(walker.currentNode);
        }
        texts.forEach(function (node) {
          var match;
          while ((match = BLANK_MARKER.exec(node.data)) !== null) {
            var n = item.blanks.map(function (blank) { return blank.name; }).indexOf(match[1]);
            if (n < 0 || found[n]) {
              break;
            }
            var rest = node.splitText(match.index);
            var after = rest.splitText(match[0].length);
            var slot = page.element("span", "blank-slot");
            slot.setAttribute("data-blank", String(n));
            rest.parentNode.replaceChild(slot, rest);
            found[n] = slot;
            node = after;
          }
        });
      }
      return item.blanks.map(function (blank, n) {
        if (!found[n]) {
          found[n] = page.element("span", "blank-slot");
          var row = page.element("p", "blank-row");
          row.appendChild(found[n]);
          container.appendChild(row);
        }
        return found[n];
      });
    },

    read: function (item, container) {
      var doc = container.ownerDocument;
      var response = item.blanks.map(function (blank, n) {
        var control = doc.getElementById("blank-" + n);
        var value = control ? control.value : "";
        return blank.kind === "choice" ? value : value.slice(0, blank.maxLength);
      });
      return response.some(function (value) { return strip(value) !== ""; }) ? response : null;
    },

    problem: function (item, response, quiz, page) {
      var empty = response.filter(function (value) { return strip(value) === ""; }).length;
      if (empty) {
        return page.text("problem.emptyBlanks", {count: empty});
      }
      var comma = !!(quiz && quiz.decimalComma);
      for (var n = 0; n < item.blanks.length; n++) {
        if (item.blanks[n].kind === "numeric" && parseNumber(response[n], comma) === null) {
          return page.text("problem.blankNumber", {blank: BLANKS.label(item, n, page),
                                                   examples: numberExamples(quiz, page)});
        }
      }
      return null;
    },

    /** "Blank 2 of 3". */
    label: function (item, n, page) {
      return page.text("blank.label", {number: n + 1, count: item.blanks.length});
    },

    reviewPrompt: function (item, response, prompt, page, quiz) {
      var slots = BLANKS.slots(item, prompt, page.element("div"), page);
      item.blanks.forEach(function (blank, n) {
        var value = response && response.length ? response[n] : "";
        var right = response !== null && BLANKS.right(blank, value, quiz);
        slots[n].className = "blank-slot blank-answer " + (response === null ? "" : right ? "right" : "wrong");
        slots[n].textContent = "(" + (n + 1) + ") " + (value === "" ? "\u2014" : BLANKS.shown(blank, value));
      });
    },

    feedback: function (item, response, page, quiz) {
      if (!response.length) {
        return null;
      }
      var list = page.element("ul", "chosen-feedback");
      item.blanks.forEach(function (blank, n) {
        var right = BLANKS.right(blank, response[n], quiz);
        var entry = page.element("li", right ? "right" : "wrong");
        page.mark(entry, page.text(right ? "feedback.blankRight" : "feedback.blankWrong",
                                   {blank: BLANKS.label(item, n, page)}));
        entry.appendChild(page.element("span", "typed-answer", BLANKS.shown(blank, response[n])));
        list.appendChild(entry);
      });
      return list;
    },

    correctAnswer: function (item, page) {
      var list = page.element("ul", "correct-list");
      item.blanks.forEach(function (blank, n) {
        var answer = blank.kind === "text" ? blank.answers[0] :
          blank.kind === "choice" ? blank.options[blank.correct] : numberShown(blank, page);
        list.appendChild(page.element("li", "", page.text("feedback.blankAnswer",
                                                          {blank: BLANKS.label(item, n, page), answer: answer})));
      });
      return {heading: "feedback.correctAnswer", count: item.blanks.length, node: list};
    },

    score: function (item, response, quiz) {
      var right = item.blanks.filter(function (blank, n) {
        return BLANKS.right(blank, response.length ? response[n] : "", quiz);
      }).length;
      return partsScore(item, right, item.blanks.length, false);
    },

    autoScored: function (item) {
      return true;
    },

    /** One interaction per blank, id `<item id>-<blank name>`, weighting points / blanks: a typed
     *  blank `fill-in` (as a short answer), a number `numeric` (the number read), a drop-down
     *  `choice` (SCORM 1.2: its option's letter a-z, 0-9; 2004: `o1`, `o2`... by position). */
    report: function (item, response, edition, quiz) {
      var twelve = edition.name === "scorm12";
      return item.blanks.map(function (blank, n) {
        var value = response.length ? response[n] : "";
        var reported;
        if (blank.kind === "text") {
          reported = {type: "fill-in", response: reportedText(value, twelve ? 255 : 250, edition)};
        } else if (blank.kind === "numeric") {
          var number = parseNumber(value, !!(quiz && quiz.decimalComma));
          reported = {type: "numeric", response: number === null ? null : decimalText(number)};
        } else {
          var code = function (o) { return twelve ? code12(item, o) : "o" + (o + 1); };
          reported = {type: "choice", response: value === "" ? null : code(parseInt(value, 10))};
        }
        reported.id = item.id + "-" + blank.name;
        reported.weighting = item.points / item.blanks.length;
        reported.pattern = blank.kind === "choice" ? (twelve ? code12(item, blank.correct) : "o" + (blank.correct + 1))
                                                   : blank.patterns[edition.name];
        reported.result = BLANKS.right(blank, value, quiz) ? "correct" : edition.wrong;
        return reported;
      });
    },

    structure: function (item) {
      return item.blanks.map(function (blank) {
        return blank.name + ":" + blank.kind + (blank.kind === "choice" ? blank.options.length : "");
      }).join(" ");
    },

    /** Per blank: the length of its text's state in two base-62 digits, then the state. */
    encodeState: function (item, response) {
      if (!response.some(function (value) { return value !== ""; })) {
        return "";
      }
      return response.map(function (value) {
        var code = encodeText(value);
        return base62(code.length, 2) + code;
      }).join("");
    },

    decodeState: function (item, text) {
      if (text === "") {
        return [];
      }
      var response = [];
      var at = 0;
      for (var n = 0; n < item.blanks.length; n++) {
        var size = fromBase62(text.slice(at, at + 2));
        var value = size < 0 || at + 2 + size > text.length ? null : decodeText(text.slice(at + 2, at + 2 + size));
        if (value === null) {
          return null;
        }
        var blank = item.blanks[n];
        if (blank.kind === "choice" && value !== "" && !(/^\d+$/.test(value) && parseInt(value, 10) < blank.options.length)) {
          return null;
        }
        response.push(value);
        at += 2 + size;
      }
      return at === text.length ? response : null;
    }
  };

  var INTERACTIONS = {
    single_choice: CHOICE,
    multiple_response: CHOICE,
    true_false: CHOICE,
    short_answer: SHORT_ANSWER,
    numeric: NUMERIC,
    essay: ESSAY,
    matching: MATCHING,
    ordering: ORDERING,
    fill_in_blanks: BLANKS
  };

  function handlerFor(item) {
    if (!Object.prototype.hasOwnProperty.call(INTERACTIONS, item.type)) {
      throw new Error("lmspack: item " + JSON.stringify(item.id) + " is of kind " + JSON.stringify(item.type) +
                      ", which this player cannot show");
    }
    return INTERACTIONS[item.type];
  }

  /** A message for each item of a kind the player has no handler for: none in a sound package. */
  function unknownKinds(data) {
    var problems = [];
    data.items.forEach(function (item) {
      try {
        handlerFor(item);
      } catch (e) {
        problems.push(e.message);
      }
    });
    return problems;
  }

  // ---- scoring (the handlers follow builder/scoring.py) -------------------------------------

  /** Points for a response (`quiz`: the quiz part of the data). */
  function scoreItem(item, response, quiz) {
    return handlerFor(item).score(item, response, quiz).points;
  }

  /** What the LMS records as a correct interaction. */
  function isCorrect(item, response, quiz) {
    return handlerFor(item).score(item, response, quiz).correct;
  }

  /**
   * The attempt's result. `raw` is the percent the LMS receives (cmi.core.score.raw / cmi.score.raw):
   * rounded down to 2 decimals, the precision Moodle keeps, so that raw >= mastery score exactly
   * when the player says passed. The maximum counts only the items scored automatically: those a
   * person grades (essays) are `graded` (their count) and `gradedPoints`, outside the score.
   */
  function summarize(data, drawn, answers) {
    var score = 0;
    var max = 0;
    var graded = 0;
    var gradedPoints = 0;
    drawn.forEach(function (entry, n) {
      var item = data.items[entry.item];
      if (!handlerFor(item).autoScored(item)) {
        graded += 1;
        gradedPoints += item.points;
        return;
      }
      max += item.points;
      if (answers[n] && answers[n].submitted) {
        score += scoreItem(item, answers[n].response, data.quiz);
      }
    });
    score = round7(score);
    max = round7(max);
    var percent = max > 0 ? round7(100 * score / max) : 0;
    var cents = Math.floor(percent * 100 + 1e-6);
    return {
      score: score,
      max: max,
      percent: percent,
      raw: cents / 100,
      passed: max > 0 && percent >= data.settings.passMark,
      graded: graded,
      gradedPoints: round7(gradedPoints)
    };
  }

  // ---- resume state in cmi.suspend_data -----------------------------------------------------
  // "2;<attempt>;<elapsed s>;<position>;<phase s|q|r>;<version>;<item>,<item>,..." where the phase
  // is s (on the start screen, not started), q (answering) or r (on the result), <version> is
  // quizVersion(data), and each item (in draw order) is empty when untouched, else
  // <hints shown><s|n><the handler's encodeState>: s when submitted. Format 1, which players
  // before the start screen wrote, is the same without phase s, and resumes as it is.
  // A state whose version is not this package's (an older or newer build of the quiz that draws
  // or stores answers differently, or a player before versions: no <version> field) is not
  // restored: the learner starts afresh with a notice, never with answers read against the wrong
  // questions.

  /** FNV-1a, 32 bits, of a string's UTF-16 code units, in base 36 (at most 7 characters). */
  function shortHash(text) {
    var hash = 0x811C9DC5;
    for (var i = 0; i < text.length; i++) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return (hash >>> 0).toString(36);
  }

  /**
   * What a saved state depends on, hashed: the quiz id, the seed and shuffle settings and the
   * pools (which fix the draw), and each item's id, kind and handler structure (which fix what
   * a stored answer means), and an item's own shuffleChoices where it differs from the quiz's (so
   * a quiz without one keeps its version). Wording, points, hints and feedback are left out: a
   * corrected typo or answer key keeps the learners' progress, and scores are recomputed from the
   * answers; so is the navigation, which changes no stored answer.
   */
  function quizVersion(data) {
    var settings = data.settings;
    var parts = [data.quiz.id, settings.seed, settings.shuffleItems, settings.shuffleChoices];
    data.pools.forEach(function (pool) {
      parts.push("pool", pool.select, pool.items.join(" "));
    });
    data.items.forEach(function (item) {
      parts.push("item", item.id, item.type, handlerFor(item).structure(item));
      if (shufflesChoices(item, settings) !== settings.shuffleChoices) {
        parts.push("shuffle", shufflesChoices(item, settings));
      }
    });
    return shortHash(JSON.stringify(parts));
  }

  function freshAnswers(data, drawn) {
    return drawn.map(function (entry) {
      var item = data.items[entry.item];
      return {hints: 0, submitted: false, response: handlerFor(item).decodeState(item, "")};
    });
  }

  /** A new attempt: on the start screen (phase s), or answering at once (phase q, a retry). */
  function freshState(data, attempt, phase) {
    var drawn = draw(data, attempt);
    return {attempt: attempt, elapsed: 0, position: 0, phase: phase || "s", drawn: drawn,
            answers: freshAnswers(data, drawn), version: quizVersion(data)};
  }

  function encodeState(data, state) {
    var head = [STATE_FORMAT, Math.min(state.attempt, MAX_ATTEMPT),
                Math.min(Math.floor(state.elapsed), MAX_ELAPSED), state.position, state.phase,
                state.version].join(";");
    var items = state.answers.map(function (answer, n) {
      var item = data.items[state.drawn[n].item];
      var stored = handlerFor(item).encodeState(item, answer.response);
      if (!answer.submitted && answer.hints === 0 && stored === "") {
        return "";
      }
      return answer.hints + (answer.submitted ? "s" : "n") + stored;
    });
    return head + ";" + items.join(",").replace(/,+$/, "");
  }

  /** The state written by encodeState (of this format or the one before) for this version of the
   *  quiz; null when it is another version's, or does not decode. */
  function decodeState(data, text) {
    var parts = String(text || "").split(";");
    var phases = Object.prototype.hasOwnProperty.call(STATE_PHASES, parts[0]) ? STATE_PHASES[parts[0]] : null;
    if (parts.length !== 7 || phases === null || !phases.test(parts[4]) || parts[5] !== quizVersion(data)) {
      return null;
    }
    var numbers = parts.slice(1, 4).map(function (p) { return /^\d+$/.test(p) ? parseInt(p, 10) : -1; });
    if (numbers[0] < 1 || numbers[1] < 0 || numbers[2] < 0) {
      return null;
    }
    var state = freshState(data, numbers[0]);
    state.elapsed = numbers[1];
    state.position = Math.min(numbers[2], state.drawn.length - 1);
    state.phase = parts[4];
    var items = parts[6] === "" ? [] : parts[6].split(",");
    if (items.length > state.drawn.length) {
      return null;
    }
    for (var n = 0; n < items.length; n++) {
      if (items[n] === "") {
        continue;
      }
      var match = /^(\d+)([sn])([0-9A-Za-z]*)$/.exec(items[n]);
      var item = data.items[state.drawn[n].item];
      var response = match ? handlerFor(item).decodeState(item, match[3]) : null;
      if (response === null) {
        return null;
      }
      state.answers[n] = {hints: Math.min(parseInt(match[1], 10), item.hints.length),
                          submitted: match[2] === "s", response: response};
    }
    return state;
  }

  /** Each edition's run-time (common.js) and what the quiz reports in it: the score, and each
   *  answer as an interaction. */
  var EDITIONS = {
    scorm12: common.extended(common.RUNTIMES.scorm12, {
      raw: "cmi.core.score.raw", min: "cmi.core.score.min", max: "cmi.core.score.max",
      response: "student_response", time: "time", wrong: "wrong", separator: ","
    }),
    scorm2004: common.extended(common.RUNTIMES.scorm2004, {
      raw: "cmi.score.raw", min: "cmi.score.min", max: "cmi.score.max",
      response: "learner_response", time: "timestamp", wrong: "incorrect", separator: "[,]"
    })
  };

  /** The interactions the LMS records for a submitted answer: one (a handler's report is one
   *  record) or several (an array of records, each with its own id and weighting: the blanks of
   *  fill_in_blanks), each as [element, value] pairs in the order SCORM requires (id first, type
   *  before responses); a response or pattern the handler reports as null is left out. */
  function interactions(data, index, response, latencySeconds, when) {
    var edition = EDITIONS[data.edition];
    var item = data.items[index];
    var reported = handlerFor(item).report(item, response, edition, data.quiz);
    return (Array.isArray(reported) ? reported : [reported]).map(function (record) {
      return [
        ["id", record.id || item.id],
        ["type", record.type],
        ["weighting", decimal(record.weighting === undefined ? item.points : record.weighting)],
        [edition.response, record.response],
        ["correct_responses.0.pattern", record.pattern],
        ["result", record.result],
        ["latency", edition.duration(latencySeconds)],
        [edition.time, edition.stamp(when)]
      ].filter(function (pair) { return pair[1] !== null; });
    });
  }

  function boot(win) {
    var doc = win.document;
    var data = JSON.parse(doc.getElementById("quiz-data").textContent);
    var edition = EDITIONS[data.edition];
    var settings = data.settings;
    // What a package built before these settings existed has not: the defaults.
    var free = settings.navigation === "free";
    var showAnswers = settings.showCorrectAnswers !== false;
    var words = wordsFor(data.quiz, data.messages || {});
    var say = words.text;
    var $ = function (id) { return doc.getElementById(id); };
    var log = function (message) { win.console.log(message); };
    var notices = [];
    function notify(message) {
      notices.push(message);
      var notice = $("notice");
      notice.textContent = notices.join(" ");
      notice.hidden = false;
    }
    applyTheme();
    // An item the player cannot show stops it before it talks to the LMS: a quiz with a question
    // nobody can answer must not be scored or recorded.
    var unknown = unknownKinds(data);
    if (unknown.length) {
      unknown.forEach(log);
      notify(say("page.unknownKind"));
      return;
    }
    var lms = common.connect(win, edition, log);
    var sessionStart = Date.now();
    var segmentStart = Date.now();
    var itemStart = Date.now();
    var timer = null;
    var warned = false;

    var state = null;
    var discarded = false;
    if (lms) {
      // A new SCORM 2004 attempt (entry ab-initio) has no suspend_data: reading it is error 403.
      if (data.edition === "scorm12" || lms.get("cmi.entry") !== "ab-initio") {
        var stored = lms.get("cmi.suspend_data");
        state = decodeState(data, stored);
        if (!state && stored !== "") {
          discarded = true;
          log("lmspack: the saved state (" + stored.length + " characters) is not one of this version of " +
              "the quiz (" + STATE_FORMAT + ";…;" + quizVersion(data) + ";…); the quiz starts again");
          notify(say("page.updated"));
        }
      }
      var status = lms.get(edition.status);
      if (status === "" || status === "not attempted" || status === "unknown") {
        lms.set(edition.status, "incomplete");
      }
    }
    if (!state) {
      state = freshState(data, 1);
    }

    function applyTheme() {
      common.applyTheme(doc, data.theme, data.allow.files.prefix, $("header"));
    }

    function text(element, value) {
      element.textContent = value;
    }

    function element(tag, className, content) {
      var node = doc.createElement(tag);
      if (className) {
        node.className = className;
      }
      if (content !== undefined) {
        node.textContent = content;
      }
      return node;
    }

    function fragment(tag, className, html) {
      var node = element(tag, className);
      insertFragment(doc, data.allow, node, html, say("page.table"));
      return node;
    }

    /** "Your choice (right):" and a space, before what it marks. */
    function mark(parent, content) {
      parent.appendChild(element("span", "choice-mark", content));
      parent.appendChild(doc.createTextNode(" "));
    }

    /** What a handler may use to make nodes, and the page's words. */
    var page = {element: element, fragment: fragment, mark: mark, text: say, number: words.number,
                list: words.list};

    function points(value) {
      return say("question.points", {count: value});
    }

    function elapsed() {
      return state.phase === "q" ? state.elapsed + (Date.now() - segmentStart) / 1000 : state.elapsed;
    }

    function announce(message) {
      text($("announcer"), message);
    }

    // Focus moves to each new screen's heading. Before the learner has touched a key or the
    // pointer (the page has just loaded, a resumed attempt), without a focus ring: browsers show
    // :focus-visible after a script's focus at load, and a ring on a heading nobody moved to is
    // noise. After that, the browser decides (a keyboard user sees it).
    var interacted = false;
    ["keydown", "pointerdown"].forEach(function (type) {
      doc.addEventListener(type, function () { interacted = true; }, true);
    });

    function focusOn(node) {
      node.focus(interacted ? undefined : {focusVisible: false});
    }

    /** Keep the resume state in the LMS; commit when asked (after each answer). */
    function save(commit) {
      state.elapsed = elapsed();
      segmentStart = Date.now();
      if (!lms || lms.terminated) {
        return;
      }
      var encoded = encodeState(data, state);
      if (encoded.length > settings.suspendDataLimit) {
        log("lmspack: resume state of " + encoded.length + " characters exceeds cmi.suspend_data's " +
            settings.suspendDataLimit + "; it is not saved");
      } else {
        lms.set("cmi.suspend_data", encoded);
      }
      lms.set(edition.location, String(state.position + 1));
      if (state.phase !== "r") {
        // An attempt not over yet, on the start screen too: the LMS keeps it for the next
        // launch rather than count a new attempt (Moodle's own attempts are set to 1).
        lms.set(edition.exit, "suspend");
      }
      if (data.edition === "scorm2004") {
        lms.set("cmi.progress_measure", state.phase === "r" ? "1" : decimal(answeredCount() / state.drawn.length));
      }
      if (commit) {
        lms.commit();
      }
    }

    // -- screens: the start, a question, the confirmation (free navigation), the result --

    var SCREENS = ["start", "question", "confirm", "results"];

    function show(screen) {
      SCREENS.forEach(function (name) {
        $(name).hidden = name !== screen;
      });
      $("question-nav").hidden = !(free && (screen === "question" || screen === "confirm"));
      $("timer").hidden = !(settings.timeLimit && (screen === "question" || screen === "confirm"));
    }

    /** A length of time as the start screen says it: whole minutes, else seconds. */
    function duration(seconds) {
      return seconds % 60 === 0 ? say("time.minutes", {count: seconds / 60}) : say("time.seconds", {count: seconds});
    }

    function showStart() {
      show("start");
      var description = $("description");
      text(description, data.quiz.description || "");
      description.hidden = !data.quiz.description;
      var facts = $("facts");
      clearNode(facts);
      var left = settings.attempts ? Math.max(settings.attempts - state.attempt + 1, 0) : null;
      [["start.questions", words.number(state.drawn.length)],
       ["start.points", words.number(summarize(data, state.drawn, []).max)],
       ["start.passMark", words.percent(settings.passMark)],
       ["start.attemptsLeft", left === null ? say("start.unlimited") :
         say("start.attemptsLeftValue", {left: left, count: settings.attempts})],
       ["start.timeLimit", settings.timeLimit ? duration(settings.timeLimit) : say("start.noTimeLimit")]
      ].forEach(function (fact) {
        var row = element("div", "fact");
        row.appendChild(element("dt", "", say(fact[0])));
        row.appendChild(element("dd", "", fact[1]));
        facts.appendChild(row);
      });
    }

    function start() {
      state.phase = "q";
      segmentStart = Date.now();
      save(true);
      startTimer();
      showQuestion();
    }

    // -- one question --

    function currentItem() {
      return data.items[state.drawn[state.position].item];
    }

    /** The current item's inputs, showing `answer`: read-only once submitted, and marking what
     *  was chosen when feedback comes immediately. */
    function renderAnswer(item, answer) {
      handlerFor(item).render(item, state.drawn[state.position].layout, answer.response, $("choices"), page,
                              {locked: answer.submitted,
                               marked: answer.submitted && settings.feedback === "immediately",
                               prompt: $("prompt")});
    }

    /** What the learner has given for drawn item n: "submitted", "draft" (an answer that can be
     *  submitted, not submitted yet: free navigation submits it with the quiz) or "none". */
    function answerState(n) {
      var answer = state.answers[n];
      if (answer.submitted) {
        return "submitted";
      }
      var item = data.items[state.drawn[n].item];
      var handler = handlerFor(item);
      if (handler.encodeState(item, answer.response) === "") {
        return "none";
      }
      return handler.problem(item, answer.response, data.quiz, page) === null ? "draft" : "none";
    }

    function answeredCount() {
      return state.answers.filter(function (answer) { return answer.submitted; }).length;
    }

    /** The current question's response as it stands, kept (not submitted) in the state. */
    function keepDraft() {
      var item = currentItem();
      var answer = state.answers[state.position];
      if (!answer.submitted) {
        var response = handlerFor(item).read(item, $("choices"));
        answer.response = response === null ? handlerFor(item).decodeState(item, "") : response;
      }
    }

    function showHints(item, answer) {
      var list = $("hint-list");
      clearNode(list);
      for (var h = 0; h < answer.hints; h++) {
        var entry = element("li", "hint");
        entry.appendChild(fragment("div", "hint-text", item.hints[h]));
        list.appendChild(entry);
      }
      var button = $("hint-button");
      var more = answer.hints < item.hints.length && !answer.submitted;
      button.hidden = !more;
      $("hints").hidden = item.hints.length === 0;
      if (more) {
        text(button, say("hint.button", {number: answer.hints + 1, count: item.hints.length}));
      }
    }

    function showProgress() {
      var count = state.drawn.length;
      var answered = answeredCount();
      var bar = $("progress");
      bar.setAttribute("aria-label", say("progress.label"));
      bar.setAttribute("aria-valuemax", String(count));
      bar.setAttribute("aria-valuenow", String(answered));
      bar.setAttribute("aria-valuetext", say("progress.value", {answered: answered, count: count}));
      $("progress-fill").style.width = (100 * answered / count) + "%";
    }

    /** Free navigation: a button per question, the current one and the answered ones marked. */
    function showNavigation(current) {
      if (!free) {
        return;
      }
      $("question-nav").setAttribute("aria-label", say("nav.label"));
      var list = $("nav-list");
      clearNode(list);
      state.drawn.forEach(function (entry, n) {
        var answered = answerState(n) !== "none";
        var button = element("button", "nav-item" + (answered ? " answered" : ""), words.number(n + 1));
        button.type = "button";
        button.setAttribute("aria-label", say(answered ? "nav.questionAnswered" : "nav.question", {number: n + 1}));
        if (n === current) {
          button.setAttribute("aria-current", "step");
        }
        button.addEventListener("click", function () {
          goTo(n);
        });
        var item = element("li");
        item.appendChild(button);
        list.appendChild(item);
      });
    }

    function verdict(item, answer) {
      if (!handlerFor(item).autoScored(item)) {
        return {className: "saved", right: true, text: say("verdict.graded")};
      }
      var got = handlerFor(item).score(item, answer.response, data.quiz);
      if (got.correct) {
        return {className: "correct", right: true, text: say("verdict.correct", {count: got.points})};
      }
      var marks = {score: got.points, count: item.points};
      return got.points > 0 ? {className: "partial", right: false, text: say("verdict.partial", marks)}
                            : {className: "incorrect", right: false, text: say("verdict.incorrect", marks)};
    }

    /** The right answer(s) of an item the learner got wrong or partly right, unless the quiz
     *  keeps them hidden (showCorrectAnswers false) or a person grades it. */
    function correctAnswerBlock(item, target) {
      if (!showAnswers || !handlerFor(item).autoScored(item)) {
        return;
      }
      var shown = handlerFor(item).correctAnswer(item, page, data.quiz);
      if (shown) {
        var box = element("div", "correct-answer");
        box.appendChild(element("p", "correct-answer-heading", say(shown.heading, {count: shown.count})));
        box.appendChild(shown.node);
        target.appendChild(box);
      }
    }

    /** The verdict, the response's own feedback, the right answer after a wrong one, and the
     *  explanation, into `target`. */
    function feedbackBlock(item, answer, target, headingLevel) {
      var result = verdict(item, answer);
      target.appendChild(element("p", "verdict " + result.className, result.text));
      var own = handlerFor(item).feedback(item, answer.response, page, data.quiz);
      if (own) {
        target.appendChild(own);
      }
      if (!result.right) {
        correctAnswerBlock(item, target);
      }
      explanationBlock(item, target, headingLevel);
    }

    function explanationBlock(item, target, headingLevel) {
      if (item.explanation) {
        target.appendChild(element(headingLevel, "explanation-heading", say("feedback.explanation")));
        target.appendChild(fragment("div", "explanation", item.explanation));
      }
    }

    function showSubmitted(item, answer) {
      $("submit-button").hidden = true;
      var next = $("next-button");
      next.hidden = free;
      text(next, say(state.position + 1 < state.drawn.length ? "question.next" : "question.seeResult"));
      var box = $("feedback");
      clearNode(box);
      if (settings.feedback === "immediately") {
        feedbackBlock(item, answer, box, "h3");
      } else {
        box.appendChild(element("p", "verdict saved", say(settings.feedback === "after_submit" ?
          "verdict.savedForLater" : "verdict.saved")));
      }
      box.className = "feedback shown";
      showHints(item, answer);
      showProgress();
      showNavigation(state.position);
    }

    function showQuestion() {
      var item = currentItem();
      var answer = state.answers[state.position];
      show("question");
      text($("question-heading"), say("question.heading", {number: state.position + 1, count: state.drawn.length}));
      text($("legend"), item.title);
      text($("item-points"), points(item.points) + " · " + say(handlerFor(item).prompts(item).instruction));
      insertFragment(doc, data.allow, $("prompt"), item.prompt, say("page.table"));
      renderAnswer(item, answer);
      var box = $("feedback");
      clearNode(box);
      box.className = "feedback";
      $("submit-button").hidden = false;
      $("next-button").hidden = true;
      $("previous-button").hidden = !free;
      $("previous-button").disabled = state.position === 0;
      $("forward-button").hidden = !free;
      $("forward-button").disabled = state.position + 1 === state.drawn.length;
      $("finish-button").hidden = !free;
      showHints(item, answer);
      showProgress();
      showNavigation(state.position);
      if (answer.submitted) {
        showSubmitted(item, answer);
      }
      itemStart = Date.now();
      focusOn($("question-heading"));
    }

    /** Drawn item n answered with `response`: kept as submitted, and recorded by the LMS. */
    function record(n, response, latencySeconds) {
      var answer = state.answers[n];
      answer.response = response;
      answer.submitted = true;
      if (lms && !lms.terminated) {
        var first = parseInt(lms.get("cmi.interactions._count"), 10) || 0;
        interactions(data, state.drawn[n].item, response, latencySeconds, new Date()).forEach(function (pairs, k) {
          pairs.forEach(function (pair) {
            lms.set("cmi.interactions." + (first + k) + "." + pair[0], pair[1]);
          });
        });
      }
    }

    function submit(event) {
      event.preventDefault();
      var item = currentItem();
      var answer = state.answers[state.position];
      if (answer.submitted) {
        return;
      }
      var handler = handlerFor(item);
      var response = handler.read(item, $("choices"));
      var problem = response === null ? say(handler.prompts(item).missing) :
        handler.problem(item, response, data.quiz, page);
      if (problem !== null) {
        var box = $("feedback");
        clearNode(box);
        box.appendChild(element("p", "verdict incorrect", problem));
        box.className = "feedback shown";
        return;
      }
      record(state.position, response, (Date.now() - itemStart) / 1000);
      save(true);
      renderAnswer(item, answer);
      showSubmitted(item, answer);
      $("feedback").focus();
    }

    function next() {
      if (state.position + 1 < state.drawn.length) {
        state.position += 1;
        save(false);
        showQuestion();
      } else {
        finish();
      }
    }

    /** Free navigation: to drawn item n, keeping what the current question holds so far. */
    function goTo(n) {
      if ($("question").hidden === false) {
        keepDraft();
      }
      state.position = Math.max(0, Math.min(n, state.drawn.length - 1));
      save(false);
      showQuestion();
    }

    function revealHint() {
      var item = currentItem();
      var answer = state.answers[state.position];
      if (answer.hints < item.hints.length) {
        answer.hints += 1;
        keepDraft();  // saved with the hint count: what the learner has chosen so far
        save(false);
        showHints(item, answer);
        var shown = $("hint-list").lastChild;
        if (shown) {
          shown.setAttribute("tabindex", "-1");
          shown.focus();
        }
      }
    }

    // -- free navigation: the quiz is submitted at the end, after a confirmation --

    function unanswered() {
      return state.drawn.map(function (entry, n) { return n; }).filter(function (n) {
        return answerState(n) === "none";
      });
    }

    function confirmFinish() {
      keepDraft();
      save(false);
      show("confirm");
      showNavigation(-1);
      var missing = unanswered();
      text($("confirm-text"), missing.length ?
        say("confirm.unanswered", {count: missing.length,
                                   list: words.list(missing.map(function (n) { return words.number(n + 1); }),
                                                    "conjunction")}) :
        say("confirm.allAnswered", {count: state.drawn.length}));
      focusOn($("confirm-heading"));
    }

    /** Every answer given but not submitted, submitted now (free navigation's end). */
    function submitDrafts() {
      state.drawn.forEach(function (entry, n) {
        if (answerState(n) === "draft") {
          record(n, state.answers[n].response, 0);
        }
      });
    }

    // -- the result --

    function canRetry(result) {
      return !result.passed && (settings.attempts === null || state.attempt < settings.attempts) &&
        state.attempt < MAX_ATTEMPT;
    }

    function finish() {
      if (free) {
        if (!$("question").hidden) {
          keepDraft();
        }
        submitDrafts();
      }
      state.elapsed = elapsed();
      state.phase = "r";
      stopTimer();
      var result = summarize(data, state.drawn, state.answers);
      var retry = canRetry(result);
      if (lms && !lms.terminated) {
        lms.set(edition.min, "0");
        lms.set(edition.max, "100");
        lms.set(edition.raw, decimal(result.raw));
        if (data.edition === "scorm12") {
          lms.set(edition.status, result.passed ? "passed" : "failed");
        } else {
          lms.set("cmi.score.scaled", decimal(result.raw / 100));
          lms.set(edition.status, "completed");
          lms.set("cmi.success_status", result.passed ? "passed" : "failed");
        }
        lms.set(edition.exit, retry ? "suspend" : edition.normalExit);
        save(true);
        if (!retry) {
          lms.terminate((Date.now() - sessionStart) / 1000);
        }
      }
      showResults();
    }

    function showResults() {
      var result = summarize(data, state.drawn, state.answers);
      show("results");
      text($("score-line"), say("result.score", {percent: words.percent(result.raw), score: result.score,
                                                 count: result.max}));
      var gradedLine = $("graded-line");
      gradedLine.hidden = result.graded === 0;
      text(gradedLine, result.graded === 0 ? "" :
        say("result.graded", {count: result.graded, points: points(result.gradedPoints)}));
      var verdictLine = $("verdict");
      text(verdictLine, result.passed ? say("result.passed") :
        say("result.failed", {passMark: words.percent(settings.passMark)}));
      verdictLine.className = "verdict " + (result.passed ? "correct" : "incorrect");
      var lines = [say(settings.attempts ? "result.attemptOf" : "result.attempt",
                       {number: state.attempt, count: settings.attempts})];
      var retry = canRetry(result);
      if (!result.passed && !retry) {
        lines.push(say("result.noAttemptsLeft"));
      }
      if (!lms) {
        lines.push(say("result.notRecorded"));
      }
      text($("attempt-line"), lines.join(" "));
      var button = $("retry-button");
      button.hidden = !retry;
      text(button, retry && settings.attempts ?
        say("result.retryLeft", {count: settings.attempts - state.attempt}) : say("result.retry"));
      var review = $("review");
      clearNode(review);
      if (settings.feedback !== "never") {
        review.appendChild(element("h3", "", say("result.review")));
        state.drawn.forEach(function (entry, n) {
          var item = data.items[entry.item];
          var answer = state.answers[n];
          var section = element("section", "review-item");
          section.appendChild(element("h4", "", say("result.reviewQuestion", {number: n + 1, title: item.title})));
          var prompt = fragment("div", "prompt", item.prompt);
          handlerFor(item).reviewPrompt(item, answer.submitted ? answer.response : null, prompt, page, data.quiz);
          section.appendChild(prompt);
          if (answer.submitted) {
            feedbackBlock(item, answer, section, "h5");
          } else {
            section.appendChild(element("p", "verdict incorrect", handlerFor(item).autoScored(item) ?
              say("verdict.notAnsweredPoints", {score: 0, count: item.points}) : say("verdict.notAnswered")));
            correctAnswerBlock(item, section);
            explanationBlock(item, section, "h5");
          }
          review.appendChild(section);
        });
      }
      focusOn($("results"));
    }

    function retryQuiz() {
      state = freshState(data, state.attempt + 1, "q");
      segmentStart = Date.now();
      if (lms && !lms.terminated) {
        lms.set(edition.exit, "suspend");
      }
      save(true);
      startTimer();
      showQuestion();
    }

    // -- time limit --

    function clock(seconds) {
      var whole = Math.max(0, Math.ceil(seconds));
      return words.number(Math.floor(whole / 60)) + ":" + words.padded(whole % 60);
    }

    function tick() {
      var left = settings.timeLimit - elapsed();
      text($("timer"), say("timer.left", {time: clock(left)}));
      if (left <= 60 && !warned) {
        warned = true;
        announce(say("timer.oneMinute"));
      }
      if (left <= 0) {
        announce(say("timer.up"));
        finish();
      }
    }

    function startTimer() {
      stopTimer();
      if (!settings.timeLimit || state.phase !== "q") {
        return;
      }
      warned = false;
      tick();
      if (state.phase === "q") {
        timer = win.setInterval(tick, 1000);
      }
    }

    function stopTimer() {
      if (timer !== null) {
        win.clearInterval(timer);
        timer = null;
      }
    }

    // -- leaving --

    function leave() {
      if (!lms || lms.terminated) {
        return;
      }
      if (state.phase !== "r") {
        lms.set(edition.exit, "suspend");
        if (!$("question").hidden) {
          keepDraft();  // what the learner has chosen or typed so far is there when they come back
        }
      }
      save(false);
      lms.terminate((Date.now() - sessionStart) / 1000);
    }

    if (!lms) {
      notify(say("page.preview"));
    }
    if (discarded) {
      save(true);  // the unusable state is replaced at once, not only at the first answer
    }
    $("start-button").addEventListener("click", start);
    $("question").addEventListener("submit", submit);
    $("next-button").addEventListener("click", next);
    $("previous-button").addEventListener("click", function () { goTo(state.position - 1); });
    $("forward-button").addEventListener("click", function () { goTo(state.position + 1); });
    $("finish-button").addEventListener("click", confirmFinish);
    $("confirm-button").addEventListener("click", finish);
    $("back-button").addEventListener("click", function () { goTo(state.position); });
    $("hint-button").addEventListener("click", revealHint);
    $("retry-button").addEventListener("click", retryQuiz);
    win.addEventListener("pagehide", leave);
    win.addEventListener("unload", leave);
    if (state.phase === "r") {
      showResults();
    } else if (state.phase === "s") {
      showStart();
    } else if (settings.timeLimit && elapsed() >= settings.timeLimit) {
      finish();
    } else {
      startTimer();
      showQuestion();
    }
  }

  return {
    allowedUrl: common.allowedUrl,
    packagedFile: common.packagedFile,
    allowedReference: common.allowedReference,
    prng: prng,
    draw: draw,
    INTERACTIONS: INTERACTIONS,
    handlerFor: handlerFor,
    unknownKinds: unknownKinds,
    quizVersion: quizVersion,
    scoreItem: scoreItem,
    parseNumber: parseNumber,
    normalisedText: normalisedText,
    wordCount: wordCount,
    encodeText: encodeText,
    decodeText: decodeText,
    isCorrect: isCorrect,
    summarize: summarize,
    freshState: freshState,
    encodeState: encodeState,
    decodeState: decodeState,
    wordsFor: wordsFor,
    interactions: interactions,
    code12: code12,
    code2004: code2004,
    timespan12: common.timespan12,
    duration2004: common.duration2004,
    boot: boot
  };
}));
