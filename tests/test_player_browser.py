"""The SCORM player in real headless Chromium, with scorm-again as the LMS run-time.

Each package is unzipped and served on 127.0.0.1 beside a host page (tests/browser/host.html) in
which scorm-again provides window.API / window.API_1484_11 and the SCO runs in an iframe, as in
Moodle. Commits go to the same server, so what the LMS received is what the tests assert.

Runs in CI (CI=true): a missing browser, Playwright or scorm-again is then a failure, not a skip.
Screenshots for the README: LMSPACK_UPDATE_SCREENSHOTS=1 pytest tests/test_player_browser.py
Accessibility: axe-core (tests/browser/package.json) runs its WCAG 2.1 A and AA rules on every screen
of the player in English, Spanish and Arabic.
"""

from __future__ import annotations

import dataclasses
import functools
import http.server
import io
import json
import os
import re
import shutil
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from builder import catalogues, markup, scoring
from builder.formats.scorm import build_scorm12, build_scorm2004
from builder.model import MEDIA_REFERENCE, MatchingInteraction, NumericInteraction, Quiz

from conftest import require_tool
from projects import choice_quiz, with_interaction

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
BROWSER_DIR = Path(__file__).resolve().parent / "browser"
SCORM_AGAIN = BROWSER_DIR / "node_modules" / "scorm-again" / "dist"
AXE = BROWSER_DIR / "node_modules" / "axe-core" / "axe.min.js"
UPDATE_SCREENSHOTS = os.environ.get("LMSPACK_UPDATE_SCREENSHOTS") == "1"
BUILDERS = {"scorm12": build_scorm12, "scorm2004": build_scorm2004}


@pytest.fixture(scope="session")
def choice_handoff(warm_handoff: Quiz) -> Quiz:
    """The bundled quiz's choice items, which these tests answer by their choices (typed answers
    have test_typed_answers_feedback_resume_and_report)."""
    return choice_quiz(warm_handoff)


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files, and POST /commit recording what scorm-again sends (the LMS's store)."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        self.server.commits.append(json.loads(body or b"null"))  # type: ignore[attr-defined]
        reply = b'{"result": true, "errorCode": 0}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclasses.dataclass
class Site:
    root: Path
    url: str
    server: http.server.ThreadingHTTPServer

    def add_package(self, name: str, data: bytes) -> str:
        """Unzip a package under the site; returns its launch URL path."""
        target = self.root / name
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            archive.extractall(target)
        return f"{name}/index.html"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    require_tool(SCORM_AGAIN.is_dir(), f"scorm-again is not installed in {BROWSER_DIR} (run npm ci there)")
    root = tmp_path_factory.mktemp("site")
    (root / "lms").mkdir()
    for name in ("scorm12.min.js", "scorm2004.min.js"):
        shutil.copy(SCORM_AGAIN / name, root / "lms" / name)
    for name in ("host.html", "host.js"):
        shutil.copy(BROWSER_DIR / name, root / name)
    if AXE.is_file():  # served beside the packages, so the launch page's script-src 'self' lets it in
        shutil.copy(AXE, root / "axe.min.js")
    handler = functools.partial(_Handler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.commits = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Site(root, f"http://127.0.0.1:{server.server_address[1]}", server)
    server.shutdown()
    server.server_close()


SHOWN = "#start-button:visible, #question-heading:visible, #results:visible"
"""What the player shows once it has started: the start screen, a question or the result."""


def started(frame, start: bool) -> None:
    """Wait for the player to show something; on the start screen of a new attempt, press Start
    when ``start`` (then the first question shows)."""
    frame.locator(SHOWN).first.wait_for()
    if start and frame.locator("#start-button").is_visible():
        frame.locator("#start-button").click()
        frame.locator("#question-heading").wait_for()


def open_lms(browser, site: Site, edition: str, launch: str, cmi: dict | None = None, width: int = 1280,
             watch: Callable[[object], None] | None = None, start: bool = True):
    """A new page with the test LMS around the SCO; returns (page, SCO frame, console lines), on
    the first question of a new attempt (Start pressed: unless ``start`` is False) or where a
    resumed one was. ``watch(page)`` runs before the page loads anything (to record its requests)."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    if watch is not None:
        watch(page)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    setup = {"edition": edition, "launch": launch, "cmi": cmi}
    page.add_init_script(f"window.LMS_SETUP = {json.dumps(setup)};")
    page.goto(f"{site.url}/host.html")
    frame = page.frame_locator("#sco")
    started(frame, start)
    return page, frame, console


def open_preview(browser, site: Site, launch: str, width: int | None = None, start: bool = True):
    """A new page with the SCO alone (no LMS: a preview), at a desktop or phone size when given
    a width, on its first question (Start pressed), or on its start screen (``start`` False)."""
    viewport = {"width": width, "height": 900 if width > 600 else 844} if width else None
    page = browser.new_page(viewport=viewport) if viewport else browser.new_page()
    page.goto(f"{site.url}/{launch}")
    started(page, start)
    return page


def lms_start_data(edition: str, quiz: Quiz) -> dict:
    """What the LMS gives a new learner: ids, and the pass mark it read from the manifest."""
    if edition == "scorm12":
        return {"core": {"student_id": "learner-1", "student_name": "Learner, Test", "entry": "ab-initio"},
                "student_data": {"mastery_score": scoring.format_number(quiz.settings.pass_mark)}}
    return {"learner_id": "learner-1", "learner_name": "Learner, Test", "entry": "ab-initio",
            "scaled_passing_score": scoring.format_number(quiz.settings.pass_mark / 100)}


def resume_data(edition: str, stored: dict) -> dict:
    """The stored CMI data an LMS loads for the next session of a suspended attempt."""
    cmi = json.loads(json.dumps(stored["cmi"]))
    if edition == "scorm12":
        cmi["core"]["entry"] = "resume"
        for key in ("exit", "session_time"):
            cmi["core"].pop(key, None)
    else:
        cmi["entry"] = "resume"
        for key in ("exit", "session_time"):
            cmi.pop(key, None)
    return cmi


def item_by_title(quiz: Quiz, title: str):
    return next(item for item in quiz.items if item.title == title)


def answer(frame, quiz: Quiz, right: bool, hint: bool = False) -> str:
    """Answer the question on screen: the correct choices, or one wrong choice. Returns its id."""
    title = frame.locator("#legend").inner_text()
    item = item_by_title(quiz, title)
    if hint:
        frame.locator("#hint-button").click()
        expected = markup.plain_text(item.hints[0])
        assert frame.locator("#hint-list li").first.inner_text().strip() == expected
    choices = item.interaction.correct_choices if right else [c for c in item.interaction.choices if not c.correct][:1]
    for choice in choices:
        frame.get_by_label(markup.plain_text(choice.text), exact=True).check()
    frame.locator("#submit-button").click()
    frame.locator("#next-button").wait_for()
    return item.id


def finish_attempt(frame, quiz: Quiz, right: bool, hint_on_first: bool = False) -> list[str]:
    answered = []
    for n in range(len(quiz.items)):
        answered.append(answer(frame, quiz, right, hint=hint_on_first and n == 0))
        frame.locator("#next-button").click()
    frame.locator("#results").wait_for()
    return answered


def cmi_of(page) -> dict:
    return page.evaluate("window.LMS_CMI()")["cmi"]


def calls_of(page) -> list[str]:
    return page.evaluate("window.LMS_CALLS")


def interactions(edition: str, cmi: dict) -> list[dict]:
    listed = cmi["interactions"]
    if isinstance(listed, dict):
        listed = [listed[k] for k in sorted(listed, key=int) if k.isdigit()]
    return listed


def core(edition: str, cmi: dict) -> dict:
    """score, status, exit and friends under one set of names for both editions."""
    if edition == "scorm12":
        c = cmi["core"]
        return {"raw": c["score"]["raw"], "min": c["score"]["min"], "max": c["score"]["max"],
                "status": c["lesson_status"], "location": c["lesson_location"]}
    return {"raw": cmi["score"]["raw"], "min": cmi["score"]["min"], "max": cmi["score"]["max"],
            "scaled": cmi["score"]["scaled"], "status": cmi["completion_status"],
            "success": cmi["success_status"], "location": cmi["location"]}


def correct_pattern(edition: str, item) -> str:
    codes = [str(n) for n, c in enumerate(item.interaction.choices) if c.correct]
    if edition == "scorm12":
        return ",".join("abcdefghijklmnopqrstuvwxyz"[int(n)] for n in codes)
    return "[,]".join(item.interaction.choices[int(n)].identifier.replace("-", "_") for n in codes)


@pytest.mark.parametrize("edition", ["scorm12", "scorm2004"])
def test_wrong_then_right_reports_to_the_lms(edition, site, browser, choice_handoff):
    launch = site.add_package(f"{edition}-a", BUILDERS[edition](choice_handoff).data)
    page, frame, console = open_lms(browser, site, edition, launch, lms_start_data(edition, choice_handoff))

    first = finish_attempt(frame, choice_handoff, right=False)
    assert "You did not pass" in frame.locator("#verdict").inner_text()
    # after_submit: the review shows each chosen choice's feedback and the explanation
    review = frame.locator("#review").inner_text()
    wrong_one = next(c for c in choice_handoff.items[0].interaction.choices if not c.correct)
    assert markup.plain_text(wrong_one.feedback) in review
    assert "Explanation" in review
    failed = core(edition, cmi_of(page))
    assert failed["raw"] in ("0", 0) and failed["min"] in ("0", 0) and failed["max"] in ("100", 100)
    if edition == "scorm12":
        assert failed["status"] == "failed"
    else:
        assert (failed["status"], failed["success"]) == ("completed", "failed")
    assert calls_of(page).count("LMSFinish" if edition == "scorm12" else "Terminate") == 0

    frame.locator("#retry-button").click()
    second = finish_attempt(frame, choice_handoff, right=True, hint_on_first=True)
    assert frame.locator("#verdict").inner_text() == "You passed."
    page.wait_for_function("window.LMS_CALLS.indexOf('%s') >= 0" % ("LMSFinish" if edition == "scorm12"
                                                                       else "Terminate"))
    cmi = cmi_of(page)
    done = core(edition, cmi)
    assert float(done["raw"]) == 100 and done["location"] == "3"
    if edition == "scorm12":
        assert done["status"] == "passed"
    else:
        assert (done["status"], done["success"], float(done["scaled"])) == ("completed", "passed", 1.0)

    records = interactions(edition, cmi)
    assert [r["id"] for r in records] == first + second
    wrong, right = ("wrong", "correct") if edition == "scorm12" else ("incorrect", "correct")
    assert [r["result"] for r in records] == [wrong] * 3 + [right] * 3
    by_id = {item.id: item for item in choice_handoff.items}
    response = "student_response" if edition == "scorm12" else "learner_response"
    for record in records:
        item = by_id[record["id"]]
        assert record["type"] == "choice"
        patterns = record["correct_responses"]
        patterns = patterns if isinstance(patterns, list) else [patterns[k] for k in sorted(patterns)
                                                                  if k.isdigit()]
        assert patterns[0]["pattern"] == correct_pattern(edition, item)
        if record["result"] == "correct":
            assert record[response] == correct_pattern(edition, item)
        stamp = record["time"] if edition == "scorm12" else record["timestamp"]
        assert stamp and record["latency"]

    calls = calls_of(page)
    initialize, finish, commit = (("LMSInitialize", "LMSFinish", "LMSCommit") if edition == "scorm12"
                                  else ("Initialize", "Terminate", "Commit"))
    assert calls.count(initialize) == 1 and calls.count(finish) == 1
    assert calls.count(commit) >= 6  # after each of the six answers
    # Leaving after the finish does not terminate a second time.
    page.evaluate("document.getElementById('sco').src = 'about:blank'")
    page.wait_for_timeout(100)
    assert calls_of(page).count(finish) == 1
    # The final commit carried the passing result to the LMS store.
    final = page.evaluate("window.LMS_COMMITS")[-1]
    final_cmi = final["runtimeData"]["cmi"] if "runtimeData" in final else final["cmi"]
    assert float(core(edition, final_cmi)["raw"]) == 100
    assert not [line for line in console if line.startswith("lmspack:")], console
    page.close()


@pytest.mark.parametrize("edition", ["scorm12", "scorm2004"])
def test_leave_mid_quiz_and_resume(edition, site, browser, choice_handoff):
    launch = site.add_package(f"{edition}-b", BUILDERS[edition](choice_handoff).data)
    page, frame, console = open_lms(browser, site, edition, launch, lms_start_data(edition, choice_handoff))
    answer(frame, choice_handoff, right=True)
    frame.locator("#next-button").click()
    second_title = frame.locator("#legend").inner_text()
    frame.locator("#hint-button").click()
    page.evaluate("document.getElementById('sco').src = 'about:blank'")  # the learner leaves
    finish = "LMSFinish" if edition == "scorm12" else "Terminate"
    page.wait_for_function(f"window.LMS_CALLS.indexOf('{finish}') >= 0")
    stored = page.evaluate("window.LMS_CMI()")
    cmi = stored["cmi"]
    exit_value = cmi["core"]["exit"] if edition == "scorm12" else cmi["exit"]
    assert exit_value == "suspend"
    assert cmi["suspend_data"].startswith("2;1;") and ";1;q;" in cmi["suspend_data"]
    assert core(edition, cmi)["status"] == "incomplete"
    assert core(edition, cmi)["raw"] in ("", None)
    assert len(interactions(edition, cmi)) == 1
    session = cmi["core"]["session_time"] if edition == "scorm12" else cmi["session_time"]
    assert session.startswith("00:") if edition == "scorm12" else session.startswith("PT")
    assert calls_of(page).count(finish) == 1
    page.close()

    page, frame, console = open_lms(browser, site, edition, launch, resume_data(edition, stored), start=False)
    assert frame.locator("#start").is_hidden()  # a resumed attempt goes straight back
    assert frame.locator("#question-heading").text_content() == "Question 2 of 3"
    assert frame.locator("#legend").inner_text() == second_title
    assert frame.locator("#hint-list li").count() == 1  # the hint shown before leaving
    for _ in range(2):
        answer(frame, choice_handoff, right=True)
        frame.locator("#next-button").click()
    frame.locator("#results").wait_for()
    assert frame.locator("#verdict").inner_text() == "You passed."
    page.wait_for_function(f"window.LMS_CALLS.indexOf('{finish}') >= 0")
    cmi = cmi_of(page)
    assert float(core(edition, cmi)["raw"]) == 100
    assert len(interactions(edition, cmi)) == 3
    assert cmi["suspend_data"].startswith("2;1;") and ";r;" in cmi["suspend_data"]
    assert not [line for line in console if line.startswith("lmspack:")], console
    page.close()


def hostile_quiz(quiz: Quiz, prompt: Markup) -> Quiz:
    item = dataclasses.replace(quiz.items[0], prompt=prompt)
    settings = dataclasses.replace(quiz.settings, feedback="immediately", shuffle_choices=False)
    return dataclasses.replace(quiz, items=(item,), settings=settings)


HOSTILE = ('Pick one. <script>window.pwned = "script"</script>'
           '<img src="x" onerror="window.pwned = \'onerror\'">'
           '<a href="javascript:window.pwned = \'link\'">click me</a>'
           '<a href=" JaVaScRiPt:window.pwned = \'link2\'">or me</a>'
           # A no-break space is no space to a URL parser: relative to a browser, refused by the rule.
           '<a href="&nbsp;javascript:window.pwned = \'nbsp\'">or this</a>'
           '<a href="java&#9;script:window.pwned = \'tab\'">or that</a>'
           '<a href="#question-heading">a place on the page</a>')


@pytest.mark.parametrize("source", ["sanitised", "raw"])
def test_hostile_item_runs_no_script(source, site, browser, choice_handoff):
    """Through the sanitiser (as the loader does), and raw (the player's own allowlist and the
    page's Content-Security-Policy are the second and third lines)."""
    if source == "sanitised":
        prompt, _ = markup.block(HOSTILE)
    else:
        prompt = Markup(f"<p>{HOSTILE}</p>")
    quiz = hostile_quiz(choice_handoff, prompt)
    launch = site.add_package(f"hostile-{source}", build_scorm12(quiz).data)
    page = open_preview(browser, site, launch)
    assert "Preview" in page.locator("#notice").inner_text()
    for link in page.locator("#prompt a").all():
        link.click()
    page.wait_for_timeout(200)
    assert page.evaluate("window.pwned") is None
    assert page.locator("#prompt script").count() == 0
    assert page.evaluate("document.querySelectorAll('#prompt [onerror], #prompt [href^=\"javascript\" i]')"
                         ".length") == 0
    assert "Pick one." in page.locator("#prompt").inner_text()
    # The player keeps what the build's rule keeps (builder.markup.url_allowed): here '#place' only.
    assert page.evaluate("Array.from(document.querySelectorAll('#prompt a[href]'), a => a.getAttribute('href'))") \
        == ["#question-heading"]
    page.close()


@pytest.mark.parametrize("timing", ["immediately", "after_submit", "never"])
def test_feedback_timing(timing, site, browser, choice_handoff):
    """immediately: verdict, chosen choice's feedback and explanation after each answer;
    after_submit: all of it in the result's review; never: the score only."""
    quiz = with_feedback(choice_handoff, timing)
    launch = site.add_package(f"feedback-{timing}", build_scorm2004(quiz).data)
    page = open_preview(browser, site, launch)
    item = item_by_title(quiz, page.locator("#legend").inner_text())
    wrong = next(c for c in item.interaction.choices if not c.correct)
    page.get_by_label(markup.plain_text(wrong.text), exact=True).check()
    page.locator("#submit-button").click()
    shown = page.locator("#feedback").inner_text()
    feedback = markup.plain_text(wrong.feedback)
    explanation = markup.plain_text(item.explanation).split(". ")[0]
    if timing == "immediately":
        assert "Not correct" in shown and feedback in shown and explanation in shown
    else:
        assert "Answer saved" in shown and feedback not in shown and "Not correct" not in shown
    for _ in range(len(quiz.items) - 1):
        page.locator("#next-button").click()
        page.locator("#submit-button").click()  # nothing chosen: asks for an answer
        assert "Choose" in page.locator("#feedback").inner_text()
        answer(page, quiz, right=True)
    page.locator("#next-button").click()
    review = page.locator("#results").inner_text()
    assert "You scored" in review
    assert (feedback in review and explanation in review) == (timing != "never")
    page.close()


def test_time_limit_ends_the_attempt_and_attempts_run_out(site, browser, choice_handoff):
    quiz = dataclasses.replace(choice_handoff, settings=dataclasses.replace(
        choice_handoff.settings, time_limit=2, attempts=1))
    launch = site.add_package("timed", build_scorm12(quiz).data)
    page, frame, console = open_lms(browser, site, "scorm12", launch, lms_start_data("scorm12", quiz))
    assert frame.locator("#timer").is_visible()
    answer(frame, quiz, right=True)
    frame.locator("#results").wait_for(timeout=5000)
    assert "Time is up" in frame.locator("#announcer").inner_text()
    assert "No attempts left" in frame.locator("#attempt-line").inner_text()
    assert frame.locator("#retry-button").is_hidden()
    page.wait_for_function("window.LMS_CALLS.indexOf('LMSFinish') >= 0")
    cmi = cmi_of(page)
    assert cmi["core"]["lesson_status"] == "failed"  # 1 of 5 points: under the pass mark
    assert float(cmi["core"]["score"]["raw"]) == 20
    assert len(interactions("scorm12", cmi)) == 1
    assert not [line for line in console if line.startswith("lmspack:")], console
    page.close()


def with_feedback(quiz: Quiz, timing: str) -> Quiz:
    return dataclasses.replace(quiz, settings=dataclasses.replace(quiz.settings, feedback=timing))


def test_preview_and_phone_layout(site, browser, choice_handoff, tmp_path):
    """No LMS: the page says results are not recorded. At 390 px nothing scrolls sideways.
    With LMSPACK_UPDATE_SCREENSHOTS=1 the screenshots go to docs/ for the README."""
    launch = site.add_package("preview", build_scorm2004(choice_handoff).data)
    out = ROOT / "docs" if UPDATE_SCREENSHOTS else tmp_path
    for name, width in (("desktop", 1280), ("phone", 390)):
        page = open_preview(browser, site, launch, width)
        assert "not recorded" in page.locator("#notice").inner_text()
        page.locator("#hint-button").click()
        item = item_by_title(choice_handoff, page.locator("#legend").inner_text())
        page.get_by_label(markup.plain_text(item.interaction.correct_choices[0].text), exact=True).check()
        page.locator("#hint-button").focus()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(out / f"player-{name}.png"), full_page=True)
        page.close()


# ---- resume state versions ----------------------------------------------------------------------

UPDATED_NOTICE = "This quiz was updated since your last visit; it starts again."


def with_state(edition: str, quiz: Quiz, suspend_data: str) -> dict:
    """What the LMS loads for a learner coming back with `suspend_data` saved."""
    cmi = lms_start_data(edition, quiz)
    if edition == "scorm12":
        cmi["core"]["entry"] = "resume"
    else:
        cmi["entry"] = "resume"
    cmi["suspend_data"] = suspend_data
    return cmi


@pytest.mark.parametrize("edition", ["scorm12", "scorm2004"])
def test_resume_of_this_version_restores_a_submitted_answer(edition, site, browser, choice_handoff):
    """Left right after submitting the first answer: back on the same question, the answer chosen
    and locked, no notice, and the answer counts in the result."""
    quiz = with_feedback(choice_handoff, "immediately")
    launch = site.add_package(f"{edition}-version-same", BUILDERS[edition](quiz).data)
    page, frame, console = open_lms(browser, site, edition, launch, lms_start_data(edition, quiz))
    first_title = frame.locator("#legend").inner_text()
    item = item_by_title(quiz, first_title)
    answer(frame, quiz, right=True)
    page.evaluate("document.getElementById('sco').src = 'about:blank'")
    finish = "LMSFinish" if edition == "scorm12" else "Terminate"
    page.wait_for_function(f"window.LMS_CALLS.indexOf('{finish}') >= 0")
    stored = page.evaluate("window.LMS_CMI()")
    page.close()

    page, frame, console = open_lms(browser, site, edition, launch, resume_data(edition, stored), start=False)
    assert frame.locator("#notice").is_hidden()
    assert frame.locator("#question-heading").text_content() == "Question 1 of 3"
    assert frame.locator("#legend").inner_text() == first_title
    for choice in item.interaction.choices:
        box = frame.get_by_label(markup.plain_text(choice.text), exact=True)
        assert box.is_checked() == choice.correct and box.is_disabled()
    assert frame.locator("#submit-button").is_hidden()
    assert "Correct" in frame.locator("#feedback").inner_text()
    frame.locator("#next-button").click()
    for _ in range(2):
        answer(frame, quiz, right=False)
        frame.locator("#next-button").click()
    frame.locator("#results").wait_for()
    points = scoring.format_number(item.points)
    assert f"({points} of {scoring.format_number(quiz.max_score)} points)" in \
        frame.locator("#score-line").inner_text()
    assert not [line for line in console if line.startswith("lmspack:")], console
    page.close()


def with_settings_of(quiz: Quiz, **changes: object) -> Quiz:
    return dataclasses.replace(quiz, settings=dataclasses.replace(quiz.settings, **changes))


def assert_started_afresh(page, frame, console, edition: str) -> None:
    """The notice, a log line, the unusable state replaced by a new attempt's, the start screen,
    then question 1 with nothing chosen."""
    assert frame.locator("#notice").inner_text() == UPDATED_NOTICE
    assert frame.locator("#start").is_visible()
    replaced = cmi_of(page)["suspend_data"]
    assert replaced.startswith("2;1;") and ";0;s;" in replaced
    frame.locator("#start-button").click()
    assert frame.locator("#question-heading").text_content() == "Question 1 of 3"
    assert frame.locator("#choices input:checked").count() == 0
    assert frame.locator("#hint-list li").count() == 0
    assert [line for line in console if line.startswith("lmspack: the saved state")], console


@pytest.mark.parametrize("edition", ["scorm12", "scorm2004"])
def test_state_of_another_version_starts_afresh_with_a_notice(edition, site, browser, choice_handoff):
    """A learner who left version 1 mid-quiz comes back to a package whose third item's choices
    were reordered: the saved choices would name other answers, so the quiz starts again."""
    old = with_settings_of(choice_handoff, shuffle_choices=False)
    launch = site.add_package(f"{edition}-version-old", BUILDERS[edition](old).data)
    page, frame, _ = open_lms(browser, site, edition, launch, lms_start_data(edition, old))
    answer(frame, old, right=True)
    frame.locator("#next-button").click()
    page.evaluate("document.getElementById('sco').src = 'about:blank'")
    finish = "LMSFinish" if edition == "scorm12" else "Terminate"
    page.wait_for_function(f"window.LMS_CALLS.indexOf('{finish}') >= 0")
    saved = page.evaluate("window.LMS_CMI()")["cmi"]["suspend_data"]
    page.close()
    assert ";1;q;" in saved and saved.endswith(";0s1")  # on question 2, question 1 answered

    first, second, third = old.items
    reordered = with_interaction(third, choices=third.interaction.choices[::-1])
    new = dataclasses.replace(old, items=(first, second, reordered), version="1.0.1")
    launch = site.add_package(f"{edition}-version-new", BUILDERS[edition](new).data)
    page, frame, console = open_lms(browser, site, edition, launch, with_state(edition, new, saved), start=False)
    assert_started_afresh(page, frame, console, edition)
    finish_attempt(frame, new, right=True)
    assert frame.locator("#verdict").inner_text() == "You passed."
    page.close()


@pytest.mark.parametrize("saved", [
    "1;2;42;1;q;1s1,1n",  # what the player before versions wrote: no version field
    "3;1;0;1;q;abc;1s1",  # a later format
    "%%garbage, not a state;;;",
])
def test_state_of_an_older_player_or_garbage_starts_afresh(saved, site, browser, choice_handoff):
    launch = site.add_package("version-garbage", build_scorm12(choice_handoff).data)
    page, frame, console = open_lms(browser, site, "scorm12", launch, with_state("scorm12", choice_handoff, saved),
                                    start=False)
    assert_started_afresh(page, frame, console, "scorm12")
    assert cmi_of(page)["core"]["lesson_status"] == "incomplete"
    page.close()


def test_an_item_of_an_unknown_kind_stops_the_player_at_load(site, browser, choice_handoff):
    """A package whose data names a kind this player has no handler for (a newer build, a
    hand-edited page) says so and leaves the LMS untouched, instead of showing a question no
    one can answer."""
    launch = site.add_package("unknown-kind", build_scorm12(choice_handoff).data)
    index = site.root / launch
    page_text = index.read_text(encoding="utf-8")
    assert page_text.count('"type": "true_false"') == 1
    index.write_text(page_text.replace('"type": "true_false"', '"type": "hotspot"'), encoding="utf-8")
    page = browser.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(f"window.LMS_SETUP = {json.dumps({'edition': 'scorm12', 'launch': launch, 'cmi': None})};")
    page.goto(f"{site.url}/host.html")
    frame = page.frame_locator("#sco")
    frame.locator("#notice").wait_for()
    assert "cannot be shown" in frame.locator("#notice").inner_text()
    assert frame.locator("#question").is_hidden() and frame.locator("#results").is_hidden()
    item_id = choice_handoff.items[1].id
    assert f'lmspack: item "{item_id}" is of kind "hotspot", which this player cannot show' in console
    assert calls_of(page) == []  # never initialised: nothing recorded for a quiz that cannot run
    page.close()


# ---- typed answers (the kitchen-safety test quiz: an item of every type) ----------------------

def submit_and_wait(frame) -> str:
    frame.locator("#submit-button").click()
    frame.locator("#next-button").wait_for()
    return frame.locator("#feedback").inner_text()


def refused(frame, message: str) -> None:
    """Submitting shows `message` and keeps the question open."""
    frame.locator("#submit-button").click()
    assert message in frame.locator("#feedback").inner_text()
    assert frame.locator("#next-button").is_hidden()


@pytest.mark.parametrize("edition", ["scorm12", "scorm2004"])
def test_typed_answers_feedback_resume_and_report(edition, site, browser, kitchen_safety):
    """A short answer (a hint, nothing typed, partial credit, case), a number (not a number, then one
    in range; the unit beside the box), leaving with a number typed but not submitted and resuming
    onto it, and an essay (the template, the live word count, too few words, then saved for a
    person to grade). The score leaves the essay out; the LMS gets each interaction."""
    quiz = kitchen_safety
    by_id = {item.id: item for item in quiz.items}
    launch = site.add_package(f"{edition}-typed", BUILDERS[edition](quiz).data)
    page, frame, console = open_lms(browser, site, edition, launch, lms_start_data(edition, quiz))
    frame.get_by_label("Point down, held close to your side", exact=True).check()
    submit_and_wait(frame)
    frame.locator("#next-button").click()

    assert frame.locator("#legend").inner_text() == "Raw to ready-to-eat"
    assert "type your answer" in frame.locator("#item-points").inner_text()
    frame.locator("#hint-button").click()
    assert frame.locator("#hint-list li").first.inner_text().strip() == markup.plain_text(
        by_id["cross-contamination"].hints[0])
    refused(frame, "Type an answer first.")
    frame.get_by_label("Your answer", exact=True).fill("  Contamination ")
    shown = submit_and_wait(frame)
    assert "Partly correct. You earned 1 of 2 points." in shown
    assert "Your answer (accepted): Contamination" in shown and "Half right" in shown
    assert frame.get_by_label("Your answer", exact=True).get_attribute("readonly") is not None
    frame.locator("#next-button").click()

    frame.get_by_label("Your answer", exact=True).fill("NA")
    shown = submit_and_wait(frame)
    assert "Not correct. You earned 0 of 1 point." in shown and "Chemical symbols start" in shown
    frame.locator("#next-button").click()

    assert frame.locator("#answer-unit").inner_text() == "°C"
    frame.get_by_label("Your answer", exact=True).fill("warm")
    refused(frame, "Type a number, such as 12, -0.5, or 1.5e3, without the unit.")
    frame.get_by_label("Your answer", exact=True).fill("3")
    assert "Correct. You earned 1 point." in submit_and_wait(frame)
    frame.locator("#next-button").click()

    assert frame.locator("#legend").inner_text() == "Washing hands"
    frame.get_by_label("Your answer", exact=True).fill("2e1")
    frame.locator("#hint-button").click()  # saves what is typed so far with the hint
    page.evaluate("document.getElementById('sco').src = 'about:blank'")  # the learner leaves
    finish = "LMSFinish" if edition == "scorm12" else "Terminate"
    page.wait_for_function(f"window.LMS_CALLS.indexOf('{finish}') >= 0")
    stored = page.evaluate("window.LMS_CMI()")
    page.close()

    page, frame, console = open_lms(browser, site, edition, launch, resume_data(edition, stored), start=False)
    assert frame.locator("#legend").inner_text() == "Washing hands"
    assert frame.get_by_label("Your answer", exact=True).input_value() == "2e1"
    assert frame.locator("#hint-list li").count() == 1
    assert "Correct. You earned 1 point." in submit_and_wait(frame)
    frame.locator("#next-button").click()

    essay = frame.get_by_label("Your answer", exact=True)
    assert essay.input_value() == "First, I would..."
    assert frame.locator("#word-count").inner_text() == "3 words (write 30 to 200)"
    refused(frame, "Write your answer first.")
    essay.fill("First, I would dry the floor.")
    assert frame.locator("#word-count").inner_text() == "6 words (write 30 to 200)"
    refused(frame, "Write at least 30 words; your answer has 6.")
    text = ("First, I would put out a wet-floor sign and dry the floor.\n\n"
            + "Then I would find the leak and write the time, the place and what happened in the log " * 2)
    essay.fill(text)
    shown = submit_and_wait(frame)
    assert "Answer saved. A person grades this question" in shown and "Then I would find the leak" in shown
    frame.locator("#next-button").click()

    frame.locator("#results").wait_for()
    assert frame.locator("#score-line").inner_text() == "You scored 66.66% (4 of 6 points)."
    assert frame.locator("#graded-line").inner_text() == (
        "1 question (4 points) is graded separately by a person and is not in this score.")
    assert "You did not pass" in frame.locator("#verdict").inner_text()
    cmi = cmi_of(page)
    assert float(core(edition, cmi)["raw"]) == 66.66
    records = {r["id"]: r for r in interactions(edition, cmi)}
    response = "student_response" if edition == "scorm12" else "learner_response"
    wrong = "wrong" if edition == "scorm12" else "incorrect"

    def pattern(record: dict) -> str | None:
        patterns = record.get("correct_responses") or {}
        patterns = patterns if isinstance(patterns, list) else [patterns[k] for k in sorted(patterns) if k.isdigit()]
        return patterns[0]["pattern"] if patterns else None

    got = {i: (r["type"], r[response], pattern(r), r["result"]) for i, r in records.items()}
    one_line = " ".join(text.split())
    if edition == "scorm12":
        assert got == {
            "knife-carry": ("choice", "a", "a", "correct"),
            "cross-contamination": ("fill-in", "Contamination", "cross-contamination", wrong),
            "sodium-symbol": ("fill-in", "NA", "Na", wrong),
            "fridge-temperature": ("numeric", "3", None, "correct"),  # a range: no 1.2 pattern
            "hand-washing-seconds": ("numeric", "20", "20", "correct"),
            "near-miss-report": ("fill-in", one_line, None, "neutral")}
    else:
        assert got == {
            "knife-carry": ("choice", "A", "A", "correct"),
            "cross-contamination": ("fill-in", "Contamination", "cross-contamination", wrong),
            "sodium-symbol": ("fill-in", "NA", "{case_matters=true}Na", wrong),
            "fridge-temperature": ("numeric", "3", "1[:]5", "correct"),
            "hand-washing-seconds": ("numeric", "20", "15[:]25", "correct"),
            "near-miss-report": ("long-fill-in", one_line, None, "neutral")}
    assert not [line for line in console if line.startswith("lmspack:")], console
    page.close()


# ---- matching, ordering, fill in the blanks (the kitchen-tasks test quiz) -----------------------

def focused_label(frame) -> str | None:
    return frame.locator(":focus").get_attribute("aria-label")


def step_order(frame) -> list[str]:
    return [text.strip() for text in frame.locator(".order-label").all_inner_texts()]


def sort_steps_by_keyboard(page, frame, right: list[str]) -> None:
    """Put the steps in the right order with the keyboard alone: each step's "Move up" button,
    pressed with Enter; the move is announced and focus stays on the moved step's button."""
    for target, label in enumerate(right):
        at = step_order(frame).index(label)
        if at == target:
            continue
        frame.get_by_label(f"Move up: {label}", exact=True).focus()
        for moves in range(at - target):
            page.keyboard.press("Enter")
            position = at - moves
            assert frame.locator("#order-status").inner_text() == (
                f"\u201c{label}\u201d moved to position {position} of {len(right)}.")
            expected = f"Move down: {label}" if position == 1 else f"Move up: {label}"
            assert focused_label(frame) == expected
    assert step_order(frame) == right


def sort_steps_by_mouse(frame, right: list[str]) -> None:
    for target, label in enumerate(right):
        for _ in range(step_order(frame).index(label) - target):
            frame.get_by_label(f"Move up: {label}", exact=True).click()
    assert step_order(frame) == right


@pytest.mark.parametrize("edition", ["scorm12", "scorm2004"])
def test_matching_ordering_and_blanks(edition, site, browser, kitchen_tasks):
    """Matching by keyboard (a select per left side) and by mouse, refused until every left side
    has a match; ordering by keyboard (move buttons, announced, focus kept) and by mouse; leaving
    mid-ordering after a hint and resuming onto the order; blanks typed and chosen inside the
    prompt's text, a number refused until it is one; feedback, score and the interactions the
    LMS records."""
    quiz = kitchen_tasks
    by_id = {item.id: item for item in quiz.items}
    launch = site.add_package(f"{edition}-parts", BUILDERS[edition](quiz).data)
    page, frame, console = open_lms(browser, site, edition, launch, lms_start_data(edition, quiz))

    assert frame.locator("#legend").inner_text() == "Where food is kept"
    assert "choose a match for each" in frame.locator("#item-points").inner_text()
    refused(frame, "Choose a match first.")
    frame.get_by_label("Raw chicken", exact=True).focus()
    # The options are listed in an order that is not the answer's: down them by keyboard to the
    # bottom shelf of the fridge, option 0.
    listed = [int(value) for value in frame.get_by_label("Raw chicken", exact=True).locator("option").evaluate_all(
        "options => options.map(o => o.value)") if value != ""]
    assert listed != sorted(listed) and listed[0] != 0
    for _ in range(listed.index(0) + 1):
        page.keyboard.press("ArrowDown")
    assert frame.get_by_label("Raw chicken", exact=True).input_value() == "0"
    page.keyboard.press("Tab")
    assert frame.locator(":focus").get_attribute("id") == "match-1"
    refused(frame, "Choose a match for every item; 2 still have none.")
    frame.get_by_label("Frozen peas", exact=True).select_option(label="The windowsill")
    frame.get_by_label("Dry pasta", exact=True).select_option(label="A sealed tub in the cupboard")
    shown = submit_and_wait(frame)
    assert "Partly correct. You earned 2 of 3 points." in shown
    assert "Wrong: Frozen peas \u2192 The windowsill" in shown and "Right: Raw chicken" in shown
    assert frame.get_by_label("Frozen peas", exact=True).is_disabled()
    frame.locator("#next-button").click()

    closing = [markup.plain_text(step) for step in by_id["closing-steps"].interaction.steps]
    assert frame.locator("#legend").inner_text() == "Closing the kitchen"
    assert step_order(frame) != closing and sorted(step_order(frame)) == sorted(closing)
    sort_steps_by_keyboard(page, frame, closing)
    assert "Correct. You earned 4 points." in submit_and_wait(frame)
    assert frame.locator(".order-move").count() == 0  # submitted: the order is fixed
    frame.locator("#next-button").click()

    washing = [markup.plain_text(step) for step in by_id["washing-order"].interaction.steps]
    assert frame.locator("#legend").inner_text() == "Washing up by hand"
    frame.get_by_label(f"Move up: {step_order(frame)[1]}", exact=True).click()
    moved = step_order(frame)
    frame.locator("#hint-button").click()  # saves the order so far with the hint
    page.evaluate("document.getElementById('sco').src = 'about:blank'")  # the learner leaves
    finish = "LMSFinish" if edition == "scorm12" else "Terminate"
    page.wait_for_function(f"window.LMS_CALLS.indexOf('{finish}') >= 0")
    stored = page.evaluate("window.LMS_CMI()")
    page.close()

    page, frame, console = open_lms(browser, site, edition, launch, resume_data(edition, stored), start=False)
    assert frame.locator("#legend").inner_text() == "Washing up by hand"
    assert step_order(frame) == moved
    assert frame.locator("#hint-list li").count() == 1
    sort_steps_by_mouse(frame, washing)
    assert "Correct. You earned 1 point." in submit_and_wait(frame)
    frame.locator("#next-button").click()

    assert frame.locator("#legend").inner_text() == "Cleaning a chopping board"
    assert frame.locator("#prompt .blank-slot").count() == 3  # where the blanks stand in the text
    assert "[[" not in frame.locator("#prompt").inner_text()
    refused(frame, "Fill in the blanks first.")
    frame.get_by_label("Blank 1 of 3", exact=True).focus()
    page.keyboard.type("Sudsy")
    page.keyboard.press("Tab")
    page.keyboard.type("ten")
    page.keyboard.press("Tab")
    assert frame.locator(":focus").get_attribute("aria-label") == "Blank 3 of 3"
    refused(frame, "Fill in every blank; 1 is empty.")
    frame.get_by_label("Blank 3 of 3", exact=True).focus()
    page.keyboard.press("ArrowDown")  # red
    refused(frame, "Blank 2 of 3: type a number, such as 12, -0.5, or 1.5e3.")
    frame.get_by_label("Blank 2 of 3", exact=True).fill("15")
    shown = submit_and_wait(frame)
    assert "Correct. You earned 3 points." in shown and "Blank 3 of 3 (right): red" in shown
    assert frame.get_by_label("Blank 1 of 3", exact=True).get_attribute("readonly") is not None
    frame.locator("#next-button").click()

    frame.get_by_label("Blank 1 of 2", exact=True).select_option(label="pan")
    frame.get_by_label("Blank 2 of 2", exact=True).select_option(label="a lid")
    shown = submit_and_wait(frame)
    assert "Partly correct. You earned 0.5 of 1 point." in shown
    assert "Blank 2 of 2 (wrong): a lid" in shown
    frame.locator("#next-button").click()

    frame.locator("#results").wait_for()
    assert frame.locator("#score-line").inner_text() == "You scored 87.5% (10.5 of 12 points)."
    review = frame.locator(".review-item").nth(3).locator(".prompt").inner_text()
    assert "hot, (1) Sudsy water" in review and "at least (2) 15 minutes" in review and "[[" not in review
    cmi = cmi_of(page)
    assert float(core(edition, cmi)["raw"]) == 87.5
    response = "student_response" if edition == "scorm12" else "learner_response"

    def pattern(record: dict) -> str | None:
        patterns = record.get("correct_responses") or {}
        patterns = patterns if isinstance(patterns, list) else [patterns[k] for k in sorted(patterns) if k.isdigit()]
        return patterns[0]["pattern"] if patterns else None

    got = {r["id"]: (r["type"], r[response], pattern(r), r["result"]) for r in interactions(edition, cmi)}
    wrong = "wrong" if edition == "scorm12" else "incorrect"
    if edition == "scorm12":
        assert got == {
            "storage-places": ("matching", "1.a,2.d,3.c", "1.a,2.b,3.c", wrong),
            "closing-steps": ("sequencing", "a,b,c,d", "a,b,c,d", "correct"),
            "washing-order": ("sequencing", "a,b,c,d", "a,b,c,d", "correct"),
            "cleaning-blanks-soapy": ("fill-in", "Sudsy", "soapy", "correct"),
            "cleaning-blanks-minutes": ("numeric", "15", None, "correct"),  # a range: no 1.2 pattern
            "cleaning-blanks-colour": ("choice", "a", "a", "correct"),
            "choice-blanks-fire": ("choice", "a", "a", "correct"),
            "choice-blanks-water": ("choice", "c", "a", wrong)}
    else:
        assert got == {
            "storage-places": ("matching", "L1[.]R1[,]L2[.]R4[,]L3[.]R3", "L1[.]R1[,]L2[.]R2[,]L3[.]R3", wrong),
            "closing-steps": ("sequencing", "S1[,]S2[,]S3[,]S4", "S1[,]S2[,]S3[,]S4", "correct"),
            "washing-order": ("sequencing", "S1[,]S2[,]S3[,]S4", "S1[,]S2[,]S3[,]S4", "correct"),
            "cleaning-blanks-soapy": ("fill-in", "Sudsy", "soapy", "correct"),
            "cleaning-blanks-minutes": ("numeric", "15", "10[:]30", "correct"),
            "cleaning-blanks-colour": ("choice", "o1", "o1", "correct"),
            "choice-blanks-fire": ("choice", "o1", "o1", "correct"),
            "choice-blanks-water": ("choice", "o3", "o1", wrong)}
    weights = {r["id"]: float(r["weighting"]) for r in interactions(edition, cmi)}
    assert weights["cleaning-blanks-soapy"] == 1 and weights["choice-blanks-water"] == 0.5
    assert not [line for line in console if line.startswith("lmspack:")], console
    page.close()


def test_matching_ordering_and_blanks_at_phone_width(site, browser, kitchen_tasks):
    """At 390 pixels nothing of the new controls is wider than the screen."""
    launch = site.add_package("phone-parts", build_scorm2004(kitchen_tasks).data)
    page, frame, _ = open_lms(browser, site, "scorm2004", launch, lms_start_data("scorm2004", kitchen_tasks),
                              width=390)
    overflow = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    for n in range(len(kitchen_tasks.items)):
        assert frame.locator("body").evaluate(f"() => {overflow}") <= 0, n
        selects = frame.locator("select")
        for s in range(selects.count()):
            selects.nth(s).select_option(index=1)
        inputs = frame.locator(".blank-input")
        for s in range(inputs.count()):
            inputs.nth(s).fill("15")
        submit_and_wait(frame)
        assert frame.locator("body").evaluate(f"() => {overflow}") <= 0, n
        frame.locator("#next-button").click()
    frame.locator("#results").wait_for()
    page.close()


def leave_and_resume(page, browser, site, edition: str, launch: str):
    page.evaluate("document.getElementById('sco').src = 'about:blank'")  # the learner leaves
    finish = "LMSFinish" if edition == "scorm12" else "Terminate"
    page.wait_for_function(f"window.LMS_CALLS.indexOf('{finish}') >= 0")
    stored = page.evaluate("window.LMS_CMI()")
    page.close()
    return open_lms(browser, site, edition, launch, resume_data(edition, stored), start=False)


@pytest.mark.parametrize("edition", ["scorm12", "scorm2004"])
def test_matching_and_blanks_resume(edition, site, browser, kitchen_tasks):
    """A match chosen before a hint is there after resuming; submitted blanks come back in the
    prompt's text, read-only, with their feedback."""
    launch = site.add_package(f"{edition}-parts-resume", BUILDERS[edition](kitchen_tasks).data)
    page, frame, console = open_lms(browser, site, edition, launch, lms_start_data(edition, kitchen_tasks))
    frame.get_by_label("Frozen peas", exact=True).select_option(label="The freezer")
    frame.locator("#hint-button").click()
    page, frame, console = leave_and_resume(page, browser, site, edition, launch)
    assert frame.locator("#legend").inner_text() == "Where food is kept"
    assert frame.get_by_label("Frozen peas", exact=True).input_value() == "1"
    assert frame.get_by_label("Raw chicken", exact=True).input_value() == ""
    assert frame.locator("#hint-list li").count() == 1
    frame.get_by_label("Raw chicken", exact=True).select_option(label="The bottom shelf of the fridge")
    frame.get_by_label("Dry pasta", exact=True).select_option(label="A sealed tub in the cupboard")
    assert "Correct. You earned 3 points." in submit_and_wait(frame)
    for _ in range(2):  # the orderings, as they start
        frame.locator("#next-button").click()
        submit_and_wait(frame)
    frame.locator("#next-button").click()
    frame.get_by_label("Blank 1 of 3", exact=True).fill("sudsy")
    frame.get_by_label("Blank 2 of 3", exact=True).fill("31")
    frame.get_by_label("Blank 3 of 3", exact=True).select_option(label="red")
    assert "Partly correct. You earned 2 of 3 points." in submit_and_wait(frame)
    page, frame, console = leave_and_resume(page, browser, site, edition, launch)
    assert frame.locator("#legend").inner_text() == "Cleaning a chopping board"
    assert [frame.locator(f"#prompt #blank-{n}").input_value() for n in range(3)] == ["sudsy", "31", "0"]
    assert frame.get_by_label("Blank 2 of 3", exact=True).get_attribute("readonly") is not None
    assert frame.get_by_label("Blank 3 of 3", exact=True).is_disabled()
    assert "Blank 2 of 3 (wrong): 31" in frame.locator("#feedback").inner_text()
    assert not [line for line in console if line.startswith("lmspack:")], console
    page.close()


# ---- media, math and tables (the kitchen-media test quiz) ---------------------------------------

MEDIA_LOADED = """() => Array.from(document.querySelectorAll('img')).every(i => i.complete)
    && Array.from(document.querySelectorAll('audio, video')).every(m => m.readyState >= 1 || m.error)"""
MEDIA_SHOWN = """() => ({
    images: Array.from(document.querySelectorAll('img'), i => [i.getAttribute('src'), i.naturalWidth]),
    players: Array.from(document.querySelectorAll('audio, video'),
                        m => [m.getAttribute('src'), m.localName, m.readyState, m.error ? m.error.code : null,
                              m.controls, m.getAttribute('aria-label')])})"""


def sco_frame(page):
    """The SCO's frame itself (a frame locator cannot evaluate script)."""
    return page.locator("#sco").element_handle().content_frame()


def media_shown(frame) -> dict[str, list]:
    """Every image and player on the page once all have loaded (or failed): its src, and
    naturalWidth, or the media element's readyState and error."""
    frame.wait_for_function(MEDIA_LOADED, timeout=10000)
    return frame.evaluate(MEDIA_SHOWN)


class Traffic:
    """Every request the page makes (the LMS page and the SCO in its frame) and every response
    that failed."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.failed: list[tuple[str, int]] = []

    def watch(self, page) -> None:
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("response", lambda response: self.failed.append((response.url, response.status))
                if response.status >= 400 else None)


def answer_right(frame, item) -> None:
    """The right answer to an item of the kitchen-media quiz (choices in the author's order)."""
    interaction = item.interaction
    if isinstance(interaction, NumericInteraction):
        frame.locator(".typed-input").fill(scoring.format_number(interaction.answers[0].value))
    elif isinstance(interaction, MatchingInteraction):
        for n, pair in enumerate(interaction.pairs):
            frame.locator(".match-select").nth(n).select_option(label=markup.plain_text(pair.right))
    else:
        for n, choice in enumerate(interaction.choices):
            if choice.correct:
                frame.locator("#choices input").nth(n).check()


@pytest.mark.parametrize("edition", ["scorm12", "scorm2004"])
def test_media_math_and_tables_come_from_the_package(edition, site, browser, kitchen_media):
    """Every image, sound and film of the quiz loads from the package (images with a width, audio
    and video with their metadata), and nothing is asked of any other place: the only requests
    outside the package are the test LMS's own page, scripts and commits. Formulas are laid out
    as MathML (a fraction stacked, the TeX never shown), tables keep their header cells, caption,
    spans and alignment."""
    quiz = with_settings_of(kitchen_media, feedback="immediately", shuffle_choices=False)
    launch = site.add_package(f"media-{edition}", BUILDERS[edition](quiz).data)
    package = f"{site.url}/{launch.rsplit('/', 1)[0]}/"
    traffic = Traffic()
    page, frame, console = open_lms(browser, site, edition, launch, lms_start_data(edition, quiz),
                                    watch=traffic.watch)
    sco = sco_frame(page)
    by_title = {item.title: item for item in quiz.items}
    images: dict[str, int] = {}
    players: dict[str, list] = {}
    for _ in quiz.items:
        item = by_title[frame.locator("#legend").inner_text()]
        while frame.locator("#hint-button").is_visible():
            frame.locator("#hint-button").click()
        answer_right(frame, item)
        assert "Correct." in submit_and_wait(frame)  # the feedback and the explanation now show
        shown = media_shown(sco)
        images |= dict(shown["images"])
        players |= {player[0]: player[1:] for player in shown["players"]}
        if item.id == "dilution-formula":
            assert_formulas_laid_out(sco)
        if item.id == "temperature-table":
            assert_tables_kept(sco)
        frame.locator("#next-button").click()
    frame.locator("#results").wait_for()
    assert frame.locator("#verdict").inner_text() == "You passed."

    every_file = {MEDIA_REFERENCE + file.href for file in quiz.media}
    assert set(images) | set(players) == every_file
    assert all(width > 0 for width in images.values()), images
    for src, (_, ready, error, controls, label) in players.items():
        assert error is None and ready >= 1, (src, ready, error)  # HAVE_METADATA: it was read
        assert controls and label, src
    assert {kind for kind, *_ in players.values()} == {"audio", "video"}

    lms_files = {f"{site.url}/{name}" for name in ("host.html", "host.js", "lms/scorm12.min.js",
                                                   "lms/scorm2004.min.js", "commit")}
    outside = [url for url in traffic.requests if not url.startswith(package) and url not in lms_files]
    assert outside == []
    requested = {url[len(package):] for url in traffic.requests if url.startswith(package + MEDIA_REFERENCE)}
    assert requested == every_file
    assert traffic.failed == []
    assert not [line for line in console if line.startswith("lmspack:")], console
    page.close()


def assert_formulas_laid_out(frame) -> None:
    """The question's formulas are MathML elements the browser lays out: each with a size, the
    fraction's numerator above its denominator and taller than a letter, its TeX not shown."""
    got = frame.evaluate("""() => {
        const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height, r.bottom]; };
        const prompt = document.getElementById('prompt');
        const fraction = prompt.querySelector('mfrac');
        return {
            maths: Array.from(prompt.querySelectorAll('math'),
                              m => [m.namespaceURI, m.getAttribute('display'), box(m)]),
            fraction: box(fraction), parts: Array.from(fraction.children, box),
            letter: box(prompt.querySelector('mi')),
            annotations: Array.from(document.querySelectorAll('annotation'), a => [a.checkVisibility(), box(a)[3]]),
            text: document.body.innerText};
    }""")
    assert len(got["maths"]) == 4 and {display for _, display, _ in got["maths"]} == {"inline", "block"}
    for namespace, _, (_, _, width, height, _) in got["maths"]:
        assert namespace == "http://www.w3.org/1998/Math/MathML" and width > 0 and height > 0
    numerator, denominator = got["parts"]
    assert numerator[4] <= denominator[1] + 1  # stacked, not side by side
    assert got["fraction"][3] > 1.5 * got["letter"][3]
    assert got["annotations"] and all(not visible and height == 0 for visible, height in got["annotations"])
    assert "\\frac" not in got["text"] and "\\geq" not in got["text"] and "\\text" not in got["text"]


def assert_tables_kept(frame) -> None:
    """The pipe table with its header cells and alignment; after submitting, the pasted table of
    the explanation with its caption (the name of its scrolling box), row headers and a span."""
    got = frame.evaluate("""() => {
        const align = c => getComputedStyle(c).textAlign;
        const [question, explanation] = Array.from(document.querySelectorAll('#question .table-scroll'));
        const cells = question.querySelectorAll('tbody tr:first-child td');
        return {
            boxes: [question, explanation].map(b => [b.getAttribute('role'), b.getAttribute('aria-label'), b.tabIndex]),
            heads: Array.from(question.querySelectorAll('thead th'), th => [th.textContent, align(th)]),
            alignments: Array.from(cells, align),
            caption: explanation.querySelector('caption').textContent,
            rowHeads: Array.from(explanation.querySelectorAll('th[scope=row]'), th => th.textContent),
            span: (c => [c.colSpan, c.getBoundingClientRect().width, c.closest('table').getBoundingClientRect().width])(
                explanation.querySelector('td[colspan]')),
            headStyle: getComputedStyle(question.querySelector('th')).fontWeight};
    }""")
    assert got["boxes"] == [["region", "Table", 0], ["region", "Safe storage, pasted from the policy", 0]]
    assert got["heads"] == [["Place", "left"], ["Reading", "right"], ["Safe?", "center"]]
    assert got["alignments"] == ["left", "right", "center"]
    assert got["caption"] == "Safe storage, pasted from the policy"
    assert got["rowHeads"] == ["Fridge", "Hot holding"]
    colspan, cell_width, table_width = got["span"]
    assert colspan == 2 and cell_width > table_width - 4
    assert got["headStyle"] == "700"


SHOWCASE = """\
![A thermometer reading inside a fridge](media/thermometer.png)

This week's log. Each reading in °C is also shown in °F, as

$$F = \\frac{9}{5}\\,C + 32$$

| Day | Fridge | Freezer | Hot holding | Sanitiser | Checked by | Signed off |
|:----|-------:|--------:|------------:|----------:|:-----------|:----------:|
| Monday | 4 °C (39 °F) | −18 °C (0 °F) | 65 °C (149 °F) | 5.0 g/L | Ana Pereira | yes |
| Tuesday | 3 °C (37 °F) | −19 °C (−2 °F) | 62 °C (144 °F) | 4.5 g/L | Ben Okafor | no |

Which reading is safe for a fridge?"""


def showcase_quiz(kitchen_media: Quiz) -> Quiz:
    """kitchen-media's fridge question with an image, a display formula and a table wider than a
    phone in its prompt (a test item made here: the quiz's items show them one or two at a time)."""
    prompt, problems = markup.block(SHOWCASE)
    assert problems == []
    fridge = next(item for item in kitchen_media.items if item.id == "fridge-picture")
    item = dataclasses.replace(fridge, prompt=prompt, hints=(), explanation=None)
    return dataclasses.replace(with_settings_of(kitchen_media, shuffle_items=False, shuffle_choices=False),
                               items=(item,))


def test_image_formula_and_table_at_phone_and_desktop_width(site, browser, kitchen_media, tmp_path):
    """At 390 px the wide table scrolls sideways inside its box and the page does not; the image
    and the display formula fit. With LMSPACK_UPDATE_SCREENSHOTS=1 the screenshots go to docs/."""
    quiz = showcase_quiz(kitchen_media)
    launch = site.add_package("media-showcase", build_scorm2004(quiz).data)
    out = ROOT / "docs" if UPDATE_SCREENSHOTS else tmp_path
    for name, width in (("desktop", 1280), ("phone", 390)):
        page = open_preview(browser, site, launch, width)
        page.wait_for_function(MEDIA_LOADED)
        got = page.evaluate("""() => {
            const box = document.querySelector('#prompt .table-scroll');
            const formula = document.querySelector('#prompt math[display=block]');
            const fraction = formula.querySelector('mfrac').getBoundingClientRect();
            const image = document.querySelector('#prompt img');
            return {page: document.documentElement.scrollWidth, box: [box.scrollWidth, box.clientWidth],
                    heads: box.querySelectorAll('th').length,
                    image: [image.naturalWidth, image.getBoundingClientRect().right],
                    formula: formula.getBoundingClientRect().right, fraction: fraction.height,
                    line: parseFloat(getComputedStyle(document.getElementById('prompt')).lineHeight)};
        }""")
        assert got["page"] <= width
        assert got["heads"] == 7
        assert got["image"][0] > 0 and got["image"][1] <= width
        assert got["formula"] <= width
        assert got["fraction"] > got["line"]  # a display fraction: taller than a line of text
        if width < 600:
            assert got["box"][0] > got["box"][1]  # the table scrolls inside its box
            box = page.locator("#prompt .table-scroll")
            assert box.evaluate("box => { box.scrollLeft = 120; return box.scrollLeft; }") == 120
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            box.evaluate("box => { box.scrollLeft = 0; }")  # the screenshot shows the table's start
        page.get_by_label("8 °C", exact=True).check()
        page.screenshot(path=str(out / f"player-media-{name}.png"), full_page=True)
        page.close()


def test_the_bundled_diagram_item_shows_its_picture_from_the_package(site, browser, warm_handoff, tmp_path):
    """The bundled quiz's diagram item: its picture comes from inside the package, with its alt text,
    and fits a phone. With LMSPACK_UPDATE_SCREENSHOTS=1 the screenshot goes to docs/ for the README."""
    diagram = next(item for item in warm_handoff.items if item.id == "warm-handoff-diagram")
    quiz = dataclasses.replace(with_settings_of(warm_handoff, shuffle_choices=False), items=(diagram,))
    launch = site.add_package("diagram", build_scorm2004(quiz).data)
    out = ROOT / "docs" if UPDATE_SCREENSHOTS else tmp_path
    for name, width in (("desktop", 1280), ("phone", 390)):
        page = open_preview(browser, site, launch, width)
        page.wait_for_function(MEDIA_LOADED)
        image = page.locator("#prompt img")
        assert image.get_attribute("src") == "media/images/warm-handoff-diagram.png"
        assert image.get_attribute("alt").startswith("Diagram: three boxes side by side")
        assert image.evaluate("image => image.naturalWidth") == 640
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.get_by_label("A warm handoff", exact=True).check()
        page.locator("#submit-button").click()
        assert "Right." in page.locator("#feedback").inner_text()
        if name == "desktop":
            page.screenshot(path=str(out / "player-diagram.png"), full_page=True)
        page.close()


RAW_MEDIA_AND_MATH = (
    '<p>Pick one. <img src="media/ok.png" alt="kept"/><img src="media/../up.png" alt="up"/>'
    '<img src="media/%2e%2e/up.png" alt="dots"/><img src="/media/root.png" alt="root"/>'
    '<img src="data:image/png;base64,iVBORw0KGgo=" alt="data"/>'
    '<a href="media/ok.png">a link into the package</a>'
    '<audio controls="controls" src="https://e.example/a.mp3" aria-label="far">far</audio>'
    '<video controls="controls" src="media/clip.mp4" aria-label="near" onplay="window.pwned = \'play\'">near</video>'
    '<object data="media/clip.mp4" type="video/mp4">object</object>'
    '<math xmlns="http://www.w3.org/1998/Math/MathML"><semantics><mrow><mi href="javascript:x">x</mi>'
    '<mtext><a href="javascript:window.pwned = \'mtext\'">t</a><img src="x" onerror="window.pwned = \'img\'"/></mtext>'
    '<maction actiontype="statusline"><mi>y</mi><mtext>status</mtext></maction>'
    '<mi style="color: red" class="x">z</mi></mrow>'
    '<annotation-xml encoding="text/html"><img src="x" onerror="window.pwned = \'annotation\'"/></annotation-xml>'
    '<annotation encoding="application/x-tex">x y z</annotation></semantics></math>'
    '<svg><image href="https://e.example/x.png"/></svg></p>'
    '<table><tr><td onclick="window.pwned = \'cell\'" style="width: 9999px" align="right" class="x" colspan="2">c</td>'
    '</tr></table>')


def test_raw_media_and_math_keep_only_what_the_player_allows(site, browser, choice_handoff):
    """Past the sanitiser (raw markup in the data): a src only to a file of the package or an
    https image, never a link into the package, no src for audio or video from elsewhere; MathML
    with its own attributes only, nothing else in its namespace; the TeX hidden."""
    quiz = hostile_quiz(choice_handoff, Markup(RAW_MEDIA_AND_MATH))
    launch = site.add_package("raw-media", build_scorm12(quiz).data)
    page = open_preview(browser, site, launch)
    got = page.evaluate("""() => {
        const prompt = document.getElementById('prompt');
        const attributes = e => Array.from(e.attributes, a => a.name).sort();
        return {
            images: Array.from(prompt.querySelectorAll('img'), i => [i.alt, i.getAttribute('src')]),
            links: Array.from(prompt.querySelectorAll('a'), a => a.getAttribute('href')),
            players: Array.from(prompt.querySelectorAll('audio, video'), m => [m.localName, attributes(m)]),
            objects: prompt.querySelectorAll('object, svg, image, maction, annotation-xml').length,
            mathAttributes: Array.from(prompt.querySelectorAll('math, math *'), e => [e.localName, attributes(e)])
                .filter(([, names]) => names.length),
            cell: attributes(prompt.querySelector('td')),
            annotation: prompt.querySelector('annotation').checkVisibility()};
    }""")
    assert got["images"] == [["kept", "media/ok.png"], ["up", None], ["dots", None], ["root", None], ["data", None],
                             ["", None]]  # the last in <mtext>, where the HTML parser makes HTML again
    assert got["links"] == [None, None]
    assert got["players"] == [["audio", ["aria-label", "controls"]], ["video", ["aria-label", "controls", "src"]],
                              ["video", ["aria-label", "controls", "src"]]]  # the <object>, as the build writes it
    assert got["objects"] == 0
    assert got["mathAttributes"] == [["annotation", ["encoding"]]]
    assert got["cell"] == ["align", "colspan"]
    assert got["annotation"] is False
    for link in page.locator("#prompt a").all():
        link.click()
    page.wait_for_timeout(200)
    assert page.evaluate("window.pwned") is None
    page.close()


# ---- the learner's language, the start screen, free navigation, axe-core -----------------------

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DATA_SCRIPT = re.compile(r'(<script type="application/json" id="quiz-data">)(.*?)(</script>)', re.S)
AXE_VIOLATIONS = """async (tags) => {
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
    return result.violations.map(v => ({id: v.id, help: v.help,
                                        nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}));
}"""


def with_player_data(package: bytes, change: Callable[[dict], None]) -> bytes:
    """``package`` with its player data changed by ``change``. The settings quiz.yaml gives through
    the model (navigation, show_correct_answers, theme) are set here in the data itself, which is
    all the player reads."""
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "index.html":
                found = DATA_SCRIPT.search(data.decode("utf-8"))
                assert found is not None
                player = json.loads(found.group(2))
                change(player)
                text = data.decode("utf-8")
                data = (text[:found.start(2)] + str(htmlsafe_json_dumps(player)) + text[found.end(2):]).encode("utf-8")
            target.writestr(info, data)
    return out.getvalue()


def free_navigation(player: dict) -> None:
    player["settings"]["navigation"] = "free"


SHOWN_WORDS = """() => [document.body.innerText,
    ...Array.from(document.querySelectorAll('[aria-label], [aria-valuetext]'),
                  e => (e.getAttribute('aria-label') || '') + ' ' + (e.getAttribute('aria-valuetext') || ''))
    ].join('\\n')"""


def assert_accessible(frame, site: Site, where: str) -> None:
    """axe-core's WCAG 2.1 A and AA rules find no violation in what the player shows now, and no
    message key shows in place of a message (the player writes a key its data lacks as itself)."""
    require_tool(AXE.is_file(), f"axe-core is not installed in {BROWSER_DIR} (run npm ci there)")
    if frame.evaluate("typeof window.axe") == "undefined":
        frame.add_script_tag(url=f"{site.url}/axe.min.js")
    violations = frame.evaluate(AXE_VIOLATIONS, WCAG_21_AA)
    assert violations == [], f"{where}: " + json.dumps(violations, ensure_ascii=False, indent=1)
    words = frame.evaluate(SHOWN_WORDS)
    assert [key for key in catalogues.catalogue("en").messages if key in words] == [], where
    assert not re.search(r"\{[A-Za-z]+\}", words), f"{where}: a placeholder left unfilled"


def said(tag: str, key: str, form: str | None = None, **values: object) -> str:
    """What catalogue ``tag`` says for ``key`` (its plural ``form``), the values in place (numbers
    as Chromium writes them in en, es-US and ar: Western digits)."""
    message = catalogues.catalogue(tag).messages[key]
    text = message if isinstance(message, str) else message[form or "other"]
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text


PLAYED = {
    "en": {"quiz": "warm_handoff", "lang": "en-US", "dir": "ltr"},
    "es": {"quiz": "warm_handoff_es", "lang": "es-US", "dir": "ltr"},
    "ar": {"quiz": "hand_washing_ar", "lang": "ar", "dir": "rtl"},
}
"""The quizzes each language is played with, and the page's lang and dir."""
THEME = {"logo": "media/images/warm-handoff-diagram.png", "logoAlt": "Warm handoff diagram", "accent": "#0b6e4f"}


def first_item_wrong(frame, quiz: Quiz):
    """Choose a wrong choice of the question on screen (a single choice item) and submit it."""
    item = item_by_title(quiz, frame.locator("#legend").inner_text())
    wrong = next(c for c in item.interaction.choices if not c.correct)
    frame.get_by_label(markup.plain_text(wrong.text), exact=True).check()
    frame.locator("#submit-button").click()
    frame.locator(".correct-answer").wait_for()
    return item


@pytest.mark.parametrize("language", PLAYED)
def test_the_player_in_the_learners_language(language, site, browser, request):
    """English, Spanish and Arabic, in free navigation: the start screen, a question (progress
    bar, the list of questions), a wrong answer's feedback with the right answer, another question
    from the list, the confirmation naming the unanswered ones, and the result; each in the
    quiz's language and without a WCAG 2.1 A/AA violation (axe-core). Arabic runs right to left,
    its layout mirrored. English carries a theme: the accent colours buttons and progress, the
    logo shows in the header."""
    played = PLAYED[language]
    quiz = request.getfixturevalue(played["quiz"])
    tag = catalogues.catalogue_tag(quiz.language)
    count = len(quiz.items)

    def setup(player: dict) -> None:
        free_navigation(player)
        if language == "en":
            player["theme"] = THEME

    launch = site.add_package(f"language-{language}", with_player_data(build_scorm2004(quiz).data, setup))
    page, frame, console = open_lms(browser, site, "scorm2004", launch, lms_start_data("scorm2004", quiz),
                                    start=False)
    sco = sco_frame(page)
    assert (frame.locator("html").get_attribute("lang"), frame.locator("html").get_attribute("dir")) == (
        played["lang"], played["dir"])
    assert frame.locator("#start-button").inner_text() == said(tag, "start.button")
    facts = dict(zip(frame.locator("#facts dt").all_inner_texts(), frame.locator("#facts dd").all_inner_texts(),
                     strict=True))
    assert facts[said(tag, "start.questions")] == str(count)
    assert facts[said(tag, "start.attemptsLeft")] == said(tag, "start.unlimited")
    assert frame.locator("#description").inner_text() == quiz.description
    assert_accessible(sco, site, f"{language}: the start screen")

    frame.locator("#start-button").click()
    heading = frame.locator("#question-heading")
    assert heading.text_content() == said(tag, "question.heading", number=1, count=count)
    # Focus goes to the heading, without a ring after a click (:focus-visible).
    assert sco.evaluate("[document.activeElement.id, getComputedStyle(document.activeElement).outlineStyle]") == \
        ["question-heading", "none"]
    bar = frame.locator("[role=progressbar]")
    assert [bar.get_attribute(name) for name in ("aria-valuemin", "aria-valuenow", "aria-valuemax")] == \
        ["0", "0", str(count)]
    assert bar.get_attribute("aria-valuetext") == said(tag, "progress.value", answered=0, count=count)
    assert frame.locator(".nav-item").count() == count
    assert_accessible(sco, site, f"{language}: a question")

    item = first_item_wrong(frame, quiz)
    right = next(c for c in item.interaction.choices if c.correct)
    shown = frame.locator(".correct-answer")
    assert shown.locator(".correct-answer-heading").inner_text() == said(tag, "feedback.correctAnswer", "one")
    assert shown.locator("li").inner_text() == markup.plain_text(right.text)
    assert bar.get_attribute("aria-valuenow") == "1"
    assert_accessible(sco, site, f"{language}: the feedback, with the right answer")
    layout = sco.evaluate("""() => {
        const box = e => e.getBoundingClientRect();
        const byId = id => document.getElementById(id);
        const choice = document.querySelector('.choice');
        const entry = document.querySelector('.chosen-feedback li');
        const navs = document.querySelectorAll('.nav-item');
        return {input: box(choice.querySelector('input')).left, label: box(choice.querySelector('label')).left,
                heading: box(byId('question-heading')).left, bar: box(byId('progress')).left,
                fill: [box(byId('progress-fill')).right, box(byId('progress')).right,
                       box(byId('progress-fill')).left, box(byId('progress')).left],
                border: [getComputedStyle(entry).borderLeftWidth, getComputedStyle(entry).borderRightWidth],
                navs: [box(navs[0]).left, box(navs[1]).left],
                button: getComputedStyle(byId('finish-button')).borderColor,
                progress: getComputedStyle(byId('progress-fill')).backgroundColor,
                logo: (l => l && [l.alt, l.naturalWidth, l.closest('header') !== null])(byId('logo'))};
    }""")
    if played["dir"] == "rtl":  # mirrored: the start of each line, and what grows, on the right
        assert layout["input"] > layout["label"] and layout["heading"] > layout["bar"]
        assert layout["navs"][0] > layout["navs"][1]
        assert abs(layout["fill"][0] - layout["fill"][1]) < 2 and layout["fill"][2] > layout["fill"][3] + 2
        assert layout["border"][0] == "0px" and layout["border"][1] != "0px"
    else:
        assert layout["input"] < layout["label"] and layout["heading"] < layout["bar"]
        assert layout["navs"][0] < layout["navs"][1]
        assert abs(layout["fill"][2] - layout["fill"][3]) < 2 and layout["fill"][0] < layout["fill"][1] - 2
        assert layout["border"][0] != "0px" and layout["border"][1] == "0px"
    if language == "en":
        assert layout["button"] == layout["progress"] == "rgb(11, 110, 79)"
        assert layout["logo"] == ["Warm handoff diagram", 640, True]
    else:
        assert layout["logo"] is None

    frame.locator(".nav-item").nth(1).click()
    assert heading.text_content() == said(tag, "question.heading", number=2, count=count)
    first = frame.locator(".nav-item").first
    assert first.get_attribute("aria-label") == said(tag, "nav.questionAnswered", number=1)
    assert frame.locator(".nav-item").nth(1).get_attribute("aria-current") == "step"

    frame.locator("#finish-button").click()
    frame.locator("#confirm-heading").wait_for()
    confirm = frame.locator("#confirm-text").inner_text()
    assert confirm.startswith(said(tag, "confirm.unanswered").split("{list}")[0])
    assert str(count) in confirm and "1" not in confirm.replace(str(count), "")
    assert_accessible(sco, site, f"{language}: free navigation's confirmation")

    frame.locator("#confirm-button").click()
    frame.locator("#results").wait_for()
    assert frame.locator("#results-heading").inner_text() == said(tag, "result.heading")
    review = frame.locator(".review-item")
    assert review.count() == count
    assert review.first.locator(".correct-answer").count() == 1
    assert_accessible(sco, site, f"{language}: the result")
    assert len(interactions("scorm2004", cmi_of(page))) == 1
    assert not [line for line in console if line.startswith("lmspack:")], console
    page.close()


def test_free_navigation_resumes_and_hidden_answers_stay_hidden(site, browser, choice_handoff):
    """Free navigation with show_correct_answers false: an answer submitted, a question skipped,
    one answered without submitting; left and resumed onto the same question, with the answered
    ones marked and the draft kept, focus on the heading without a ring; the confirmation names
    the skipped one, submitting sends the draft too, and no right answer shows, in feedback or in
    the review."""
    quiz = with_settings_of(choice_handoff, shuffle_choices=False)

    def setup(player: dict) -> None:
        free_navigation(player)
        player["settings"]["showCorrectAnswers"] = False

    launch = site.add_package("free-hidden", with_player_data(build_scorm12(quiz).data, setup))
    page, frame, console = open_lms(browser, site, "scorm12", launch, lms_start_data("scorm12", quiz))
    first_title = frame.locator("#legend").inner_text()
    item = item_by_title(quiz, first_title)
    frame.get_by_label(markup.plain_text(next(c for c in item.interaction.choices if not c.correct).text),
                       exact=True).check()
    frame.locator("#submit-button").click()
    assert "Not correct" in frame.locator("#feedback").inner_text()
    assert frame.locator(".correct-answer").count() == 0
    frame.get_by_label("Question 3", exact=True).click()
    third = item_by_title(quiz, frame.locator("#legend").inner_text())
    frame.get_by_label(markup.plain_text(third.interaction.correct_choices[0].text), exact=True).check()
    page, frame, console = leave_and_resume(page, browser, site, "scorm12", launch)

    assert frame.locator("#question-heading").text_content() == "Question 3 of 3"
    assert sco_frame(page).evaluate("[document.activeElement.id, getComputedStyle(document.activeElement)"
                                    ".outlineStyle]") == ["question-heading", "none"]
    assert frame.get_by_label(markup.plain_text(third.interaction.correct_choices[0].text), exact=True).is_checked()
    assert [frame.locator(".nav-item").nth(n).get_attribute("aria-label") for n in range(3)] == [
        "Question 1, answered", "Question 2", "Question 3, answered"]
    page.keyboard.press("Tab")  # from the keyboard, the focus ring shows
    assert sco_frame(page).evaluate("getComputedStyle(document.activeElement.closest('.choice') || "
                                    "document.activeElement).outlineStyle") != "none"
    frame.locator("#finish-button").click()
    assert frame.locator("#confirm-text").inner_text() == "Question 2 is not answered yet."
    frame.locator("#back-button").click()
    assert frame.locator("#question-heading").text_content() == "Question 3 of 3"
    frame.locator("#finish-button").click()
    frame.locator("#confirm-button").click()
    frame.locator("#results").wait_for()
    assert [r["id"] for r in interactions("scorm12", cmi_of(page))] == [item.id, third.id]
    assert frame.locator(".review-item").count() == 3 and frame.locator(".correct-answer").count() == 0
    assert cmi_of(page)["suspend_data"].startswith("2;1;")
    assert not [line for line in console if line.startswith("lmspack:")], console
    page.close()


def test_leaving_on_the_start_screen_keeps_the_attempt(site, browser, choice_handoff):
    """A learner who opens the quiz and leaves before starting finds the start screen again, in the
    same attempt (suspended: the LMS does not count a new one), the clock not started."""
    launch = site.add_package("start-leave", build_scorm2004(choice_handoff).data)
    page, frame, _ = open_lms(browser, site, "scorm2004", launch, lms_start_data("scorm2004", choice_handoff),
                              start=False)
    page.evaluate("document.getElementById('sco').src = 'about:blank'")
    page.wait_for_function("window.LMS_CALLS.indexOf('Terminate') >= 0")
    stored = page.evaluate("window.LMS_CMI()")
    assert stored["cmi"]["exit"] == "suspend" and stored["cmi"]["suspend_data"].startswith("2;1;0;0;s;")
    page.close()
    page, frame, console = open_lms(browser, site, "scorm2004", launch, resume_data("scorm2004", stored), start=False)
    assert frame.locator("#start").is_visible() and frame.locator("#notice").is_hidden()
    frame.locator("#start-button").click()
    assert frame.locator("#question-heading").text_content() == "Question 1 of 3"
    assert not [line for line in console if line.startswith("lmspack:")], console
    page.close()


SHOTS = (("start", "warm_handoff"), ("es", "warm_handoff_es"), ("ar", "hand_washing_ar"))
"""docs/ screenshots: the start screen (English), a question in Spanish and one in Arabic."""


@pytest.mark.parametrize(("shot", "fixture"), SHOTS)
def test_start_screen_and_questions_at_desktop_and_phone_width(shot, fixture, site, browser, request, tmp_path):
    """At 1280 and 390 pixels: nothing scrolls sideways, and on the phone the time left stays in
    view as the page scrolls (sticky). The questions are answered wrong, so their feedback shows
    the right answer. With LMSPACK_UPDATE_SCREENSHOTS=1 the screenshots go to docs/."""
    quiz = with_settings_of(request.getfixturevalue(fixture), time_limit=30 * 60, shuffle_choices=False)
    launch = site.add_package(f"shot-{shot}", build_scorm2004(quiz).data)
    out = ROOT / "docs" if UPDATE_SCREENSHOTS else tmp_path
    for suffix, width in (("", 1280), ("-phone", 390)):
        page = open_preview(browser, site, launch, width, start=shot != "start")
        page.evaluate("document.getElementById('notice').hidden = true")  # the preview's notice: not for the docs
        if shot != "start":
            first_item_wrong(page, quiz)
            page.wait_for_function(MEDIA_LOADED)
            if width < 600:
                page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
                timer = page.evaluate("(t => [t.getBoundingClientRect().top, window.scrollY])"
                                      "(document.getElementById('timer'))")
                assert timer[1] > 100 and 0 <= timer[0] < 1, timer  # scrolled down, the timer at the top
                page.evaluate("window.scrollTo(0, 0)")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.mouse.move(0, 0)  # no choice left looking hovered
        page.screenshot(path=str(out / f"player-{shot}{suffix}.png"), full_page=True)
        page.close()
