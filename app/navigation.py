"""The page list and the shell every page runs inside (page config, sidebar)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent

# (file under pages/, title, icon, section)
PAGES = [
    ("home.py", "Home", ":material/home:", "Lab"),
    ("data.py", "Data", ":material/dataset:", "Train"),
    ("train.py", "Train", ":material/model_training:", "Train"),
    ("evaluate.py", "Evaluate", ":material/fact_check:", "Train"),
    ("draw.py", "Your handwriting", ":material/draw:", "Use"),
    ("examine.py", "Examine", ":material/biotech:", "Look inside"),
    ("greek.py", "Greek letters", ":material/translate:", "Re-purpose"),
    ("experiments.py", "Experiments", ":material/science:", "Re-purpose"),
    ("report.py", "Report", ":material/summarize:", "Report"),
]


def build_navigation():
    """`st.navigation` over every page file that exists, grouped in sections."""
    sections: dict[str, list] = {}
    for filename, title, icon, section in PAGES:
        path = ROOT / "pages" / filename
        if path.is_file():
            sections.setdefault(section, []).append(
                st.Page(str(path), title=title, icon=icon, default=filename == "home.py",
                        url_path=filename.removesuffix(".py")))
    return st.navigation(sections)


def run() -> None:
    """Configure the page, draw the shared sidebar and run the selected page."""
    from app import catalog
    from app.active_model import sidebar
    from app.server import run_guarded

    st.set_page_config(page_title="Recognition Lab", page_icon=":material/draw:", layout="wide")
    page = build_navigation()
    catalog.refresh()  # once per rerun: the sidebar and the page read this listing
    sidebar()
    run_guarded(page.run)
