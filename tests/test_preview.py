"""`lmspack preview`: the server in a thread on a free port (what it serves and refuses, rebuilds
after a change, problems in the page and the terminal), the answer key against builder/scoring.py,
the command through CliRunner and as a process stopped by Ctrl-C, and the pages in Chromium."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder import preview
from builder.cli import main
from builder.formats import item_type
from builder.formats.scorm import build_scorm2004
from builder.loading import load_quizzes
from builder.model import Quiz
from builder.scoring import auto_scored, is_correct

from conftest import ROOT
from projects import SINGLE, make_project, package_files

NUMERIC = """\
id: q2
type: numeric
prompt: How many seconds should you wash your hands for?
answers:
  - value: 20
    tolerance: 2
  - range: [15, 17.5]
    credit: 50
unit: seconds
"""


class Served:
    """A preview of a quiz in a thread, and what it said on the terminal."""

    def __init__(self, quiz_dir: Path, root: Path) -> None:
        self.quiz_dir = quiz_dir
        self.said: list[tuple[str, bool]] = []
        self.server = preview.start((quiz_dir,), root, 0, lambda line, err: self.said.append((line, err)))
        self.url = self.server.url
        # A short poll: shutdown() waits for serve_forever to look up.
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def get(self, path: str, host: str | None = None, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(preview.HOST, self.server.port)
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            connection.putheader("Host", self.server.host if host is None else host)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def text(self, path: str) -> str:
        status, _, body = self.get(path)
        assert status == 200, (path, status, body)
        return body.decode("utf-8")

    def status(self) -> dict:
        return json.loads(self.text("/status"))

    def edit(self, name: str, text: str) -> None:
        """Write a file of the quiz whole, as editors that save by renaming do: the watcher thread
        never sees it half written (which would make a build of its own, and a problem, between)."""
        temporary = self.quiz_dir / f".{name}.saving"
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, self.quiz_dir / name)

    def close(self) -> None:
        self.server.shutdown()
        self.server.close()
        self.thread.join()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    quiz_dir = make_project(tmp_path, {"q1.yaml": SINGLE.format(id="q1"), "q2.yaml": NUMERIC})
    running = Served(quiz_dir, tmp_path)
    yield running
    running.close()


def test_serves_the_scorm2004_players_own_files(served):
    """The whole quiz's player is the scorm2004 package's launch page, script and style sheet,
    byte for byte; the preview's pages and files carry their policies."""
    (quiz,) = load_quizzes([served.quiz_dir], served.quiz_dir.parents[1])
    package = package_files(build_scorm2004(quiz))
    for name in ("index.html", "player.js", "player.css"):
        status, headers, body = served.get(f"/quiz/{name}")
        assert (status, body) == (200, package[name])
        assert headers["Content-Security-Policy"] == "frame-ancestors 'self'"
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Cache-Control"] == "no-store"
    status, headers, body = served.get("/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert '<iframe id="sco"' in body.decode() and 'src="/quiz/index.html"' in body.decode()
    for name in ("api.js", "preview.js", "preview.css"):
        assert served.get(f"/preview/{name}")[0] == 200
    assert served.get("/", method="HEAD")[2] == b""


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "localhost:{port}", "127.0.0.1",
                                  "127.0.0.1:1", "[::1]:{port}", ""])
def test_refuses_a_host_other_than_the_served_address(served, host):
    """DNS rebinding: a page elsewhere whose own name resolves to 127.0.0.1 sends its name as Host."""
    for path in ("/", "/status", "/author", "/quiz/index.html"):
        status, _, body = served.get(path, host=host.format(port=served.server.port))
        assert status == 403, path
        assert body.decode() == f"this preview answers only at {served.url} (refused: another Host)\n"


def test_refuses_a_request_without_a_host_or_with_two(served):
    for request in (b"GET /status HTTP/1.0\r\n\r\n",
                    b"GET /status HTTP/1.1\r\nHost: %s\r\nHost: evil.example\r\n\r\n" % served.server.host.encode()):
        with socket.create_connection((preview.HOST, served.server.port)) as connection:
            connection.sendall(request)
            reply = b"".join(iter(lambda: connection.recv(65536), b""))
        assert reply.startswith(b"HTTP/1.0 403 "), reply


@pytest.mark.parametrize("path", [
    "/quiz.yaml", "/items/demo/q1.yaml", "/quiz/../items/demo/q1.yaml", "/quiz/%2e%2e/%2e%2e/items/demo/q1.yaml",
    "/quiz/imsmanifest.xml", "/quiz/", "/quiz", "/preview/../builder/preview.py", "/preview/page.html",
    "/preview/%2e%2e/scorm/player.js", "/item/q1/../../quiz/index.html", "/item/nope/index.html", "/item/q1/",
    "/quiz/media/%ff", "http://127.0.0.1/quiz/index.html", "quiz/index.html", "/status/", "/author/",
])
def test_nothing_outside_what_it_built(served, path):
    status, _, body = served.get(path)
    assert status == 404 and body.startswith(b"not found"), path


def test_other_methods_are_not_served(served):
    assert served.get("/status", method="POST")[0] == 501
    assert served.get("/quiz/index.html", method="PUT")[0] == 501


def test_the_status_changes_after_a_file_is_edited(served):
    first = served.status()
    assert first["ok"] and first["items"] == 2 and first["problems"] == []
    assert served.status()["build"] == first["build"]  # nothing changed: the same build
    served.edit("q1.yaml", SINGLE.format(id="q1").replace("Pick the right one.", "Pick the new one."))
    second = served.status()
    assert second["ok"] and second["build"] != first["build"]
    assert "Pick the new one." in served.text("/quiz/index.html")
    served.edit("q3.yaml", SINGLE.format(id="q3"))
    assert served.status()["items"] == 3
    (served.quiz_dir / "q3.yaml").unlink()
    assert served.status()["items"] == 2
    assert [line for line, err in served.said] == [
        "built: Demo quiz, 2 items", "rebuilt after a change: Demo quiz, 2 items",
        "rebuilt after a change: Demo quiz, 3 items", "rebuilt after a change: Demo quiz, 2 items"]


def test_files_the_loader_does_not_read_change_nothing(served):
    first = served.status()["build"]
    for name in ("notes.txt", ".q1.yaml.swp", "dist/demo-1.0.0-qti21.zip"):
        (served.quiz_dir / name).parent.mkdir(exist_ok=True)
        (served.quiz_dir / name).write_bytes(b"not read")
    assert served.status()["build"] == first


BROKEN = SINGLE.format(id="q1").replace("type: single_choice", "type: <script>alert(1)</script>")
PROBLEM = ("items/demo/q1.yaml:2:7: 'type' must be one of: single_choice, multiple_response, true_false, "
           "short_answer, numeric, essay, matching, ordering, fill_in_blanks, flashcard, "
           "not '<script>alert(1)</script>'")


def test_invalid_input_is_shown_in_the_page_and_the_terminal_until_fixed(served):
    served.edit("q1.yaml", BROKEN)
    status = served.status()
    assert not status["ok"] and status["problems"] == [PROBLEM]
    assert served.said[-2:] == [(PROBLEM, True), ("1 problem found; the preview shows it until the files are fixed",
                                                  True)]
    for path in ("/", "/author", "/author?item=q1"):
        page = served.text(path)
        assert "1 problem in the quiz files" in page
        assert "<li><code>items/demo/q1.yaml:2:7: &#39;type&#39; must be one of:" in page
        assert "not &#39;&lt;script&gt;alert(1)&lt;/script&gt;&#39;</code></li>" in page
        assert "<script>alert" not in page and '<iframe id="sco"' not in page
    assert served.get("/quiz/index.html")[0] == 404  # no player of a quiz that does not load
    assert served.get("/item/q2/index.html")[0] == 404

    served.edit("q1.yaml", SINGLE.format(id="q1"))
    assert served.status() | {"build": ""} == {"build": "", "ok": True, "title": "Demo quiz", "items": 2,
                                               "problems": [], "warnings": []}
    assert served.said[-1] == ("the problems are fixed; rebuilt: Demo quiz, 2 items", False)
    assert '<iframe id="sco"' in served.text("/")


def test_a_quiz_that_does_not_load_at_the_start_is_served_as_its_problems(tmp_path):
    quiz_dir = make_project(tmp_path, {"q1.yaml": BROKEN})
    running = Served(quiz_dir, tmp_path)
    try:
        assert running.said == [(PROBLEM, True), ("1 problem found; the preview shows it until the files are fixed",
                                                  True)]
        assert running.status()["problems"] == [PROBLEM]
        assert "<h1 class=\"title\">items/demo</h1>" in running.text("/")
    finally:
        running.close()


def test_the_author_view_reaches_every_item_with_its_source_and_key(served):
    page = served.text("/author")
    for item_id, source in (("q1", "items/demo/q1.yaml:1"), ("q2", "items/demo/q2.yaml:1")):
        assert f'<a class="item-link" href="/author?item={item_id}">' in page
        assert f'<code class="item-id">{item_id}</code>' in page
        assert f'<code class="item-source">{source}</code>' in page
    assert "Right answer: <strong>Right</strong>" in page
    assert "<li>right: Right (+1 point)</li>" in page and "<li>wrong: Wrong (0 points)</li>" in page
    assert "Right answer: <strong>20 seconds (within 2: 18 to 22)</strong>" in page
    assert "<li>any number from 15 seconds to 17.5 seconds: 50 % (0.5 points)</li>" in page
    assert 'src="/quiz/index.html" data-sco="quiz"' in page

    one = served.text("/author?item=q2")
    assert 'src="/item/q2/index.html" data-sco="item:q2"' in one
    assert '<li class="item current" data-item="q2">' in one
    launch = served.text("/item/q2/index.html")
    data = json.loads(launch.split('<script type="application/json" id="quiz-data">')[1].split("</script>")[0])
    assert [item["id"] for item in data["items"]] == ["q2"]
    assert (data["settings"]["attempts"], data["settings"]["timeLimit"]) == (None, None)
    status, headers, _ = served.get("/item/q2/player.js")
    assert status == 200 and headers["Content-Type"] == "text/javascript; charset=utf-8"

    gone = served.text("/author?item=nope")
    assert "The quiz has no item <code>nope</code> (any more); here is the whole quiz." in gone
    assert 'src="/quiz/index.html"' in gone


@pytest.fixture(scope="module")
def test_quizzes(warm_handoff, kitchen_safety, kitchen_tasks, kitchen_media) -> list[Quiz]:
    return [warm_handoff, kitchen_safety, kitchen_tasks, kitchen_media]


def test_the_key_is_what_scoring_takes_for_full_marks(test_quizzes):
    """For every item of every kind in the bundled and test quizzes: the key's right response is
    fully right for builder.scoring, and scores the item's points; essays have none."""
    kinds = set()
    for quiz in test_quizzes:
        for item in quiz.items:
            kinds.add(item_type(item.interaction))
            key = preview.answer_key(item, quiz.language)
            response = preview.right_response(item)
            if auto_scored(item):
                assert is_correct(item, response, quiz.language), item.id
                assert key.scores == item.points, item.id
            else:
                assert response is None and key.scores is None and key.right == "none: a person grades the answer"
            assert key.right and key.details, item.id
    assert len(kinds) == 9  # every item type


def test_an_item_alone_keeps_the_quizs_feedback_and_shuffling(kitchen_safety):
    item = kitchen_safety.items[0]
    alone = preview.one_item_quiz(kitchen_safety, item)
    assert alone.items == (item,) and alone.media == ()
    assert (alone.settings.pools, alone.settings.attempts, alone.settings.time_limit) == ((), None, None)
    assert (alone.settings.feedback, alone.settings.shuffle_choices) == (kitchen_safety.settings.feedback,
                                                                        kitchen_safety.settings.shuffle_choices)


# ---- the command ----------------------------------------------------------------------------

@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    make_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_the_command_passes_its_options_to_serve(project, monkeypatch):
    calls = []
    monkeypatch.setattr(preview, "serve", lambda where, *args: calls.append((where.quizzes, where.folder, *args[:2]))
                        or 0)
    assert run("preview", "items/demo", "--port", "8123", "--no-browser").exit_code == 0
    assert run("preview").exit_code == 0
    # No lmspack.yaml: a quiz folder given is its own project; given nothing, the working directory
    # is the project folder, and its items/ the quizzes.
    assert calls == [((project / "items/demo",), project / "items/demo", 8123, False),
                     ((project / "items",), project, 0, True)]


@pytest.mark.parametrize("port", ["-1", "65536", "eighty"])
def test_a_port_that_cannot_be_is_a_usage_error(project, port):
    result = run("preview", "--port", port, "--no-browser")
    assert result.exit_code == 2 and "Invalid value for '--port'" in result.stderr


@pytest.fixture
def stopped_at_once(monkeypatch) -> list[str]:
    """serve_forever raises KeyboardInterrupt at once (Ctrl-C), and the browser opened is recorded."""
    opened: list[str] = []

    def interrupted(self, poll_interval=0.5):
        raise KeyboardInterrupt

    monkeypatch.setattr(preview.PreviewServer, "serve_forever", interrupted)
    monkeypatch.setattr(preview.webbrowser, "open", lambda url: opened.append(url) or True)
    return opened


def test_the_command_says_where_opens_the_browser_and_stops_on_ctrl_c(project, stopped_at_once):
    result = run("preview", "items/demo")
    assert result.exit_code == 130, result.output
    (url,) = stopped_at_once
    assert url.startswith("http://127.0.0.1:") and url.endswith("/")
    port = url.split(":")[2].rstrip("/")
    assert result.stdout.splitlines() == [
        "built: Demo quiz, 1 item",
        f"previewing items/demo at {url} (port {port}: a free one the system chose; --port N to fix it)",
        f"author view (every item, its key, what the LMS records): {url}author",
        "a change to a file of the quiz rebuilds it and reloads the page; Ctrl-C stops",
        "interrupted: the preview has stopped"]
    assert result.stderr == "" and "Traceback" not in result.output


def test_no_browser_opens_none(project, stopped_at_once):
    assert run("preview", "--no-browser").exit_code == 130
    assert stopped_at_once == []


def test_a_port_in_use_is_a_usage_error(project, stopped_at_once):
    with socket.socket() as taken:
        taken.bind((preview.HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("preview", "--port", str(port), "--no-browser")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: cannot serve on 127.0.0.1:{port}: Address already in use; choose")


def test_one_quiz_is_previewed(project):
    make_project(project, folder="items/other")
    result = run("preview", "--no-browser")
    assert result.exit_code == 2
    assert result.stderr == ("error: items holds 2 quizzes (items/demo, items/other); preview one: lmspack preview "
                             "items/demo\n")
    missing = run("preview", "items/nope", "--no-browser")
    assert missing.exit_code == 1 and missing.stderr.startswith("items/nope:0:0: no such file or folder\n")


def test_ctrl_c_stops_the_process_cleanly(tmp_path):
    """The real command, stopped by SIGINT as a terminal's Ctrl-C: exit 130, no traceback."""
    make_project(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "builder", "preview", "items/demo", "--no-browser"],
                               cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline() == "built: Demo quiz, 1 item\n"
        url = process.stdout.readline().split(" at ")[1].split(" ")[0]
        host = url.removeprefix("http://").rstrip("/")
        connection = http.client.HTTPConnection(host)
        connection.request("GET", "/status")
        assert json.loads(connection.getresponse().read())["ok"] is True
        connection.close()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130
    assert out.splitlines()[-1] == "interrupted: the preview has stopped"
    assert err == ""


# ---- in Chromium (conftest.browser: skipped, saying why, without it) ------------------------

def past_the_start_screen(player) -> None:
    """The player on its first question: Start pressed on the start screen of a new attempt."""
    player.locator("#start-button:visible, #question-heading:visible").first.wait_for()
    if player.locator("#start-button").is_visible():
        player.locator("#start-button").click()
    player.locator("#question-heading").wait_for()


@pytest.mark.browser
def test_in_chromium_answer_see_the_key_and_the_record_edit_and_reload(served, browser):
    page = browser.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(served.url)
    player = page.frame_locator("#sco")
    past_the_start_screen(player)
    assert player.locator("#notice").is_hidden()  # it found its LMS: no "no LMS was found" notice
    assert player.locator("#prompt").inner_text() == "Pick the right one."
    player.get_by_label("Right", exact=True).check()
    player.locator("#submit-button").click()
    assert player.locator("#feedback .verdict").inner_text() == "Correct. You earned 1 point."

    # The author view: the same attempt (the tab's storage), what the LMS recorded, the key.
    page.get_by_role("link", name="Author view").click()
    player.locator("#feedback .verdict").wait_for()
    assert player.locator("#legend").inner_text() == "Pick the right one."
    record = page.locator("#record-interactions tbody tr")
    assert record.count() == 1
    assert record.first.locator("td").all_inner_texts() == ["0", "q1", "choice", "A", "A", "correct"]
    assert page.locator('dd[data-element="cmi.completion_status"]').inner_text() == "incomplete"
    assert page.locator('dd[data-element="cmi.entry"]').inner_text() == "resume"
    key = page.locator('li[data-item="q1"] details.key')
    assert not key.locator(".key-right").is_visible()
    key.locator("summary").click()
    assert key.locator(".key-right").inner_text() == "Right answer: Right"

    # Finish the quiz: the score and pass/fail reach the record.
    player.locator("#next-button").click()
    player.locator("#answer-text").fill("16")
    player.locator("#submit-button").click()
    player.locator("#next-button").click()
    assert player.locator("#verdict").inner_text() == "You passed."
    assert page.locator('dd[data-element="cmi.score.raw"]').inner_text() == "75"
    assert page.locator('dd[data-element="cmi.success_status"]').inner_text() == "passed"
    assert page.locator('dd[data-element="cmi.completion_status"]').inner_text() == "completed"

    # One item on its own; an edit of its file rebuilds the preview and reloads the page with it.
    page.locator('li[data-item="q1"] a.item-link').click()
    past_the_start_screen(player)
    assert player.locator("#question-heading").text_content() == "Question 1 of 1"
    served.edit("q1.yaml", SINGLE.format(id="q1").replace("Pick the right one.", "Pick the edited one."))
    player.locator("#prompt").get_by_text("Pick the edited one.").wait_for()
    assert page.url == f"{served.url}author?item=q1"
    assert page.locator(".item.current .item-link").inner_text() == "Pick the edited one."

    # Broken: the page shows the problem with its place; fixed: the player is back by itself.
    served.edit("q1.yaml", BROKEN)
    page.locator("#problem-list").wait_for()
    assert page.locator("#problem-list li").all_inner_texts() == [PROBLEM]
    served.edit("q1.yaml", SINGLE.format(id="q1"))
    page.frame_locator("#sco").locator("#question-heading:visible, #start-button:visible").first.wait_for()
    assert not [line for line in console if line.startswith("lmspack:")], console
    page.close()


@pytest.mark.browser
def test_in_chromium_start_again_and_the_stopped_notice(served, browser):
    page = browser.new_page()
    page.goto(f"{served.url}author")
    player = page.frame_locator("#sco")
    past_the_start_screen(player)
    player.get_by_label("Wrong", exact=True).check()
    player.locator("#submit-button").click()
    player.locator("#next-button").wait_for()
    page.reload()
    player.locator("#next-button").wait_for()  # resumed: answered, as it was
    page.locator("#restart").click()
    past_the_start_screen(player)  # a new attempt, from its start screen
    assert player.locator("#choices input:checked").count() == 0
    assert page.locator("#record-interactions").is_hidden()
    served.close()
    page.locator("#connection").wait_for()
    assert page.locator("#connection").inner_text().startswith("The preview has stopped")
    page.close()


API_CALLS = """() => {
    const api = window.API_1484_11;
    const calls = [
        ['GetValue', 'cmi.entry'], ['SetValue', 'cmi.location', '1'], ['Commit', ''], ['Terminate', ''],
        ['Initialize', 'x'], ['Initialize', ''], ['Initialize', ''],
        ['GetValue', 'cmi.entry'], ['GetValue', 'cmi.interactions._count'], ['GetValue', 'cmi.location'],
        ['GetValue', 'cmi.exit'], ['GetValue', 'adl.nav.request'],
        ['SetValue', 'cmi.entry', 'resume'], ['SetValue', 'cmi.interactions._count', '3'],
        ['SetValue', 'cmi.completion_status', 'done'], ['SetValue', 'cmi.success_status', 'passed'],
        ['SetValue', 'cmi.interactions.1.id', 'q2'], ['SetValue', 'cmi.interactions.0.result', 'correct'],
        ['SetValue', 'cmi.interactions.0.id', 'q1'], ['SetValue', 'cmi.interactions.0.result', 'correct'],
        ['GetValue', 'cmi.interactions._count'], ['SetValue', 'cmi.exit', 'suspend'], ['Commit', ''],
        ['Terminate', ''], ['GetValue', 'cmi.location'], ['SetValue', 'cmi.location', '2'], ['Commit', ''],
        ['Terminate', ''],
    ];
    return calls.map(([name, ...args]) => [name, args[0], api[name](...args), api.GetLastError()]);
}"""


@pytest.mark.browser
def test_in_chromium_the_in_page_lms_keeps_the_rules_of_a_scorm_2004_run_time(served, browser):
    """The run-time alone, on a page without a player (the problems page): each call's result
    and error code as SCORM 2004's run-time environment gives them; what it stores resumes."""
    served.edit("q1.yaml", BROKEN)
    served.status()
    page = browser.new_page()
    page.goto(served.url)
    assert page.evaluate(API_CALLS) == [
        ["GetValue", "cmi.entry", "", "122"], ["SetValue", "cmi.location", "false", "132"],
        ["Commit", "", "false", "142"], ["Terminate", "", "false", "112"],
        ["Initialize", "x", "false", "201"], ["Initialize", "", "true", "0"], ["Initialize", "", "false", "103"],
        ["GetValue", "cmi.entry", "ab-initio", "0"], ["GetValue", "cmi.interactions._count", "0", "0"],
        ["GetValue", "cmi.location", "", "403"], ["GetValue", "cmi.exit", "", "405"],
        ["GetValue", "adl.nav.request", "", "401"],
        ["SetValue", "cmi.entry", "false", "404"], ["SetValue", "cmi.interactions._count", "false", "404"],
        ["SetValue", "cmi.completion_status", "false", "406"], ["SetValue", "cmi.success_status", "true", "0"],
        ["SetValue", "cmi.interactions.1.id", "false", "351"],
        ["SetValue", "cmi.interactions.0.result", "false", "408"],
        ["SetValue", "cmi.interactions.0.id", "true", "0"], ["SetValue", "cmi.interactions.0.result", "true", "0"],
        ["GetValue", "cmi.interactions._count", "1", "0"], ["SetValue", "cmi.exit", "true", "0"],
        ["Commit", "", "true", "0"], ["Terminate", "", "true", "0"],
        ["GetValue", "cmi.location", "", "123"], ["SetValue", "cmi.location", "false", "133"],
        ["Commit", "", "false", "143"], ["Terminate", "", "false", "113"]]
    page.reload()  # the next launch resumes what was suspended
    resumed = page.evaluate("""() => {
        const api = window.API_1484_11;
        api.Initialize('');
        return ['cmi.entry', 'cmi.success_status', 'cmi.interactions.0.id', 'cmi.interactions._count']
            .map(element => api.GetValue(element));
    }""")
    assert resumed == ["resume", "passed", "q1", "1"]
    page.close()
