"""Datasets of handwritten symbols (e.g. Greek letters) read from a folder or a zip file.

A symbol's class comes from, in this order: a `labels.csv` (columns `filename,label`) at the folder's
root; the folder the image sits in (`alpha/001.png`); the start of its file name (`alpha_001.png`).
Images of any size are turned into 28x28 MNIST-like images by the handwriting preprocessing
(`core.handwriting.preprocess`). A set can be written as the two CSV files the assignment asks for, one row of
784 intensities per image and one category index per image, with the class mapping beside them.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core import files
from core.errors import LabError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
IMAGES_CSV = "images.csv"
LABELS_CSV = "labels.csv"
MAPPING_JSON = "classes.json"
PIXEL_HEADER = [f"p{i}" for i in range(784)]
LABEL_HEADER = ["category"]
MAX_ZIP_BYTES = 200 * 2**20
MAX_ZIP_FILES = 5000


@dataclass
class SymbolSet:
    """Preprocessed symbols: images (N, 28, 28) float32 in [0, 1], white ink on black.

    `labels` index `class_names` (sorted); `names` are the images' paths relative to the folder;
    `skipped` lists "file: reason" for image files that could not be used.
    """

    images: np.ndarray
    labels: np.ndarray
    class_names: list
    names: list
    skipped: list = field(default_factory=list)
    source: str = ""

    def __len__(self) -> int:
        return len(self.labels)

    def counts(self) -> dict:
        """{class name: number of images}."""
        return {c: int(np.sum(self.labels == i)) for i, c in enumerate(self.class_names)}

    def subset(self, indices) -> "SymbolSet":
        """The images at `indices`, keeping the full class list (so indices stay comparable)."""
        idx = np.asarray(indices, dtype=int)
        return SymbolSet(self.images[idx], self.labels[idx], list(self.class_names),
                         [self.names[i] for i in idx], [], self.source)


def class_from_filename(name: str) -> str | None:
    """`alpha_001.png` -> `alpha`; `beta-12.jpg` -> `beta`; `gamma3.png` -> `gamma`; `001.png` -> None."""
    match = re.match(r"[^_\-\d\s.]+", Path(name).stem)
    return match.group(0) if match else None


def _read_labels_csv(folder: Path) -> dict[str, str]:
    path = folder / "labels.csv"
    if not path.is_file():
        return {}
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise LabError(f"{path} could not be read as a CSV file: {exc}.") from None
    if not rows or not {"filename", "label"} <= set(rows[0]):
        return {}  # some other labels.csv (e.g. our own category CSV): fall back to names
    return {Path(r["filename"]).as_posix(): r["label"].strip() for r in rows if r.get("label")}


def _is_hidden(rel: Path) -> bool:
    return any(part.startswith(".") or part == "__MACOSX" for part in rel.parts)


def scan_folder(folder: str | Path) -> list[tuple[str, str]]:
    """(relative path, class name) of every image file under `folder`, sorted by path.

    Raises:
        LabError: the folder does not exist, holds no images, or an image's class cannot be told.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise LabError(f"{folder} is not a folder.")
    from_csv = _read_labels_csv(folder)
    items, unnamed = [], []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or path.suffix.lower() not in IMAGE_SUFFIXES or _is_hidden(rel):
            continue
        key = rel.as_posix()
        label = from_csv.get(key)
        if label is None and len(rel.parts) > 1:
            label = rel.parts[-2]
        if label is None:
            label = class_from_filename(rel.name)
        if label is None:
            unnamed.append(key)
        else:
            items.append((key, label))
    if unnamed:
        raise LabError(
            f"Cannot tell the class of {len(unnamed)} image(s) in {folder} (e.g. {unnamed[0]}): name files "
            "like `alpha_001.png`, put them in class folders like `alpha/001.png`, or add a labels.csv "
            "with columns filename,label.")
    if not items:
        raise LabError(f"{folder} contains no images ({', '.join(IMAGE_SUFFIXES)}).")
    return items


def to_mnist(image: np.ndarray, **options) -> np.ndarray:
    """One decoded image as a 28x28 float32 MNIST-like image, through the handwriting preprocessing."""
    from core.handwriting.preprocess import preprocess

    return np.asarray(preprocess(image, **options).image, dtype=np.float32)


def load_folder(folder: str | Path, min_classes: int = 2, min_per_class: int = 1,
                **options) -> SymbolSet:
    """Read and preprocess every symbol image under `folder`.

    Args:
        folder: the folder (class from labels.csv, sub-folder or file name).
        min_classes: fewest classes accepted. Defaults to 2 (embedding comparisons need two).
        min_per_class: fewest images per class. Defaults to 1.
        **options: passed to `core.handwriting.preprocess.preprocess`.

    Returns:
        A `SymbolSet`; unreadable or blank images are listed in `skipped`, not fatal.

    Raises:
        LabError: no usable images, too few classes or images, or a class that cannot be told.
    """
    from core.handwriting.imageio import decode_image

    folder = Path(folder)
    items = scan_folder(folder)
    images, labels, names, skipped = [], [], [], []
    for rel, label in items:
        try:
            images.append(to_mnist(decode_image(folder / rel), **options))
        except LabError as exc:
            skipped.append(f"{rel}: {exc}")
            continue
        labels.append(label)
        names.append(rel)
    if not images:
        raise LabError(f"None of the {len(items)} image file(s) in {folder} could be read "
                       f"(first problem: {skipped[0]}).")
    return _finish(images, labels, names, skipped, str(folder), min_classes, min_per_class)


def _finish(images, labels, names, skipped, source, min_classes, min_per_class) -> SymbolSet:
    class_names = sorted(set(labels))
    if len(class_names) < min_classes:
        raise LabError(
            f"{source} holds only {len(class_names)} class(es) ({', '.join(class_names)}); at least "
            f"{min_classes} are needed. Name files like `alpha_001.png` or use one folder per class.")
    index = {c: i for i, c in enumerate(class_names)}
    y = np.array([index[c] for c in labels], dtype=np.int64)
    small = [c for c in class_names if np.sum(y == index[c]) < min_per_class]
    if small:
        raise LabError(f"Every class needs at least {min_per_class} images; too few for: {', '.join(small)}.")
    return SymbolSet(np.stack(images).astype(np.float32), y, class_names, names, skipped, source)


def extract_zip(data: bytes, dest: str | Path) -> Path:
    """Safely unpack an uploaded zip of symbol images into `dest` (created); returns `dest`.

    Raises:
        LabError: not a zip, too large, too many files, or paths that escape the folder.
    """
    dest = Path(dest)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise LabError("The upload is not a zip file.") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > MAX_ZIP_FILES:
            raise LabError(f"The zip holds {len(members)} files; at most {MAX_ZIP_FILES} are accepted.")
        if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
            raise LabError(f"The zip unpacks to more than {MAX_ZIP_BYTES // 2**20} MB.")
        root = dest.resolve()
        for m in members:
            target = (dest / m.filename).resolve()
            if root not in target.parents:
                raise LabError(f"The zip contains an unsafe path: {m.filename}.")
        # Unpacked beside `dest` and swapped in whole: a full disk leaves no half-unpacked set.
        files.replace_folder(dest, lambda tmp: _unpack(archive, members, tmp))
    # A zip of one folder of named files (`greek/alpha_001.png`) is read from inside that folder;
    # class folders (`greek/alpha/001.png`) already work from the top, as the parent folder counts.
    entries = [p for p in dest.iterdir() if not _is_hidden(Path(p.name))]
    if len(entries) == 1 and entries[0].is_dir():
        named = [p for p in entries[0].iterdir()
                 if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and class_from_filename(p.name)]
        if named:
            return entries[0]
    return dest


def _unpack(archive: zipfile.ZipFile, members: list, folder: Path) -> None:
    for m in members:
        (folder / m.filename).parent.mkdir(parents=True, exist_ok=True)
        (folder / m.filename).write_bytes(archive.read(m))


def write_csvs(symbols: SymbolSet, out_dir: str | Path) -> dict[str, Path]:
    """Write the assignment's two CSV files and the class mapping.

    `images.csv`: header `p0..p783`, then one row of 784 intensities (0-255, row-major 28x28, white ink
    on black) per image. `labels.csv`: header `category`, then the category index per image
    (classes in sorted order: alpha = 0, beta = 1, ...). `classes.json`: the index -> name mapping,
    counts and source file of every row.

    Returns:
        {"images": path, "labels": path, "mapping": path}.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise LabError(f"The output folder {out} is a file; choose a folder.")
    pixels = np.clip(np.rint(symbols.images.reshape(len(symbols), 784) * 255), 0, 255).astype(np.uint8)
    paths = {"images": out / IMAGES_CSV, "labels": out / LABELS_CSV, "mapping": out / MAPPING_JSON}
    mapping = {
        "classes": {str(i): c for i, c in enumerate(symbols.class_names)},
        "counts": symbols.counts(),
        "files": list(symbols.names),
        "source": symbols.source,
    }
    # All three or none: the pair and its mapping must always describe the same images.
    with files.AtomicGroup() as group:
        _write_rows(group.stage(paths["images"]), PIXEL_HEADER, pixels.tolist())
        _write_rows(group.stage(paths["labels"]), LABEL_HEADER, [[int(v)] for v in symbols.labels])
        group.stage(paths["mapping"]).write_text(json.dumps(mapping, indent=1), encoding="utf-8")
    return paths


def _write_rows(path: Path, header: list, rows: list) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def read_csvs(folder: str | Path) -> SymbolSet:
    """Read back what `write_csvs` wrote, checking headers, shapes, values and the mapping.

    Raises:
        LabError: a file is missing or its header, row length, values or count do not match.
    """
    folder = Path(folder)
    for name in (IMAGES_CSV, LABELS_CSV, MAPPING_JSON):
        if not (folder / name).is_file():
            raise LabError(f"{folder} has no {name}: write it with `python -m core greek-csv`.")
    try:
        with open(folder / IMAGES_CSV, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        with open(folder / LABELS_CSV, newline="", encoding="utf-8") as fh:
            label_rows = list(csv.reader(fh))
        mapping = json.loads((folder / MAPPING_JSON).read_text(encoding="utf-8"))
        classes = [mapping["classes"][str(i)] for i in range(len(mapping["classes"]))]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise LabError(f"Could not read the CSV files in {folder}: {exc}.") from None
    if not rows or rows[0] != PIXEL_HEADER:
        raise LabError(f"{IMAGES_CSV} must start with the header p0,...,p783.")
    if not label_rows or label_rows[0] != LABEL_HEADER:
        raise LabError(f"{LABELS_CSV} must start with the header `category`.")
    if len(rows) != len(label_rows):
        raise LabError(f"{IMAGES_CSV} has {len(rows) - 1} images but {LABELS_CSV} has {len(label_rows) - 1} labels.")
    bad = [i for i, r in enumerate(rows[1:], start=2) if len(r) != 784]
    if bad:
        raise LabError(f"{IMAGES_CSV} line {bad[0]} has {len(rows[bad[0] - 1])} values instead of 784.")
    try:
        pixels = np.array(rows[1:], dtype=np.int64).reshape(-1, 28, 28)
        labels = np.array([int(r[0]) for r in label_rows[1:]], dtype=np.int64)
    except (ValueError, IndexError):
        raise LabError("The CSV files must hold whole numbers only.") from None
    if pixels.size and (pixels.min() < 0 or pixels.max() > 255):
        raise LabError(f"{IMAGES_CSV} has intensities outside 0..255.")
    if labels.size and (labels.min() < 0 or labels.max() >= len(classes)):
        raise LabError(f"{LABELS_CSV} has a category outside 0..{len(classes) - 1}.")
    files = mapping.get("files") or [f"row{i}" for i in range(len(labels))]
    return SymbolSet((pixels / 255.0).astype(np.float32), labels, classes, list(files), [],
                     str(folder))
