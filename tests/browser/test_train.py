"""Train in a real browser: start a small run, watch the live chart grow, stop a second run."""

import re

from playwright.sync_api import expect


def _set_number(lab, label: str, value: int) -> None:
    field = lab.page.get_by_label(label, exact=True)
    field.fill(str(value))
    field.press("Enter")
    expect(field).to_have_value(str(value))


def _epochs_in_live_chart(lab) -> int:
    chart = lab.page.locator(".st-key-train_live_chart .js-plotly-plot").first
    return chart.evaluate("gd => (gd.data && gd.data[1] && gd.data[1].x) ? gd.data[1].x.length : 0")


def _wait_for_epochs(lab, n: int, timeout_s: float = 120) -> None:
    for _ in range(int(timeout_s * 4)):
        if _epochs_in_live_chart(lab) >= n:
            return
        lab.page.wait_for_timeout(250)
    raise AssertionError(f"the live chart did not reach {n} epoch(s)")


def test_live_chart_grows_while_the_page_stays_usable_and_stop_stops(lab):
    """A 2-epoch run on 2,000 images: the chart gains epoch 2 by itself; a second run is stopped."""
    lab.goto("train")
    page = lab.page
    _set_number(lab, "Epochs", 2)
    _set_number(lab, "Training images (0 = all)", 2000)
    _set_number(lab, "Test images (0 = all)", 500)
    page.get_by_role("button", name="Start training").click()
    expect(page.get_by_text(re.compile(r"state: (queued|running)"))).to_be_visible(timeout=30_000)

    _wait_for_epochs(lab, 1)
    # While it trains, the form still answers: fewer filters give a smaller model summary (the quick
    # preset: conv1 8*9+8, conv2 9*8*64+64, bn2 4*64, dense1 7*7*64*128+128, output 1290).
    _set_number(lab, "Filters 1", 8)
    expect(page.get_by_text(f"{80 + 4672 + 256 + 401536 + 1290:,} parameters")).to_be_visible()
    _wait_for_epochs(lab, 2)
    expect(page.get_by_text("state: finished")).to_be_visible(timeout=60_000)
    chart = page.locator(".st-key-train_live_chart .js-plotly-plot").first
    names = chart.evaluate("gd => gd.data.map(t => t.name)")
    assert names == ["train accuracy", "test accuracy", "train loss", "test loss"]

    # A second, longer run, stopped with Stop.
    _set_number(lab, "Epochs", 20)
    page.get_by_role("button", name="Start training").click()
    expect(page.get_by_text("state: running")).to_be_visible(timeout=60_000)
    page.get_by_role("button", name="Stop").click()
    expect(page.get_by_text(re.compile("Stopping after the current batch|state: stopped")).first).to_be_visible()
    expect(page.get_by_text("state: stopped")).to_be_visible(timeout=90_000)
    expect(page.get_by_text(re.compile(r"Stopped after \d+ epoch"))).to_be_visible()
