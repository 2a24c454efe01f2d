"""A report folder being filled: items (PNG pictures, plotly charts, CSV tables, text) under task headings.

Pictures and tables are written as they are added; plotly charts are queued and exported together at the
end (one browser start for all of them, see `core.report.export`). `write` produces report.md last, through
`core.files`' atomic writes (as every file of the report), so a folder with a report.md is always a finished
report.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from core.files import write_bytes_atomic, write_text_atomic


@dataclass
class Section:
    """One heading of report.md and its markdown blocks, in order."""

    title: str
    blocks: list = field(default_factory=list)


class Report:
    """Collects the items of a report into `out` (created if needed)."""

    def __init__(self, out: str | Path):
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.sections: dict[str, Section] = {}
        self.files: list[str] = []
        self.numbers: dict = {}
        self._charts: list = []  # (figure, file name, section key, block index)

    def section(self, key: str, title: str) -> None:
        """Start (or reuse) the heading `title`; later items of `key` go under it."""
        self.sections.setdefault(key, Section(title))

    def text(self, key: str, markdown: str) -> None:
        self.sections[key].blocks.append(markdown.strip())

    def picture(self, key: str, name: str, image, title: str, caption: str = "") -> str:
        """Save a PIL picture as `<name>.png` and link it."""
        from core.examine.pictures import to_png

        self._save(f"{name}.png", to_png(image))
        return self._link(key, f"{name}.png", title, caption, image=True)

    def chart(self, key: str, name: str, figure, title: str, caption: str = "") -> None:
        """Queue a plotly figure for export as `<name>.png` (or `.html` when no PNG export is possible)."""
        self._link(key, f"{name}.png", title, caption, image=True)
        self._charts.append((figure, name, key, len(self.sections[key].blocks) - 1, title, caption))

    def table(self, key: str, name: str, rows: list[dict], title: str, caption: str = "",
              inline: bool = False) -> str:
        """Save dict rows as `<name>.csv`, link it, and show it in report.md too when `inline`."""
        columns = list(dict.fromkeys(k for r in rows for k in r))
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        self._save(f"{name}.csv", buf.getvalue().encode())
        self._link(key, f"{name}.csv", title, caption)
        if inline and rows:
            self.sections[key].blocks.append(markdown_table(rows, columns))
        return f"{name}.csv"

    def raw_file(self, key: str, name: str, data: bytes, title: str, caption: str = "") -> str:
        self._save(name, data)
        return self._link(key, name, title, caption)

    def _save(self, name: str, data: bytes) -> None:
        write_bytes_atomic(self.out / name, data)
        if name not in self.files:
            self.files.append(name)

    def _link(self, key: str, name: str, title: str, caption: str, image: bool = False) -> str:
        self.sections[key].blocks.append(link_block(name, title, caption, image))
        return name

    def write(self, header: str) -> Path:
        """Export the queued charts, then write report.md (atomically) and return its path."""
        from core.report.export import export_charts

        if self._charts:
            written, note = export_charts([c[0] for c in self._charts], self.out, [c[1] for c in self._charts])
            for (_, name, key, index, title, caption), file in zip(self._charts, written):
                self.sections[key].blocks[index] = link_block(file, title, caption, file.endswith(".png"))
                self.files.append(file)
            if note:
                self.numbers["chart_export_note"] = note
                header += f"\n\n> {note}"
        body = [header.strip()] + [f"## {s.title}\n\n" + "\n\n".join(s.blocks) for s in self.sections.values()]
        return write_text_atomic(self.out / "report.md", "\n\n".join(body) + "\n")


def link_block(name: str, title: str, caption: str = "", image: bool = False) -> str:
    """An item in report.md: a picture shown under its title, or a linked file (CSV, HTML)."""
    text = f"**{title}**\n\n![{title}]({name})" if image else f"[**{title}**]({name})"
    return text + (f"\n\n{caption}" if caption else "")


def _cell(value) -> str:
    if isinstance(value, float):  # 2 decimals for SSDs and seconds, 4 digits for rates and accuracies
        return f"{value:.2f}" if abs(value) >= 1 else f"{value:.4g}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(rows: list[dict], columns: list[str] | None = None) -> str:
    """Dict rows as a markdown table (floats: 2 decimals from 1 up, else 4 significant digits)."""
    columns = columns or list(dict.fromkeys(k for r in rows for k in r))
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(r.get(c, "")) for c in columns) + " |" for r in rows]
    return "\n".join(lines)
