"""Plotly charts to PNG files with Kaleido (which drives a Chrome/Chromium), all in one browser session.

Kaleido 1.x needs a Chrome-family browser: it finds one on its own, and `BROWSER_PATH` points it at
Debian's `/usr/bin/chromium` when that is the one installed. Where neither Kaleido nor a browser is
available, each chart is written as an interactive HTML file instead and the report says why.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

EXPORT_WIDTH = 1000  # pixels; the heights are the figures' own
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str | None:
    """A Chrome-family executable for Kaleido: `$BROWSER_PATH`, else the first of BROWSERS on PATH."""
    if os.environ.get("BROWSER_PATH"):
        return os.environ["BROWSER_PATH"]
    return next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)


def export_charts(figures: list, folder: Path, names: list[str]) -> tuple[list[str], str | None]:
    """Write each figure as `<name>.png`; on failure as `<name>.html`.

    Returns:
        (the file names written, in order; None or a sentence saying why the charts are HTML).
    """
    folder = Path(folder)
    try:
        import kaleido  # noqa: F401  (plotly needs it for PNG)
        import plotly.io as pio

        browser = find_browser()
        if browser:
            os.environ.setdefault("BROWSER_PATH", browser)
        pio.write_images(figures, [folder / f"{n}.png" for n in names], format="png",
                         width=EXPORT_WIDTH)
        return [f"{n}.png" for n in names], None
    except Exception as exc:  # no kaleido, no browser, or the browser failed: keep the charts usable
        why = " ".join(str(exc).split())[:200] or type(exc).__name__
    for name in names:
        (folder / f"{name}.png").unlink(missing_ok=True)
    for fig, name in zip(figures, names):
        fig.write_html(folder / f"{name}.html", include_plotlyjs="directory")
    return ([f"{n}.html" for n in names],
            f"The charts are interactive HTML files, not PNG: PNG export needs Kaleido and a Chrome or "
            f"Chromium browser ({why}).")
