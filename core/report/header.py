"""The report's header: lab version, model, data used and the date."""

from __future__ import annotations

from datetime import datetime, timezone

from core.report.context import Context


def header(ctx: Context, numbers: dict) -> str:
    """The markdown that opens report.md."""
    import core

    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Recognition Lab report",
        "",
        f"- Lab version: **{core.__version__}**",
        f"- Model: `{ctx.model_path}`" + (f" (trained in run `{ctx.run_dir}`)" if ctx.run_dir else ""),
        f"- Parameters: {numbers.get('total_params', 0):,}",
        f"- Data: {ctx.data.name}, {len(ctx.data.x_train)} training and {len(ctx.data.x_test)} test images, "
        f"from `{ctx.data.source}`",
        f"- Your digits: {ctx.mine or 'My handwriting set'}; your letters: {ctx.letters or 'My letters'}; "
        f"letter set: `{ctx.letter_set}`",
        f"- Sweep: {ctx.study or 'none'}",
        f"- Date: {when}",
    ]
    return "\n".join(lines)
