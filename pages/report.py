"""Report: every figure and table of the assignment in one folder and one zip, made in one click.

UI only. The report is made by `python -m core report` in its own OS process (it loads TensorFlow and
runs for a minute); the page starts it, polls its folder and offers the zip of the finished folder.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import streamlit as st

from app.active_model import active_entry
from app.server import server_folders_allowed
from core.paths import ROOT, workspace_dir

NO_STUDY = "(no sweep: leave Task 4 out)"
MY_SET = "My handwriting set"
MY_LETTERS = "My letters"
FOLDER = "A folder on this computer"


def _folder_choice(label: str, default: str, key: str) -> str | None:
    offered = [default, FOLDER] if server_folders_allowed() else [default]  # server disk: local only
    choice = st.radio(label, offered, horizontal=True, key=key)
    if choice == default:
        return None
    return st.text_input(f"{label}: folder path", key=f"{key}_path").strip() or None


def options_ui() -> list[str] | None:
    """The choices a report is made from, as `python -m core report` arguments (None: not ready)."""
    from core.sweep.storage import local_studies

    entry = active_entry()
    st.markdown(f"Model: **{entry.label}** (the active model; switch it in the sidebar).")
    left, right = st.columns(2)
    studies = local_studies()
    with left:
        study = st.selectbox("Sweep for Task 4", studies + [NO_STUDY], key="report_study",
                             help="Your sweeps on the Experiments page; the newest is picked first.")
    with right:
        mine = _folder_choice("Your digits", MY_SET, "report_mine")
        letters = _folder_choice("Your letters", MY_LETTERS, "report_letters")
    args = ["--model", entry.path]
    args += ["--no-study"] if study == NO_STUDY else ["--study", study]
    for flag, value, name in (("--mine", mine, "report_mine"), ("--letters", letters, "report_letters")):
        if st.session_state.get(name) == FOLDER and not value:
            st.info("Enter the folder path, or choose the set kept in the lab.")
            return None
        if value and not Path(value).expanduser().is_dir():
            st.error(f"The folder {value} does not exist.")
            return None
        if value:
            args += [flag, str(Path(value).expanduser())]
    return args


def start(args: list[str]) -> None:
    """Start `python -m core report` into a new folder of the workspace."""
    out = workspace_dir("reports") / time.strftime("report-%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".report.log", "w", encoding="utf-8") as log:  # the child keeps its own handle
        proc = subprocess.Popen([sys.executable, "-m", "core", "report", "--out", str(out), *args], cwd=ROOT,
                                stdout=log, stderr=subprocess.STDOUT)
    st.session_state["report_job"] = {"out": str(out), "pid": proc.pid}
    st.session_state["report_proc"] = proc


def _log_lines(out: Path) -> list[str]:
    path = out / ".report.log"
    return path.read_text(encoding="utf-8", errors="replace").strip().splitlines() if path.is_file() else []


def job_ui() -> None:
    """The running report's progress, then its result; polls while the process runs."""
    job = st.session_state.get("report_job")
    if not job:
        return
    proc = st.session_state.get("report_proc")
    running = proc is not None and proc.poll() is None

    @st.fragment(run_every=1.0 if running else None)
    def _poll():
        out = Path(job["out"])
        if proc is not None and proc.poll() is None:
            lines = _log_lines(out)
            st.info(f"Making the report... {lines[-1] if lines else 'loading TensorFlow and the data'}")
            return
        if st.session_state.pop("report_was_running", False):
            st.rerun()  # one full run turns polling off
        if proc is not None and proc.returncode != 0:
            st.error(" ".join(_log_lines(out)[-1:]) or "The report could not be made.")
            return
        result_ui(out)

    st.session_state["report_was_running"] = running
    _poll()


def result_ui(out: Path) -> None:
    """A finished report: its numbers, the zip download and the list of files."""
    from core.report.build import NUMBERS_FILE, zip_folder

    numbers = json.loads((out / NUMBERS_FILE).read_text(encoding="utf-8"))
    files = sorted(p.name for p in out.iterdir() if p.is_file() and not p.name.startswith("."))
    t1 = numbers["task1"]
    st.success(f"Report ready: {len(files)} files in `{out}`. Test accuracy {t1['test_accuracy']:.4f}, "
               f"loss {t1['test_loss']:.4f}.")
    if numbers.get("chart_export_note"):
        st.warning(numbers["chart_export_note"])
    st.download_button("Download the report (zip)", zip_folder(out), file_name=f"{out.name}.zip",
                       mime="application/zip", key="report_zip", on_click="ignore", icon=":material/download:")
    with st.expander("report.md"):
        st.code((out / "report.md").read_text(encoding="utf-8"), language="markdown")
    st.dataframe([{"file": f} for f in files], hide_index=True, key="report_files")


def earlier_ui() -> None:
    """The finished reports of this workspace (newest first), for when this session started none."""
    folders = sorted((p for p in workspace_dir("reports").iterdir() if (p / "report.md").is_file()),
                     key=lambda p: p.name, reverse=True)
    if not folders:
        return
    st.subheader("Earlier reports")
    name = st.selectbox("Report", [p.name for p in folders], key="report_earlier")
    result_ui(workspace_dir("reports") / name)


st.title("Report")
st.markdown("Every figure and table the assignment asks for, for the active model: one PNG or CSV per item, "
            "and a `report.md` that links them under a heading per task and fills in the numbers. "
            "The same as `python -m core report --out DIR`.")
arguments = options_ui()
if st.button("Make the report", type="primary", key="report_make", disabled=arguments is None):
    start(arguments)
if st.session_state.get("report_job"):
    job_ui()
else:
    earlier_ui()
