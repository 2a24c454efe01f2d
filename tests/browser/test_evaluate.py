"""Evaluate in a real browser: the first-10 digits and a click on a confusion-matrix cell."""

import re

from playwright.sync_api import expect

WAIT_MS = 60_000  # the machine is shared: allow slow renders


def test_first_10_digits_and_clicking_a_confusion_cell_shows_its_images(lab):
    """The first test digits are shown with predictions; clicking cell (true 7, predicted 7) drills down."""
    lab.goto("evaluate")
    page = lab.page
    expect(page.get_by_text("Test accuracy")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text(re.compile(r"#0: pred 7, true 7"))).to_be_visible(timeout=WAIT_MS)
    lab.open_tab("Confusion matrix")
    chart = page.locator("[class*='st-key-evaluate_confusion'] .js-plotly-plot").first
    expect(chart).to_be_visible(timeout=WAIT_MS)
    # Where the centre of the cell (true 7, predicted 7) is on screen, from plotly's own axes.
    x, y = chart.evaluate("""gd => {
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
        return [box.left + xa._offset + xa.l2p(7), box.top + ya._offset + ya.l2p(7)];
    }""")
    lab.act(lambda: page.mouse.click(x, y))
    expect(page.get_by_text(re.compile(r"test image\(s\) with true label 7 predicted as 7"))).to_be_visible(timeout=WAIT_MS)
    # Another control changes the cell; a click on the same cell still drills down again.
    page.get_by_role("combobox", name="Predicted").click()
    lab.act(lambda: page.get_by_role("option", name="2", exact=True).click())
    expect(page.get_by_text(re.compile(r"with true label 7 predicted as 2"))).to_be_visible(timeout=WAIT_MS)
    page.wait_for_timeout(500)  # the fresh chart draws itself
    lab.act(lambda: page.mouse.click(x, y))
    expect(page.get_by_text(re.compile(r"test image\(s\) with true label 7 predicted as 7"))).to_be_visible(timeout=WAIT_MS)
