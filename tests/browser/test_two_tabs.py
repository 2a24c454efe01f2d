"""Two tabs start a training at the same moment: the second queues behind the first, neither crashes."""

import re

from playwright.sync_api import expect

from core.runs import rundir
from tests.browser.conftest import LabPage


def _prepare(lab) -> None:
    lab.goto("train")
    for label, value in (("Epochs", 1), ("Training images (0 = all)", 1500), ("Test images (0 = all)", 300)):
        field = lab.page.get_by_label(label, exact=True)
        field.fill(str(value))
        field.press("Enter")
        expect(field).to_have_value(str(value))


def test_two_tabs_starting_at_once_queue_rather_than_crash(lab, context, lab_server, lab_home):
    second = LabPage(context.new_page(), lab_server)
    second.page.set_default_timeout(60_000)
    runs = lab_home / "runs"
    before = set(runs.iterdir()) if runs.is_dir() else set()
    _prepare(lab)
    _prepare(second)
    lab.page.get_by_role("button", name="Start training").click()
    second.page.get_by_role("button", name="Start training").click()
    for tab in (lab, second):
        expect(tab.page.get_by_text(re.compile(r"state: (queued|running)")).first).to_be_visible(timeout=30_000)
    for tab in (lab, second):
        expect(tab.page.get_by_text("state: finished")).to_be_visible(timeout=240_000)
        expect(tab.page.get_by_test_id("stException")).to_have_count(0)
    new = sorted(set(runs.iterdir()) - before)
    assert len(new) == 2
    first, later = sorted((rundir.read_status(r) for r in new), key=lambda s: s["started"])
    assert first["state"] == later["state"] == "finished"
    assert later["started"] >= first["finished"] - 0.5  # one after the other, never side by side
