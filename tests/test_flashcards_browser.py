"""The study player of flashcards (--format flashcards, flashcards12) in real headless Chromium,
with scorm-again as the LMS run-time, on the host page and site of tests/test_player_browser.py.

Screenshots for the README: LMSPACK_UPDATE_SCREENSHOTS=1 pytest tests/test_flashcards_browser.py
writes docs/flashcard-front.png and docs/flashcard-back.png.
"""

from __future__ import annotations

import json

import pytest
from test_player_browser import (  # noqa: F401  (site: the fixture, used by name)
    ROOT,
    UPDATE_SCREENSHOTS,
    Site,
    assert_accessible,
    calls_of,
    cmi_of,
    resume_data,
    site,
)

from builder import cards, catalogues, markup
from builder.cache import NO_CACHE
from builder.formats.flashcards import build, build12
from builder.model import Quiz

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def deck_site(request: pytest.FixtureRequest) -> Site:
    """test_player_browser's site (scorm-again's host page, the packages unzipped), by name."""
    return request.getfixturevalue("site")

BUILDERS = {"scorm12": build12, "scorm2004": build}
SHOWN = "#front-heading:visible, #done:visible"


def open_deck(browser, served: Site, edition: str | None, launch: str, cmi: dict | None = None, width: int = 1280):
    """The deck in the test LMS (``edition``) or alone (None: a preview); returns (page, frame)."""
    page = browser.new_page(viewport={"width": width, "height": 900 if width > 600 else 844})
    if edition is None:
        page.goto(f"{served.url}/{launch}")
        page.locator(SHOWN).first.wait_for()
        return page, page
    setup = {"edition": edition, "launch": launch, "cmi": cmi}
    page.add_init_script(f"window.LMS_SETUP = {json.dumps(setup)};")
    page.goto(f"{served.url}/host.html")
    frame = page.frame_locator("#sco")
    frame.locator(SHOWN).first.wait_for()
    return page, frame


def front_text(frame) -> str:
    return " ".join(frame.locator("#front").inner_text().split())


def card_fronts(quiz: Quiz) -> dict[str, str]:
    """Each card's id by the start of its front's words."""
    return {" ".join(markup.plain_text(card.front).split())[:40]: card.id for card in cards.cards(quiz, NO_CACHE)}


def current_card(frame, quiz: Quiz) -> str:
    shown = front_text(frame)
    return next(card_id for start, card_id in card_fronts(quiz).items() if shown.startswith(start[:30]))


def status_of(edition: str, cmi: dict) -> str:
    return cmi["core"]["lesson_status"] if edition == "scorm12" else cmi["completion_status"]


@pytest.mark.parametrize("edition", ["scorm12", "scorm2004"])
def test_study_again_until_good_resume_and_complete(edition, deck_site, browser, warm_handoff):
    """Flip by the button, the space bar and a tap; a card rated Again comes back in the session;
    leaving mid-deck and coming back resumes at the card the learner was on, with what was rated
    Good kept; completion (and 2004's progress_measure) reach the LMS, with no score."""
    count = len(warm_handoff.card_ids)
    assert count >= 4
    launch = deck_site.add_package(f"cards-{edition}", BUILDERS[edition](warm_handoff).data)
    page, frame = open_deck(browser, deck_site, edition, launch, {"core": {"entry": "ab-initio"}}
                            if edition == "scorm12" else {"entry": "ab-initio"})
    assert frame.locator("#progress-text").inner_text() == f"0 of {count} cards learned"
    assert frame.locator("#back").inner_text() == "" and frame.locator("#rate").is_hidden()
    first = current_card(frame, warm_handoff)
    frame.locator("#flip-button").click()  # the button
    assert frame.locator("#back-heading").evaluate("e => e === document.activeElement")
    assert frame.locator("#back").get_attribute("aria-live") == "polite" and frame.locator("#back").inner_text()
    frame.locator("#again-button").click()  # Again: it comes back later
    second = current_card(frame, warm_handoff)
    assert second != first
    page.keyboard.press("Space")  # the space bar
    assert frame.locator("#rate").is_visible()
    page.keyboard.press("2")  # Good
    assert frame.locator("#progress-text").inner_text() == f"1 of {count} cards learned"
    assert frame.locator("#progress").get_attribute("aria-valuenow") == "1"
    frame.locator("#front").click()  # a tap on the card
    assert frame.locator("#rate").is_visible()
    frame.locator("#good-button").click()
    seen = [current_card(frame, warm_handoff)]
    for _ in range(2):  # the Again card comes back after three others (or sooner with fewer left)
        if seen[-1] == first:
            break
        page.keyboard.press("Enter")
        page.keyboard.press("2")
        seen.append(current_card(frame, warm_handoff))
    assert first in seen, seen
    where = current_card(frame, warm_handoff)
    learned = frame.locator("#progress").get_attribute("aria-valuenow")
    page.evaluate("document.getElementById('sco').src = 'about:blank'")  # the learner leaves
    finish = "LMSFinish" if edition == "scorm12" else "Terminate"
    page.wait_for_function(f"window.LMS_CALLS.indexOf('{finish}') >= 0")
    stored = page.evaluate("window.LMS_CMI()")
    cmi = stored["cmi"]
    assert status_of(edition, cmi) == "incomplete"
    assert (cmi["core"]["exit"] if edition == "scorm12" else cmi["exit"]) == "suspend"
    assert cmi["suspend_data"].startswith("c1;")
    if edition == "scorm2004":
        assert float(cmi["progress_measure"]) == pytest.approx(int(learned) / count, abs=1e-6)
        assert cmi["success_status"] == "unknown"
    page.close()

    page, frame = open_deck(browser, deck_site, edition, launch, resume_data(edition, stored))
    assert current_card(frame, warm_handoff) == where
    assert frame.locator("#progress").get_attribute("aria-valuenow") == learned
    frame.locator("#progress-text").click()  # the keys go to the study page, in its frame
    for _ in range(count):
        page.keyboard.press("Space")
        page.keyboard.press("2")
    assert frame.locator("#done").evaluate("e => e === document.activeElement")
    assert frame.locator("#done-text").inner_text() == f"You rated all {count} cards Good. Well done!"
    assert frame.locator("#progress-text").inner_text() == f"{count} of {count} cards learned"
    cmi = cmi_of(page)
    assert status_of(edition, cmi) == "completed"
    if edition == "scorm2004":
        assert cmi["progress_measure"] == "1" and cmi["success_status"] == "unknown"
        assert cmi["score"]["raw"] in ("", None)
    else:
        assert cmi["core"]["score"]["raw"] in ("", None)
    frame.locator("#restart-button").click()  # studying again keeps the deck completed
    assert frame.locator("#progress-text").inner_text() == f"0 of {count} cards learned"
    page.evaluate("document.getElementById('sco').src = 'about:blank'")
    page.wait_for_function(f"window.LMS_CALLS.indexOf('{finish}') >= 0")
    assert calls_of(page).count(finish) == 1
    assert status_of(edition, cmi_of(page)) == "completed"
    page.close()


def test_front_back_and_end_are_accessible_and_fit_a_phone(deck_site, browser, warm_handoff, tmp_path):
    """axe-core's WCAG 2.1 A and AA rules on the front, the back and the end screen, at desktop and
    phone width (nothing scrolls sideways at 390 pixels); the screenshots of the README."""
    quiz = warm_handoff
    launch = deck_site.add_package("cards-a11y", build(quiz).data)
    out = ROOT / "docs" if UPDATE_SCREENSHOTS else tmp_path
    for width in (1280, 390):
        page, _ = open_deck(browser, deck_site, None, launch, width=width)
        page.evaluate("document.getElementById('notice').hidden = true")  # the preview's notice
        assert_accessible(page, deck_site, f"front at {width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if width == 390:
            page.screenshot(path=str(out / "flashcard-front.png"), full_page=True)
        page.locator("#flip-button").click()
        assert_accessible(page, deck_site, f"back at {width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if width == 390:
            page.mouse.move(0, 0)
            page.screenshot(path=str(out / "flashcard-back.png"), full_page=True)
        for _ in range(len(quiz.card_ids)):
            page.keyboard.press("2")
            page.keyboard.press("Space")
        assert_accessible(page, deck_site, f"end at {width}")
        page.close()


def test_arabic_deck_runs_right_to_left(deck_site, browser, hand_washing_ar):
    """An Arabic deck: the page right to left, its words from the Arabic catalogue, accessible."""
    launch = deck_site.add_package("cards-ar", build12(hand_washing_ar).data)
    page, _ = open_deck(browser, deck_site, None, launch)
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    messages = catalogues.catalogue("ar").messages
    assert page.locator("#flip-button").inner_text().startswith(str(messages["study.flip"]))
    page.locator("#flip-button").click()
    assert page.locator("#good-button").inner_text().startswith(str(messages["study.good"]))
    # Right to left: Again (first in the page) stands right of Good.
    again, good = (page.locator(f"#{name}-button").bounding_box() for name in ("again", "good"))
    assert again is not None and good is not None
    assert again["x"] > good["x"]
    page.evaluate("document.getElementById('notice').hidden = true")
    assert_accessible(page, deck_site, "Arabic back")
    page.close()
