"""The Train form in a real browser keeps the user's last settings across a reload."""

from playwright.sync_api import expect

WAIT_MS = 60_000  # the machine is shared: allow slow renders


def test_a_reload_keeps_the_epochs_and_image_counts(lab):
    """Set 5 epochs and 2,000 images, press F5: the form still says 5 and 2,000, not the preset's values."""
    lab.goto("train")
    page = lab.page
    for label, value in (("Epochs", "5"), ("Training images (0 = all)", "2000")):
        field = page.get_by_label(label, exact=True)
        field.fill(value)
        lab.act(lambda: field.press("Enter"))
        expect(field).to_have_value(value, timeout=WAIT_MS)
    lab.goto("train")
    expect(page.get_by_label("Epochs", exact=True)).to_have_value("5", timeout=WAIT_MS)
    expect(page.get_by_label("Training images (0 = all)", exact=True)).to_have_value("2000", timeout=WAIT_MS)
