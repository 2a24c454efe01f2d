"""The Live tab in a real browser: Chromium's fake camera plays a clip made here from digit photos.

Chromium takes its fake camera's clip at launch (`--use-file-for-fake-video-capture`), so each clip gets
its own browser, launched once per module; the lab server is the session's shared one.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LabPage
from tests.unit.live_frames import DIGIT_PHOTOS, blank_paper, digit_frame, write_y4m

RATE = 10                 # the clips' frames per second
SECONDS_PER_DIGIT = 3
READING = ".st-key-draw_live_reading [data-testid=stMetricValue]"


def _fake_camera_browser(playwright, launch_args: dict, clip):
    args = list(launch_args.get("args", [])) + [
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={clip}"]
    return playwright.chromium.launch(**{**launch_args, "args": args})


@pytest.fixture(scope="module")
def digits_browser(playwright, browser_type_launch_args, shared_data, tmp_path_factory):
    """Chromium whose camera shows the photos of a 2, a 4 and a 7, a few seconds each, in a loop."""
    clip = tmp_path_factory.mktemp("clips") / "digits.y4m"
    frames = []
    for digit in sorted(DIGIT_PHOTOS):
        frames += [digit_frame(shared_data, digit)] * (SECONDS_PER_DIGIT * RATE)
    write_y4m(clip, frames, RATE)
    browser = _fake_camera_browser(playwright, browser_type_launch_args, clip)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def blank_browser(playwright, browser_type_launch_args, tmp_path_factory):
    """Chromium whose camera shows blank paper (with sensor noise)."""
    clip = tmp_path_factory.mktemp("clips") / "blank.y4m"
    write_y4m(clip, [blank_paper(seed) for seed in range(RATE)], RATE)
    browser = _fake_camera_browser(playwright, browser_type_launch_args, clip)
    yield browser
    browser.close()


@pytest.fixture()
def live_page(request, lab_server):
    """Open "Your handwriting" in the given fake-camera browser, Live tab, camera on; yield the LabPage."""
    context = request.getfixturevalue(request.param).new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    lab = LabPage(page, lab_server)
    lab.goto("draw")
    lab.open_tab("Live")
    lab.act(lambda: page.get_by_text("Read the camera live").click())
    expect(page.locator(READING)).to_be_visible(timeout=60_000)  # the first frame, on a busy machine
    yield lab
    context.close()


def frame_number(page) -> int:
    return int(re.search(r"Frame (\d+)", page.get_by_text(re.compile(r"^Frame \d+")).inner_text()).group(1))


def watch(page, done, timeout_s: float = 90) -> dict[int, str]:
    """{frame number: reading shown} for the frames read until `done(seen)` holds (or the timeout)."""
    seen: dict[int, str] = {}
    end = time.time() + timeout_s
    while time.time() < end and not done(seen):
        try:
            seen.setdefault(frame_number(page), page.locator(READING).inner_text(timeout=1000))
        except Exception:  # the block is being redrawn for the next frame
            pass
        page.wait_for_timeout(50)
    return seen


@pytest.mark.parametrize("live_page", ["digits_browser"], indirect=True)
def test_live_tab_reads_the_digits_the_camera_shows(live_page):
    """A fake camera showing a 2, a 4 and a 7 in turn: each is read, and no other digit ever is."""
    expected = {str(d) for d in DIGIT_PHOTOS}
    seen = watch(live_page.page, lambda s: expected <= set(s.values()))
    assert expected <= set(seen.values()), seen
    assert set(seen.values()) <= expected | {"unsure"}, seen
    expect(live_page.page.get_by_text("The frame, with the box that was cropped")).to_be_visible()
    expect(live_page.page.get_by_text("What the network sees (28x28)")).to_be_visible()
    expect(live_page.page.get_by_text(re.compile(r"^Top 3: "))).to_be_visible()


@pytest.mark.parametrize("live_page", ["digits_browser"], indirect=True)
def test_freeze_keeps_the_frame_and_reads_it_like_a_snapshot(live_page):
    """Freeze stops the live reading and shows the frame's full reading, as the Camera tab does."""
    page = live_page.page
    watch(page, lambda s: len(s) >= 2)
    live_page.act(lambda: page.get_by_role("button", name="Freeze").click())
    expect(page.get_by_role("button", name="Back to live")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Prediction: [247] \("))).to_be_visible()
    expect(page.get_by_text("Centred in 28x28")).to_be_visible()
    expect(page.locator(READING)).to_have_count(0)


@pytest.mark.parametrize("live_page", ["blank_browser"], indirect=True)
def test_live_tab_reads_blank_paper_as_unsure(live_page):
    """A fake camera showing blank paper: every frame read says "unsure"."""
    seen = watch(live_page.page, lambda s: len(s) >= 6)
    assert len(seen) >= 6, seen
    assert set(seen.values()) == {"unsure"}, seen


def test_without_a_camera_the_tab_says_so(lab):
    """In a browser with no camera to give, switching the live camera on ends in a clear message."""
    lab.goto("draw")
    page = lab.page
    lab.open_tab("Live")
    lab.act(lambda: page.get_by_text("Read the camera live").click())
    expect(page.get_by_text("The camera could not be opened")).to_be_visible(timeout=60_000)
    expect(page.locator(READING)).to_have_count(0)
