"""Your handwriting in a real browser: draw a digit with the mouse, upload a phone photo."""

import re

from playwright.sync_api import expect

PHOTO = "handwriting/digits/warrier-arj-Recognition-using-Neural-Networks/4/PXL_20230407_005206717.jpg"


def draw_seven(page, canvas) -> None:
    """A 7 drawn with the mouse: the top bar, then the long diagonal down to the left."""
    box = canvas.bounding_box()
    x, y = box["x"], box["y"]
    page.mouse.move(x + 70, y + 60)
    page.mouse.down()
    page.mouse.move(x + 210, y + 60, steps=12)
    page.mouse.move(x + 120, y + 235, steps=16)
    page.mouse.up()


def test_drawing_a_seven_with_the_mouse_shows_its_prediction_and_steps(lab):
    """A mouse-drawn 7 on the canvas is read as 7; the preprocessing steps and 28x28 input appear."""
    lab.goto("draw")
    page = lab.page
    canvas = page.locator("canvas.upper-canvas").first
    expect(canvas).to_be_visible()
    expect(page.get_by_text("Draw a digit on the canvas.")).to_be_visible()
    lab.act(lambda: draw_seven(page, canvas))
    expect(page.get_by_text(re.compile(r"Prediction: 7 \("))).to_be_visible()
    expect(page.get_by_text("Centred in 28x28")).to_be_visible()
    expect(page.get_by_text("What the network sees (28x28)")).to_be_visible()
    steps = page.locator("figure img")  # the preprocessing steps, each a picture the browser shows
    assert steps.count() >= 6
    assert all(steps.nth(i).evaluate("i => i.complete && i.naturalWidth > 0") for i in range(steps.count()))
    bars = page.get_by_role("list", name="Probability per class").get_by_role("listitem")
    expect(bars).to_have_count(10)
    expect(bars.nth(7)).to_contain_text("7")


def test_uploading_a_phone_photo_shows_its_prediction(lab, shared_data):
    """A real phone photo of a 4 uploaded on the Upload tab is read as 4."""
    lab.goto("draw")
    page = lab.page
    lab.open_tab("Upload photos")
    uploader = page.locator(".st-key-draw_uploads [data-testid=stFileUploaderDropzoneInput]")
    lab.act(lambda: uploader.set_input_files(str(shared_data / PHOTO)))
    expect(page.get_by_text(re.compile(r"Prediction: 4 \("))).to_be_visible()
    expect(page.get_by_text("Ink made white (inverted)").first).to_be_visible()


def stroke(page, canvas, points, steps: int = 10) -> None:
    """One mouse stroke through `points` (canvas pixels)."""
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + points[0][0], box["y"] + points[0][1])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + x, box["y"] + y, steps=steps)
    page.mouse.up()


ONE = [(150, 40), (140, 245)]
SEVEN_BAR = [(60, 45), (150, 40)]


def test_clearing_then_drawing_at_once_updates_the_reading(lab):
    """Clear keeps the same canvas; a stroke drawn right after the clear is read, every time."""
    lab.goto("draw")
    page = lab.page
    canvas = page.locator("canvas.upper-canvas").first
    expect(canvas).to_be_visible()
    canvas.evaluate("el => { el.dataset.labMounted = 'first'; }")
    lab.act(lambda: draw_seven(page, canvas))
    expect(page.get_by_text(re.compile(r"Prediction: 7 \("))).to_be_visible()
    for _ in range(3):
        lab.act(lambda: page.locator(".st-key-draw_canvas_clear button").click())
        expect(page.get_by_text("Draw a digit on the canvas.")).to_be_visible()
        expect(page.get_by_text(re.compile(r"Prediction: "))).to_have_count(0)
        stroke(page, canvas, ONE)  # at once: no pause for a canvas to mount
        expect(page.get_by_text(re.compile(r"Prediction: 1 \("))).to_be_visible(timeout=15_000)
        lab.act(lambda: draw_seven(page, canvas))  # over the 1: no longer a 1
        expect(page.get_by_text(re.compile(r"Prediction: 1 \("))).to_have_count(0, timeout=15_000)
    assert canvas.evaluate("el => el.dataset.labMounted") == "first", "the canvas was remounted"


def test_rapid_strokes_end_with_the_reading_of_the_last(lab):
    """Strokes drawn faster than the page answers: the reading shown last is that of the last stroke."""
    lab.goto("draw")
    page = lab.page
    canvas = page.locator("canvas.upper-canvas").first
    expect(canvas).to_be_visible()
    lab.act(lambda: stroke(page, canvas, ONE))
    expect(page.get_by_text(re.compile(r"Prediction: 1 \("))).to_be_visible()
    lab.act(lambda: page.locator(".st-key-draw_canvas_clear button").click())
    before = lab.finished
    for points in (ONE, SEVEN_BAR):  # a 1, then the bar that makes it a 7, each sent on its own
        stroke(page, canvas, points, steps=4)
        page.wait_for_timeout(250)
    expect(page.get_by_text(re.compile(r"Prediction: 7 \("))).to_be_visible(timeout=15_000)
    lab.wait_for_runs(before, 1)
    page.wait_for_timeout(1500)  # a stale reading would arrive after the newer one: there is none
    expect(page.get_by_text(re.compile(r"Prediction: 7 \("))).to_be_visible()
    expect(page.get_by_text(re.compile(r"Prediction: 1 \("))).to_have_count(0)
