"""Examine in a real browser: the filter grid and the activation galleries load as visible pictures."""

from playwright.sync_api import expect


def _loaded_images(panel) -> list[int]:
    """Natural widths of the pictures in a tab panel once each has loaded (0 = broken image)."""
    images = panel.locator("[data-testid=stImage] img")
    expect(images.first).to_be_visible()
    count = images.count()
    for i in range(count):
        expect(images.nth(i)).to_be_visible()
    return [images.nth(i).evaluate("img => img.decode().then(() => img.naturalWidth, () => 0)")
            for i in range(count)]


def test_filter_grid_and_galleries_render(lab):
    """Filters tab shows the 8x4 grid; Activations shows conv1/conv2/pool1 galleries and the comparison,
    and they follow the chosen input."""
    lab.goto("examine")
    page = lab.page
    expect(page.get_by_text("conv1: 32 filters of 3x3", exact=False)).to_be_visible()
    widths = _loaded_images(page.get_by_role("tabpanel"))
    assert widths and min(widths) > 300  # the 8-column filter grid

    lab.open_tab("filter2D vs network")
    expect(page.get_by_text("filter2D and the network agree", exact=False)).to_be_visible()
    assert len(_loaded_images(page.get_by_role("tabpanel"))) == 2  # filter2D beside the network

    lab.open_tab("Activations")
    panel = page.get_by_role("tabpanel")
    expect(panel.get_by_text("shape 12x12x32", exact=False)).to_be_visible()
    widths = _loaded_images(panel)
    assert len(widths) >= 4 and min(widths) > 300  # conv1, conv2, pool1 galleries + digit comparison

    lab.act(lambda: page.get_by_text("A test example", exact=True).click())
    expect(page.get_by_text("test example 0 (label 7)", exact=True)).to_be_visible()  # Activations stays open
    expect(page.get_by_role("tabpanel").get_by_text("Outputs of each layer for test example 0",
                                                    exact=False)).to_be_visible()


def test_filters_over_time_downloads_every_epoch_as_an_animated_gif(lab):
    """The GIF is drawn when the button is clicked (not on every visit) and holds one frame per saved epoch."""
    from io import BytesIO

    from PIL import Image

    from core.paths import default_model_path
    from core.runs import rundir

    lab.goto("examine")
    page = lab.page
    lab.open_tab("Filters over time")
    button = page.get_by_role("button", name="Download all epochs as an animated GIF")
    expect(button).to_be_visible()
    with page.expect_download(timeout=120000) as info:  # drawn on the click: slow on a busy machine
        button.click()
    gif = Image.open(BytesIO(open(info.value.path(), "rb").read()))
    assert gif.format == "GIF"
    assert gif.n_frames == len(rundir.load_epoch_filters(default_model_path().parent))
