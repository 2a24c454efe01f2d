"""Experiments in a real browser: open the explorer on a finished sweep and make a trial the active model."""

import re

import pytest
from playwright.sync_api import expect

WAIT_MS = 60_000  # the machine is shared: allow slow renders
TINY = {"name": "tiny", "conv": [{"filters": 4, "kernel_size": 3, "pool_size": 2}],
        "dense": [{"units": 16}], "batch_size": 64, "epochs": 1}


@pytest.fixture(scope="module")
def browser_study(lab_home):
    from core.sweep import runner
    from core.sweep.space import space_from_dict

    space = space_from_dict({"name": "browser", "base": TINY, "train_subset": 600, "test_subset": 300,
                             "dimensions": {"filters": [2, 6]},
                             "hypotheses": {"filters": "Six filters learn faster than two."}})
    runner.setup_study("browser-study", space, "grid", None)
    runner.drive("browser-study", in_process=True)
    return "browser-study"


def test_explorer_makes_a_trial_the_active_model(lab, browser_study):
    """The explorer lists the sweep's trials; 'Make this trial the active model' switches the sidebar to it."""
    lab.goto("experiments")
    page = lab.page
    expect(page.get_by_text("Trials done")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text("2 / 2")).to_be_visible(timeout=WAIT_MS)
    lab.open_tab("Dimensions & hypotheses")
    expect(page.get_by_text("Six filters learn faster than two.").first).to_be_visible(timeout=WAIT_MS)
    lab.open_tab("Best & models")
    button = page.get_by_role("button", name="Make this trial the active model")
    expect(button).to_be_visible(timeout=WAIT_MS)
    lab.act(lambda: button.click())
    expect(page.get_by_text(re.compile(r"Trial \d is the active model"))).to_be_visible(timeout=WAIT_MS)
    sidebar = page.get_by_test_id("stSidebar")
    picker = sidebar.get_by_role("combobox", name="Active model")
    expect(picker).to_have_value(re.compile(r"browser-study / trial-000\d"), timeout=WAIT_MS)
    expect(sidebar.get_by_text(re.compile(r"browser-study / trial-000\d.*digit classifier"))).to_be_visible(timeout=WAIT_MS)
    assert "trial-000" in page.url and "browser-study" in page.url
    # It sticks: another page through the sidebar, then a reload of that page.
    lab.act(lambda: page.get_by_test_id("stSidebarNav").get_by_role("link", name="Data").click())
    expect(picker).to_have_value(re.compile(r"browser-study / trial-000\d"), timeout=WAIT_MS)
    assert "/data" in page.url and "trial-000" in page.url
    lab.goto(page.url.removeprefix(lab.base_url + "/"))
    expect(picker).to_have_value(re.compile(r"browser-study / trial-000\d"), timeout=WAIT_MS)
