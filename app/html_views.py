"""Read-only views drawn as one HTML element each: a strip of captioned images, probability bars,
images per class.

A stroke reruns its fragment every few seconds, in every session that draws. Eight preprocessing
steps as `st.image` elements in `st.columns` cost the browser eight columns, eight image elements
and eight media downloads per stroke, and a Vega-Lite chart a chart compile and render; as one
`st.html` element each they show the same pictures and numbers for a fraction of the browser's
work (measured in bench/README.md, "Stroke latency and load").
"""

from __future__ import annotations

import base64
import html

import numpy as np

BAR_COLOUR = "#0068c9"  # Streamlit's own chart blue
TEST_COLOUR = "#83c9ff"  # Streamlit's light blue, for the test split beside the training split
MUTED = "opacity:0.65"  # caption text that reads on light and dark themes alike


def _png_src(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def image_strip(items, max_px: int = 112) -> str:
    """Images side by side, each with its caption under it, sharing the width equally.

    Args:
        items: (caption, PNG bytes) pairs, in order.
        max_px: the widest an image is drawn, in CSS pixels. Defaults to 112.

    Returns:
        The HTML of one flex row.
    """
    figures = "".join(
        f'<figure style="margin:0;flex:1 1 0;min-width:0;text-align:center">'
        f'<img src="{_png_src(png)}" alt="{html.escape(caption)}" style="width:100%;max-width:{max_px}px;'
        f'image-rendering:pixelated;border-radius:0.25rem">'
        f'<figcaption style="font-size:0.8rem;line-height:1.3;{MUTED}">{html.escape(caption)}</figcaption>'
        f'</figure>'
        for caption, png in items)
    return f'<div style="display:flex;gap:0.75rem;align-items:flex-start">{figures}</div>'


def probability_bars(class_names, probabilities) -> str:
    """One row per class: its name, a bar as long as its probability, and the probability in percent.

    Args:
        class_names: the model's class names, in output order.
        probabilities: the model's softmax output.

    Returns:
        The HTML of a labelled bar list (role "list", one "listitem" per class).
    """
    probs = np.asarray(probabilities, dtype=float)
    rows = "".join(
        f'<div role="listitem" style="display:flex;align-items:center;gap:0.5rem;height:1.15rem">'
        f'<span style="flex:0 0 4.5rem;text-align:right;overflow:hidden;text-overflow:ellipsis;'
        f'white-space:nowrap">{html.escape(str(name))}</span>'
        f'<span style="flex:1 1 auto;height:0.8rem;background:rgba(128,128,128,0.15);border-radius:2px">'
        f'<span style="display:block;height:100%;width:{100 * p:.1f}%;background:{BAR_COLOUR};'
        f'border-radius:2px"></span></span>'
        f'<span style="flex:0 0 3.5rem;text-align:right;font-variant-numeric:tabular-nums;{MUTED}">'
        f'{100 * p:.1f}%</span></div>'
        for name, p in zip(class_names, probs))
    return (f'<div role="list" aria-label="Probability per class" style="font-size:0.85rem">'
            f'{rows}</div>')


def _bar(value: int, largest: int, colour: str) -> str:
    width = 100 * value / largest if largest else 0
    return (f'<td style="padding:0.1rem 0.5rem;border:none;width:40%">'
            f'<span style="display:flex;align-items:center;gap:0.4rem">'
            f'<span style="flex:1 1 auto;height:0.75rem;background:rgba(128,128,128,0.15);border-radius:2px">'
            f'<span style="display:block;height:100%;width:{width:.1f}%;background:{colour};border-radius:2px">'
            f'</span></span><span style="flex:0 0 3.5rem;text-align:right;font-variant-numeric:tabular-nums">'
            f'{value:,}</span></span></td>')


def _class_label(row: dict) -> str:
    """"7" for a digit, "9: Ankle boot" for a class with a name."""
    return str(row["name"]) if str(row["name"]) == str(row["class"]) else f'{row["class"]}: {row["name"]}'


def class_count_table(rows: list[dict]) -> str:
    """Images per class in the training and test splits: a table whose cells are bars with their counts.

    Drawn without a chart library: the Data page is often the first a session opens, and plotly's
    first chart in a session (and leaving the page it is on) cost the browser 0.6-1.5 s there.

    Args:
        rows: `core.data.views.class_counts` rows (class, name, train, test).

    Returns:
        The HTML of one table with a header row and one row per class.
    """
    top_train = max((r["train"] for r in rows), default=0)
    top_test = max((r["test"] for r in rows), default=0)
    head = "".join(f'<th style="text-align:{a};padding:0.2rem 0.5rem;border:none;font-weight:600">{t}</th>'
                   for t, a in (("class", "left"), ("training images", "left"), ("test images", "left")))
    body = "".join(
        f'<tr><td style="padding:0.1rem 0.5rem;border:none;white-space:nowrap">{html.escape(_class_label(r))}</td>'
        f'{_bar(r["train"], top_train, BAR_COLOUR)}{_bar(r["test"], top_test, TEST_COLOUR)}</tr>'
        for r in rows)
    return (f'<table aria-label="Images per class" style="width:100%;border-collapse:collapse;'
            f'font-size:0.85rem;border:none"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')
