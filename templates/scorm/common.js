/*
 * What lmspack's two SCORM pages share: the quiz player (player.js) and the study player of
 * a deck of cards both load this script first. It holds the one place markup enters a page
 * (insertFragment, with the build's allowlist: the trust boundary player.js describes), the
 * words of the quiz's language (wordsFor), the SCORM run-time (finding the API, every call
 * checked, one terminate) and the theme (accent and logo). Nothing here knows what a page shows.
 *
 * In a browser it is window.lmspackCommon; loaded by Node (tests), its module exports.
 */
(function (root, factory) {
  "use strict";
  var common = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = common;
  } else {
    root.lmspackCommon = common;
  }
}(this, function () {
  "use strict";

  function round7(value) {
    return parseFloat(value.toFixed(7));
  }

  function clearNode(node) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
  }

  // ---- resume state -------------------------------------------------------------------------

  var MASK_DIGITS = "0123456789abcdefghijklmnopqrstuv";

  /** A set of numbers (choices, cards) as base-32 digits, five numbers per digit, trailing zeros dropped. */
  function encodeMask(selected) {
    var digits = [];
    selected.forEach(function (n) {
      var at = Math.floor(n / 5);
      while (digits.length <= at) {
        digits.push(0);
      }
      digits[at] |= 1 << (n % 5);
    });
    return digits.map(function (d) { return MASK_DIGITS.charAt(d); }).join("").replace(/0+$/, "");
  }

  function decodeMask(text) {
    var selected = [];
    for (var i = 0; i < text.length; i++) {
      var digit = MASK_DIGITS.indexOf(text.charAt(i));
      for (var bit = 0; bit < 5; bit++) {
        if (digit & (1 << bit)) {
          selected.push(i * 5 + bit);
        }
      }
    }
    return selected;
  }

  // ---- words and numbers in the quiz's language -----------------------------------------------

  var PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

  /** new Kind(language, options), or English's when the browser does not know the language. */
  function intl(Kind, language, options) {
    try {
      return new Kind(language, options);
    } catch (e) {
      return new Kind("en", options);
    }
  }

  /**
   * What the page says, in the quiz's language. text(key, params): the message `key` of the quiz's
   * catalogue (the build resolved it, with quiz.yaml's strings: in place: data.messages); for a
   * message with plural forms, the form Intl.PluralRules of quiz.pluralLanguage gives params.count;
   * each {name} replaced by params.name, a number written as the quiz's language writes numbers
   * (at most 2 decimals, its own digits). number(value), percent(value of 100), padded (two
   * digits at least: a clock's seconds) and list(texts, "conjunction" | "disjunction") write the
   * same way. A key the data lacks shows as itself (the tests hold every key in every catalogue).
   */
  function wordsFor(quiz, messages) {
    var numbers = intl(Intl.NumberFormat, quiz.language, {maximumFractionDigits: 2});
    var twoDigits = intl(Intl.NumberFormat, quiz.language, {minimumIntegerDigits: 2, useGrouping: false});
    var percents = intl(Intl.NumberFormat, quiz.language, {style: "percent", maximumFractionDigits: 2});
    var plurals = intl(Intl.PluralRules, quiz.pluralLanguage || quiz.language, {maximumFractionDigits: 2});

    function number(value) {
      return numbers.format(value);
    }

    function text(key, params) {
      var message = Object.prototype.hasOwnProperty.call(messages, key) ? messages[key] : key;
      var values = params || {};
      if (typeof message !== "string") {
        var form = plurals.select(values.count);
        message = Object.prototype.hasOwnProperty.call(message, form) ? message[form] : message.other;
      }
      return message.replace(PLACEHOLDER, function (whole, name) {
        if (!Object.prototype.hasOwnProperty.call(values, name)) {
          return whole;
        }
        return typeof values[name] === "number" ? number(values[name]) : String(values[name]);
      });
    }

    function list(texts, type) {
      try {
        return new Intl.ListFormat(quiz.language, {type: type}).format(texts);
      } catch (e) {
        return texts.join(", ");
      }
    }

    return {
      text: text,
      number: number,
      percent: function (value) { return percents.format(value / 100); },
      padded: function (value) { return twoDigits.format(value); },
      list: list
    };
  }

  // ---- SCORM data model formats ---------------------------------------------------------------

  function pad(value, width) {
    var text = String(value);
    while (text.length < width) {
      text = "0" + text;
    }
    return text;
  }

  /** SCORM 1.2 CMITimespan HHHH:MM:SS (session_time, latency). */
  function timespan12(seconds) {
    var whole = Math.max(0, Math.round(seconds));
    var hours = Math.min(Math.floor(whole / 3600), 9999);
    return pad(hours, 2) + ":" + pad(Math.floor(whole / 60) % 60, 2) + ":" + pad(whole % 60, 2);
  }

  /** SCORM 2004 timeinterval (ISO 8601 duration), in the form Moodle's check accepts. */
  function duration2004(seconds) {
    var whole = Math.max(0, Math.round(seconds));
    return "PT" + Math.floor(whole / 3600) + "H" + (Math.floor(whole / 60) % 60) + "M" + (whole % 60) + "S";
  }

  /** SCORM 1.2 CMITime (time of day) for cmi.interactions.n.time. */
  function time12(date) {
    return pad(date.getHours(), 2) + ":" + pad(date.getMinutes(), 2) + ":" + pad(date.getSeconds(), 2);
  }

  /** SCORM 2004 time(second,10,0) without a zone designator, for cmi.interactions.n.timestamp. */
  function timestamp2004(date) {
    return pad(date.getFullYear(), 4) + "-" + pad(date.getMonth() + 1, 2) + "-" + pad(date.getDate(), 2) +
      "T" + time12(date);
  }

  function decimal(value) {
    return String(round7(value));
  }

  /** Each edition's run-time: the API object's name and methods, and the elements every SCO
   *  sets (status, exit, session time, location) with their formats. */
  var RUNTIMES = {
    scorm12: {
      name: "scorm12",
      api: "API",
      methods: {initialize: "LMSInitialize", terminate: "LMSFinish", get: "LMSGetValue", set: "LMSSetValue",
                commit: "LMSCommit", error: "LMSGetLastError", errorString: "LMSGetErrorString",
                diagnostic: "LMSGetDiagnostic"},
      status: "cmi.core.lesson_status", exit: "cmi.core.exit", sessionTime: "cmi.core.session_time",
      location: "cmi.core.lesson_location", normalExit: "", duration: timespan12, stamp: time12
    },
    scorm2004: {
      name: "scorm2004",
      api: "API_1484_11",
      methods: {initialize: "Initialize", terminate: "Terminate", get: "GetValue", set: "SetValue",
                commit: "Commit", error: "GetLastError", errorString: "GetErrorString",
                diagnostic: "GetDiagnostic"},
      status: "cmi.completion_status", exit: "cmi.exit", sessionTime: "cmi.session_time",
      location: "cmi.location", normalExit: "normal", duration: duration2004, stamp: timestamp2004
    }
  };

  /** `base` with `more`'s properties added: an edition's run-time and what one page adds to it. */
  function extended(base, more) {
    var out = {};
    [base, more].forEach(function (source) {
      Object.keys(source).forEach(function (key) { out[key] = source[key]; });
    });
    return out;
  }

  /** An LMS connection for this page, or null (a preview): the API of `edition` found from `win`
   *  and initialised. */
  function connect(win, edition, log) {
    var api = discoverApi(win, edition.api);
    var lms = api ? new Lms(api, edition, log) : null;
    if (lms && !lms.initialize()) {
      log("lmspack: the LMS refused to initialise; running as a preview");
      lms = null;
    }
    return lms;
  }

  // ---- the LMS ------------------------------------------------------------------------------

  function findApi(start, name) {
    var win = start;
    for (var tries = 0; win && tries < 500; tries++) {
      try {
        if (win[name]) {
          return win[name];
        }
      } catch (e) { /* another origin: keep climbing */ }
      var parent = null;
      try {
        parent = win.parent;
      } catch (e) { parent = null; }
      if (!parent || parent === win) {
        break;
      }
      win = parent;
    }
    return null;
  }

  /** The standard search: this window and its parents, then the opener and its parents. */
  function discoverApi(win, name) {
    var api = findApi(win, name);
    if (!api) {
      try {
        if (win.opener && !win.opener.closed) {
          api = findApi(win.opener, name);
        }
      } catch (e) { api = null; }
    }
    return api;
  }

  function Lms(api, edition, log) {
    this.api = api;
    this.edition = edition;
    this.log = log;
    this.initialized = false;
    this.terminated = false;
  }

  /** Every call is checked: a non-zero GetLastError is logged with its string and diagnostic. */
  Lms.prototype.call = function (method, args) {
    var name = this.edition.methods[method];
    var result = "";
    try {
      result = String(this.api[name].apply(this.api, args));
    } catch (e) {
      this.log("lmspack: " + name + " threw " + e);
      return "";
    }
    var code = "0";
    try {
      code = String(this.api[this.edition.methods.error]());
    } catch (e) {
      this.log("lmspack: " + this.edition.methods.error + " threw " + e);
    }
    if (code !== "0" && code !== "") {
      var text = "";
      var diagnostic = "";
      try {
        text = String(this.api[this.edition.methods.errorString](code));
        diagnostic = String(this.api[this.edition.methods.diagnostic](code));
      } catch (e) { /* keep what we have */ }
      this.log("lmspack: " + name + "(" + args.map(function (a) { return JSON.stringify(a); }).join(", ") +
               ") failed with error " + code + " (" + text + "): " + diagnostic);
    }
    return result;
  };

  Lms.prototype.initialize = function () {
    this.initialized = this.call("initialize", [""]) === "true";
    return this.initialized;
  };

  Lms.prototype.get = function (element) {
    return this.call("get", [element]);
  };

  Lms.prototype.set = function (element, value) {
    return this.call("set", [element, String(value)]) === "true";
  };

  Lms.prototype.commit = function () {
    return this.call("commit", [""]) === "true";
  };

  /** Session time, a last commit, then LMSFinish/Terminate: once, whatever calls it again. */
  Lms.prototype.terminate = function (sessionSeconds) {
    if (!this.initialized || this.terminated) {
      return;
    }
    this.terminated = true;
    this.set(this.edition.sessionTime, this.edition.duration(sessionSeconds));
    this.commit();
    this.call("terminate", [""]);
  };

  // ---- the page -----------------------------------------------------------------------------

  /**
   * The build's URL rule (builder.markup.url_allowed), on the URL as the browser will read it
   * (WHATWG URL parsing: C0 controls and space stripped at both ends, tab, LF and CR removed
   * anywhere, the scheme in any case): one of `schemes`, or for a link '#place' in the same page;
   * nothing relative. Nothing else is stripped: U+00A0 before 'javascript:' makes a relative URL.
   */
  function allowedUrl(value, attribute, schemes) {
    var url = value.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, "").replace(/[\t\n\r]/g, "");
    var scheme = /^([A-Za-z][A-Za-z0-9+.\-]*):/.exec(url);
    if (scheme) {
      return schemes.indexOf(scheme[1].toLowerCase()) >= 0;
    }
    return attribute === "href" && url.charAt(0) === "#";
  }

  var HTML_NAMESPACE = "http://www.w3.org/1999/xhtml";
  var MATHML_NAMESPACE = "http://www.w3.org/1998/Math/MathML";
  var QUOTED_SEGMENT = /^(?:[A-Za-z0-9_.~\-]|%[0-9A-Fa-f]{2})+$/;

  /**
   * Whether `value` names a file of the package as the build writes it: `prefix` ("media/") and
   * a path URL-quoted (builder.model.MediaFile.href), relative to the launch page. Segments of
   * unreserved characters and %XX only (no scheme, query, space or backslash can be in one), none
   * of them '.' or '..' once decoded (a URL parser reads '%2e%2e' as '..'), nor a quoted '/' or '\'.
   */
  function packagedFile(value, prefix) {
    if (value.slice(0, prefix.length) !== prefix || value.length === prefix.length) {
      return false;
    }
    var segments = value.slice(prefix.length).split("/");
    for (var i = 0; i < segments.length; i++) {
      if (!QUOTED_SEGMENT.test(segments[i])) {
        return false;
      }
      var decoded;
      try {
        decoded = decodeURIComponent(segments[i]);
      } catch (error) {
        return false;  // not UTF-8: never a name the build wrote
      }
      if (decoded === "." || decoded === ".." || /[\/\\]/.test(decoded)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether an element's href or src may stay: a file of the package for the src of an image,
   * audio or video (audio and video play nothing else: the page's media-src is 'self'), else the
   * build's URL rule (allowedUrl). A link never points into the package.
   */
  function allowedReference(tag, attribute, value, allow) {
    var files = allow.files;
    if (attribute === "src" && files.tags.indexOf(tag) >= 0 && packagedFile(value, files.prefix)) {
      return true;
    }
    return files.only.indexOf(tag) < 0 && allowedUrl(value, attribute, allow.schemes);
  }

  /**
   * A table in a box of its own that scrolls sideways, so a wide table never widens the page (at
   * phone width). The box is a named region that takes focus, so it scrolls from the keyboard too:
   * named by the table's caption, else `unnamed` ("Table" in the quiz's language).
   */
  function boxTable(doc, table, unnamed) {
    var box = doc.createElement("div");
    box.className = "table-scroll";
    box.setAttribute("role", "region");
    box.setAttribute("tabindex", "0");
    var caption = table.caption;
    var name = caption ? caption.textContent.replace(/\s+/g, " ").trim() : "";
    box.setAttribute("aria-label", name || unnamed);
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
  }

  /**
   * The one place markup enters the page: a sanitised fragment from the quiz data, parsed inert
   * in a <template>, filtered again against the build's allowlist (HTML and MathML elements each
   * by their own list, by namespace: the HTML parser puts a <math> and what it holds in MathML's),
   * then moved into `target`. Links open in a new window so the quiz stays in its frame; tables
   * scroll inside their own box (named `tableName` when they have no caption).
   */
  function insertFragment(doc, allow, target, html, tableName) {
    var template = doc.createElement("template");
    template.innerHTML = html;
    var elements = template.content.querySelectorAll("*");
    for (var i = 0; i < elements.length; i++) {
      var element = elements[i];
      var tag = element.localName;
      var math = element.namespaceURI === MATHML_NAMESPACE;
      var rules = math ? allow.mathml : allow.html;
      if ((!math && element.namespaceURI !== HTML_NAMESPACE) || rules.tags.indexOf(tag) < 0) {
        element.parentNode.removeChild(element);
        continue;
      }
      var allowed = math ? rules.attributes : (rules.attributes[tag] || []);
      for (var a = element.attributes.length - 1; a >= 0; a--) {
        var attribute = element.attributes[a];
        // No attribute in a namespace (xmlns, xlink:href): none is on the lists.
        var keep = attribute.namespaceURI === null && allowed.indexOf(attribute.name) >= 0;
        if (keep && (attribute.name === "href" || attribute.name === "src")) {
          keep = !math && allowedReference(tag, attribute.name, attribute.value, allow);
        }
        if (!keep) {
          element.removeAttributeNode(attribute);
        }
      }
      if (tag === "a" && element.hasAttribute("href")) {
        element.setAttribute("target", "_blank");
        element.setAttribute("rel", "noopener noreferrer");
      }
    }
    var tables = template.content.querySelectorAll("table");
    for (var t = 0; t < tables.length; t++) {
      boxTable(doc, tables[t], tableName);
    }
    while (target.firstChild) {
      target.removeChild(target.firstChild);
    }
    target.appendChild(template.content);
  }

  /** Whether `value` is a colour the theme may set: #rrggbb (the build checked its contrast). */
  var ACCENT = /^#[0-9a-fA-F]{6}$/;

  /** The organisation's colour (buttons, progress, focus: one custom property, set through the
   *  CSSOM, which the page's style-src allows) and logo (a file of the package only), put first
   *  in `header`. */
  function applyTheme(doc, theme, prefix, header) {
    theme = theme || {};
    if (typeof theme.accent === "string" && ACCENT.test(theme.accent)) {
      doc.documentElement.style.setProperty("--accent", theme.accent);
    }
    if (typeof theme.logo === "string" && packagedFile(theme.logo, prefix)) {
      var logo = doc.createElement("img");
      logo.id = "logo";
      logo.className = "logo";
      logo.src = theme.logo;
      logo.alt = typeof theme.logoAlt === "string" ? theme.logoAlt : "";
      header.insertBefore(logo, header.firstChild);
    }
  }

  return {
    round7: round7,
    MASK_DIGITS: MASK_DIGITS,
    encodeMask: encodeMask,
    decodeMask: decodeMask,
    decimal: decimal,
    clearNode: clearNode,
    wordsFor: wordsFor,
    pad: pad,
    timespan12: timespan12,
    duration2004: duration2004,
    time12: time12,
    timestamp2004: timestamp2004,
    RUNTIMES: RUNTIMES,
    extended: extended,
    findApi: findApi,
    discoverApi: discoverApi,
    Lms: Lms,
    connect: connect,
    allowedUrl: allowedUrl,
    packagedFile: packagedFile,
    allowedReference: allowedReference,
    insertFragment: insertFragment,
    applyTheme: applyTheme
  };
}));
