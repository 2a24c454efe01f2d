"""The Greek page in a real browser: first start shows the SSD tables and KNN; a drawn alpha finds alphas."""

from playwright.sync_api import expect

from core.greek.generator import LETTERS, catmull_rom


def _draw(lab, canvas, points):
    """Draw one stroke through `points` (unit box) on the canvas, like a hand with a mouse."""
    import numpy as np

    box = canvas.bounding_box()
    size = box["width"]
    path = catmull_rom(np.array(points), per_segment=8)
    xy = [(box["x"] + (0.2 + 0.6 * x) * size, box["y"] + (0.2 + 0.6 * y) * size) for x, y in path]
    page = lab.page

    def stroke():
        page.mouse.move(*xy[0])
        page.mouse.down()
        for x, y in xy[1:]:
            page.mouse.move(x, y, steps=2)
        page.mouse.up()

    lab.act(stroke)


def test_first_start_shows_ssd_tables_heatmap_and_knn(lab):
    """The default set's SSD tables, the heatmap and the leave-one-out accuracy appear without any input,
    each on its own tab."""
    lab.goto("greek")
    page = lab.page
    expect(page.get_by_text("36 images, 3 classes", exact=False)).to_be_visible()
    expect(page.get_by_text("128 numbers", exact=True)).to_be_visible()
    lab.open_tab("SSD tables")
    expect(page.get_by_text("SSD between every pair of images", exact=False)).to_be_visible()
    assert page.get_by_role("tabpanel").get_by_test_id("stDataFrame").count() == 3  # one per letter
    lab.open_tab("KNN")
    expect(page.get_by_test_id("stMetric").filter(has_text="Leave-one-out accuracy")).to_contain_text("100.0%")
    expect(page.get_by_role("tabpanel").get_by_test_id("stDataFrame")).to_have_count(1)  # the confusion


def test_a_drawn_alpha_finds_alpha_neighbours(lab):
    """An alpha drawn with the mouse is preprocessed, embedded and voted alpha by its neighbours."""
    lab.goto("greek")
    page = lab.page
    lab.open_tab("Your own letters")
    page.get_by_role("tab", name="Draw").click()
    canvas = page.locator("canvas.upper-canvas").first
    canvas.scroll_into_view_if_needed()
    expect(canvas).to_be_visible()
    _draw(lab, canvas, LETTERS["alpha"])
    expect(page.get_by_text("KNN vote (k=1): alpha", exact=False)).to_be_visible()
    captions = page.locator("figure figcaption").all_inner_texts()
    neighbours = [c for c in captions if " SSD " in c]
    pictures = page.locator("figure img")
    assert all(pictures.nth(i).evaluate("i => i.complete && i.naturalWidth > 0") for i in range(pictures.count()))
    assert len(neighbours) >= 5 and sum(c.startswith("alpha") for c in neighbours) >= 4
