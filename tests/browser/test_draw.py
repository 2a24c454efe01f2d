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


def test_uploading_a_phone_photo_shows_its_prediction(lab, shared_data):
    """A real phone photo of a 4 uploaded on the Upload tab is read as 4."""
    lab.goto("draw")
    page = lab.page
    page.get_by_role("tab", name="Upload photos").click()
    uploader = page.locator(".st-key-draw_uploads [data-testid=stFileUploaderDropzoneInput]")
    lab.act(lambda: uploader.set_input_files(str(shared_data / PHOTO)))
    expect(page.get_by_text(re.compile(r"Prediction: 4 \("))).to_be_visible()
    expect(page.get_by_text("Ink made white (inverted)").first).to_be_visible()
