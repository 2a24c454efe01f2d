"""Recognition Lab: `streamlit run streamlit_app.py` (or `make run`)."""

from app.navigation import run

run()
