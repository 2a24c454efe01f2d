"""Chart export for the report: PNG through Kaleido, and interactive HTML with a reason where that is impossible."""

from __future__ import annotations

import builtins

import plotly.graph_objects as go

from core.report.document import Report
from core.report.export import export_charts


def _figure():
    return go.Figure(go.Scatter(x=[1, 2, 3], y=[0.9, 0.95, 0.97]))


def test_charts_become_png_files(tmp_path):
    from PIL import Image

    written, note = export_charts([_figure(), _figure()], tmp_path, ["a", "b"])
    assert written == ["a.png", "b.png"] and note is None
    with Image.open(tmp_path / "a.png") as img:
        assert img.format == "PNG" and img.width == 1000


def test_without_kaleido_charts_are_html_and_the_report_says_why(tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_kaleido(name, *args, **kwargs):
        if name == "kaleido":
            raise ImportError("No module named 'kaleido'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_kaleido)
    report = Report(tmp_path)
    report.section("t", "Task")
    report.chart("t", "curve", _figure(), "A curve")
    path = report.write("# Header")
    md = path.read_text()
    assert (tmp_path / "curve.html").is_file() and not (tmp_path / "curve.png").exists()
    assert "[**A curve**](curve.html)" in md and "interactive HTML" in md and "kaleido" in md
    assert (tmp_path / "plotly.min.js").is_file()  # the HTML works offline
