"""`python -m core predict`: read handwritten characters in image files with a model.

One JSON line per image (or per character found with `--sheet`): file (as given), label (class
index), name (the model's class name: "7", "beta"), confidence, probabilities, and box for sheets.
A model that cannot read a 28x28 character (no classifier output, another input size) exits 2. An unreadable file gives a line with an `error`
for that file; the others are still read and the command exits 2 at the end.
"""

from __future__ import annotations

import sys

from core.commands.common import add_json_option, add_model_option, emit_json

ORDER = 30


def register(sub) -> None:
    p = sub.add_parser("predict", help="read handwritten digits in photos, scans or drawings",
                       description="Preprocess each image like MNIST (polarity, lighting, crop, 20x20 "
                                   "fit, centre of mass) and print what the model reads.")
    add_model_option(p)
    p.add_argument("--sheet", action="store_true",
                   help="each image is a page with several characters: read every one, in reading order")
    add_json_option(p)
    p.add_argument("images", nargs="+", metavar="IMAGE", help="image files (PNG, JPEG, BMP, WebP, GIF...)")
    p.set_defaults(func=run)


def _results_for(path: str, model, sheet: bool, names) -> list[dict]:
    from core.handwriting.imageio import decode_image
    from core.handwriting.preprocess import preprocess
    from core.handwriting.reading import read
    from core.handwriting.sheets import segment

    image = decode_image(path)
    if sheet:
        characters, _ = segment(image)
        readings = read(model, [c.image for c in characters], names)
        return [{"file": path, "index": i, **r.as_dict(), "box": list(c.box), "row": c.row}
                for i, (c, r) in enumerate(zip(characters, readings))]
    result = preprocess(image)
    return [{"file": path, **read(model, result.image, names)[0].as_dict()}]


def run(args) -> int:
    from core.errors import LabError
    from core.handwriting.reading import check_readable
    from core.nets.kind import model_kind
    from core.nets.modelio import load_model
    from core.paths import default_model_path

    model_path = args.model or default_model_path()
    model = load_model(model_path)
    kind = model_kind(model_path, model)
    check_readable(kind)
    if kind.notice:
        print(f"note: {kind.notice}", file=sys.stderr)
    failed = 0
    for path in args.images:
        try:
            rows = _results_for(path, model, args.sheet, kind.class_names)
        except LabError as exc:
            failed += 1
            if args.json:
                emit_json({"file": path, "error": str(exc)})
            else:
                print(f"{path}: error: {exc}", file=sys.stderr)
            continue
        for row in rows:
            if args.json:
                emit_json(row)
            else:
                where = f" #{row['index'] + 1} at {tuple(row['box'])}" if "box" in row else ""
                print(f"{path}{where}: {row['name']}  ({row['confidence']:.1%})")
    if failed:
        print(f"error: {failed} of {len(args.images)} file(s) could not be read", file=sys.stderr)
        return 2
    return 0
