"""Recognition Lab's entry script: `streamlit run app/main.py` (or `make run`).

It lives in app/, not beside pages/: Streamlit treats a `pages/` folder next to the entry script as
its legacy multipage layout, which makes a first visit straight to a deep link (e.g. /train) run
that page without the shell (navigation, sidebar, layout).
"""

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
_ROOT = _HERE.parent
# Streamlit puts the entry's folder (app/) first on sys.path; the project root is what we import from.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from app import preload  # noqa: E402
from app.navigation import run  # noqa: E402
from app.script_runs import keep_keras_state  # noqa: E402

keep_keras_state()
try:
    run()
finally:
    preload.start()  # once per process, after the first page has been drawn
