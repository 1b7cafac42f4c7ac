/*
 * lmspack preview: reload the page when the quiz is rebuilt (the build /status names differs
 * from the one this page was made from), say so when the preview has stopped, and in the author
 * view show what the LMS records (api.js) and start the player's attempt again on request.
 * Everything shown is set as text: nothing here makes markup.
 */
(function (win) {
  "use strict";

  var doc = win.document;
  var PAGE_BUILD = doc.body.getAttribute("data-build");
  var EVERY = 500;
  var AFTER_LOSS = 2000;

  function $(id) {
    return doc.getElementById(id);
  }

  function element(tag, text) {
    var node = doc.createElement(tag);
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  // -- live reload --

  function connection(message) {
    var line = $("connection");
    line.textContent = message || "";
    line.hidden = !message;
  }

  function watch() {
    win.fetch("/status", {cache: "no-store"}).then(function (response) {
      if (!response.ok) {
        throw new Error("status " + response.status);
      }
      return response.json();
    }).then(function (status) {
      if (status.build !== PAGE_BUILD) {
        win.location.reload();
        return;
      }
      connection("");
      win.setTimeout(watch, EVERY);
    }).catch(function () {
      connection("The preview has stopped (lmspack preview is not running); this page reloads when it is back.");
      win.setTimeout(watch, AFTER_LOSS);
    });
  }

  win.setTimeout(watch, EVERY);

  // -- what the LMS records (author view) --

  var SUMMARY = [
    ["completion", "cmi.completion_status"],
    ["success", "cmi.success_status"],
    ["score (raw, 0 to 100)", "cmi.score.raw"],
    ["score (scaled)", "cmi.score.scaled"],
    ["progress", "cmi.progress_measure"],
    ["location (question)", "cmi.location"],
    ["entry", "cmi.entry"],
    ["exit", "cmi.exit"],
    ["session time", "cmi.session_time"]
  ];
  var COLUMNS = ["id", "type", "learner_response", "correct_responses.0.pattern", "result"];

  function showRecord() {
    var lms = win.lmspackPreview;
    var summary = $("record-summary");
    if (!summary || !lms) {
      return;
    }
    var record = lms.record();
    var cmi = record.cmi;
    $("record-state").textContent = record.phase === "idle" ? "Nothing yet." :
      record.phase === "running" ? "The player is running (Initialize)." :
      "The player has ended its session (Terminate).";
    while (summary.firstChild) {
      summary.removeChild(summary.firstChild);
    }
    SUMMARY.forEach(function (row) {
      if (row[1] in cmi) {
        summary.appendChild(element("dt", row[0]));
        var value = element("dd", cmi[row[1]]);
        value.setAttribute("data-element", row[1]);
        summary.appendChild(value);
      }
    });
    var table = $("record-interactions");
    var body = table.tBodies[0];
    while (body.firstChild) {
      body.removeChild(body.firstChild);
    }
    var count = parseInt(cmi["cmi.interactions._count"] || "0", 10);
    for (var n = 0; n < count; n++) {
      var row = element("tr");
      row.appendChild(element("td", String(n)));
      COLUMNS.forEach(function (name) {
        var value = cmi["cmi.interactions." + n + "." + name];
        row.appendChild(element("td", value === undefined ? "" : value));
      });
      body.appendChild(row);
    }
    table.hidden = count === 0;
    $("record-suspend").textContent = cmi["cmi.suspend_data"] || "";
  }

  win.addEventListener("lmspack-preview-cmi", showRecord);
  showRecord();

  var restart = $("restart");
  if (restart) {
    restart.addEventListener("click", function () {
      win.lmspackPreview.startAgain();
      $("sco").contentWindow.location.reload();
    });
  }
}(window));
