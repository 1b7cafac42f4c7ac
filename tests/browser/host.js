// A minimal LMS page for tests/test_player_browser.py: scorm-again provides the run-time API in
// this window, the SCO runs in the iframe and finds the API through window.parent. The test sets
// window.LMS_SETUP before this script runs: {edition, launch, cmi (data loaded before launch)}.
(function () {
  "use strict";
  var setup = window.LMS_SETUP;
  var twelve = setup.edition === "scorm12";
  window.LMS_CALLS = [];
  window.LMS_COMMITS = [];
  var settings = {
    logLevel: 5,
    autocommit: false,
    lmsCommitUrl: "/commit",
    dataCommitFormat: "json",
    requestHandler: function (commit) {
      window.LMS_COMMITS.push(JSON.parse(JSON.stringify(commit)));
      return commit;
    }
  };
  var api = twelve ? new Scorm12API(settings) : new Scorm2004API(settings);
  if (setup.cmi) {
    api.loadFromJSON(setup.cmi);
  }
  var counted = twelve ? ["LMSInitialize", "LMSFinish", "LMSCommit"] : ["Initialize", "Terminate", "Commit"];
  counted.forEach(function (name) {
    var original = api[name];
    api[name] = function () {
      window.LMS_CALLS.push(name);
      return original.apply(api, arguments);
    };
  });
  window.LMS_CMI = function () {
    return JSON.parse(JSON.stringify(api.renderCMIToJSONObject()));
  };
  window[twelve ? "API" : "API_1484_11"] = api;
  window.addEventListener("DOMContentLoaded", function () {
    document.getElementById("sco").src = setup.launch;
  });
}());
