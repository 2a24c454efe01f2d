"""The active model in a real browser: made active by a button, kept across pages, reloads and new tabs;
a Greek-letter head evaluated on its letters and reading drawn letters; the True label following a drawing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_draw import draw_seven

WAIT_MS = 60_000  # the machine is shared: allow slow renders


@pytest.fixture(scope="module")
def transfer_run(lab_home):
    """A finished 3-letter transfer run in the server's runs folder, trained with the lab's own code."""
    from tests.unit.model_kinds import train_transfer_run

    return train_transfer_run(lab_home / "runs")


def _sidebar_model(page):
    """The sidebar's active-model picker (its combobox holds the chosen label as its value)."""
    return page.get_by_test_id("stSidebar").get_by_role("combobox", name="Active model")


def _shown(box) -> str:
    """What a selectbox (its combobox) shows as chosen."""
    return box.evaluate("e => e.value || e.textContent || ''")


def _expect_shown(lab, box, text: str, timeout_s: float = 60) -> None:
    for _ in range(int(timeout_s * 4)):
        if _shown(box) == text:
            return
        lab.page.wait_for_timeout(250)
    raise AssertionError(f"the picker shows {_shown(box)!r}, not {text!r}")


def test_the_runs_table_button_sticks_across_pages_reloads_and_new_tabs(lab, transfer_run):
    """Make active on Train, then Evaluate via the sidebar, F5, and a new tab without ?model= keep the run."""
    page = lab.page
    lab.goto("train")
    runs = page.get_by_role("combobox", name="Run")
    expect(runs).to_be_visible(timeout=WAIT_MS)
    if transfer_run.name not in _shown(runs):  # other tests' runs may be newer
        runs.click()
        lab.act(lambda: page.get_by_role("option", name=re.compile(re.escape(transfer_run.name))).click())
    lab.act(lambda: page.get_by_role("button", name="Make active model").click())
    expect(_sidebar_model(page)).to_have_value(re.compile(re.escape(transfer_run.name)), timeout=WAIT_MS)
    expect(page.get_by_text(f"Run {transfer_run.name} is the active model.").first).to_be_visible(timeout=WAIT_MS)
    lab.act(lambda: page.get_by_test_id("stSidebarNav").get_by_role("link", name="Evaluate").click())
    expect(page.get_by_role("combobox", name="Test set")).to_have_value("its Greek letters (held out)",
                                                                        timeout=WAIT_MS)
    assert f"model=run/{transfer_run.name}" in page.url.replace("%2F", "/")
    expect(_sidebar_model(page)).to_have_value(re.compile(re.escape(transfer_run.name)), timeout=WAIT_MS)
    lab.goto(page.url.removeprefix(lab.base_url + "/"))  # a reload of that URL
    expect(_sidebar_model(page)).to_have_value(re.compile(re.escape(transfer_run.name)), timeout=WAIT_MS)
    tab = type(lab)(page.context.new_page(), lab.base_url)  # same browser, no ?model= in the link
    tab.goto("data")
    expect(_sidebar_model(tab.page)).to_have_value(re.compile(re.escape(transfer_run.name)), timeout=WAIT_MS)
    assert f"model=run/{transfer_run.name}" in tab.page.url.replace("%2F", "/")


def test_evaluate_a_transfer_head_on_its_letters(lab, transfer_run):
    """Evaluate with the Greek head: accuracy on its 12 held-out letters, names in the table, no traceback."""
    lab.goto(f"evaluate?model=run/{transfer_run.name}")
    page = lab.page
    expect(page.get_by_text("Test accuracy")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text(re.compile(r"^\d+ / 12$"))).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text(re.compile(r"#\d+: pred (alpha|beta|gamma), true (alpha|beta|gamma)")).first).to_be_visible(timeout=WAIT_MS)
    lab.open_tab("Confusion matrix")
    expect(page.get_by_text(re.compile(r"test image\(s\) with true label (alpha|beta|gamma)"))).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_draw_with_a_letter_model_reads_letters(lab, transfer_run):
    """With the Greek head active, a drawing is read as one of its letters, and the page says so."""
    lab.goto(f"draw?model=run/{transfer_run.name}")
    page = lab.page
    expect(page.get_by_text(re.compile("reads Greek letters"))).to_be_visible(timeout=WAIT_MS)
    canvas = page.locator("canvas.upper-canvas").first
    expect(canvas).to_be_visible(timeout=WAIT_MS)
    lab.act(lambda: draw_seven(page, canvas))
    expect(page.get_by_text(re.compile(r"(Prediction:|best guess) (alpha|beta|gamma)"))).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text(re.compile(r"Prediction: \d \("))).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_the_true_label_follows_the_latest_reading(lab):
    """Draw a bar, then finish the 7: the True label picker moves from the bar's reading to 7."""
    lab.goto("draw")
    page = lab.page
    canvas = page.locator("canvas.upper-canvas").first
    expect(canvas).to_be_visible(timeout=WAIT_MS)
    box = canvas.bounding_box()
    x, y = box["x"], box["y"]

    def bar():
        page.mouse.move(x + 70, y + 60)
        page.mouse.down()
        page.mouse.move(x + 210, y + 60, steps=12)
        page.mouse.up()

    def diagonal():
        page.mouse.move(x + 210, y + 60)
        page.mouse.down()
        page.mouse.move(x + 120, y + 235, steps=16)
        page.mouse.up()

    label = page.get_by_role("combobox", name="True label")
    lab.act(bar)
    reading = page.get_by_text(re.compile(r"(Prediction:|best guess) \d")).first
    expect(reading).to_be_visible(timeout=WAIT_MS)
    first = re.search(r"(?:Prediction:|best guess) (\d)", reading.inner_text()).group(1)
    assert first != "7", "the bar alone should not read as 7"
    _expect_shown(lab, label, first)
    lab.act(diagonal)
    expect(page.get_by_text(re.compile(r"Prediction: 7 \("))).to_be_visible(timeout=WAIT_MS)
    _expect_shown(lab, label, "7")
