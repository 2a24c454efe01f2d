"""A stroke-based generator of handwritten-looking Greek letters (alpha, beta, gamma).

Each letter is one pen stroke through a few control points (in a unit box, y down). Every sample
jitters the points, slants, rotates and stretches the letter, smooths the path with a Catmull-Rom
spline and draws it with a random pen width and darkness on grey "paper" with uneven lighting and
grain, like the course's 133x133 pencil scans. Everything comes from one seeded generator, so the
same seed always gives the same images.

`write_default_set()` makes the lab's shipped set in `assets/greek` (`python -m core greek-assets`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.errors import LabError

# One stroke per letter: control points (x, y) in a unit box, y pointing down.
LETTERS = {
    "alpha": [(0.88, 0.22), (0.78, 0.45), (0.62, 0.66), (0.42, 0.78), (0.22, 0.72), (0.12, 0.52),
              (0.2, 0.31), (0.4, 0.25), (0.58, 0.4), (0.72, 0.64), (0.9, 0.8)],
    "beta": [(0.3, 1.0), (0.29, 0.6), (0.3, 0.24), (0.38, 0.06), (0.55, 0.01), (0.7, 0.1),
             (0.68, 0.27), (0.46, 0.38), (0.72, 0.46), (0.8, 0.62), (0.7, 0.77), (0.5, 0.8), (0.32, 0.72)],
    "gamma": [(0.08, 0.2), (0.22, 0.17), (0.37, 0.42), (0.48, 0.66), (0.39, 0.87), (0.5, 0.99),
              (0.61, 0.87), (0.54, 0.66), (0.69, 0.4), (0.9, 0.14)],
}
SIZE = 133
SUPERSAMPLE = 4


def catmull_rom(points: np.ndarray, per_segment: int = 24) -> np.ndarray:
    """A smooth path through `points` (N, 2), sampled `per_segment` times between neighbours."""
    p = np.vstack([points[0], points, points[-1]])
    t = np.linspace(0.0, 1.0, per_segment, endpoint=False)[:, None]
    out = []
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        out.append(0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t ** 2
                          + (-p0 + 3 * p1 - 3 * p2 + p3) * t ** 3))
    out.append(points[-1:])
    return np.vstack(out)


def _paper(rng: np.random.Generator, size: int) -> np.ndarray:
    import cv2

    base = rng.uniform(150, 215)
    yy, xx = np.mgrid[:size, :size] / size
    angle = rng.uniform(0, 2 * np.pi)
    gradient = (np.cos(angle) * (xx - 0.5) + np.sin(angle) * (yy - 0.5)) * rng.uniform(0, 40)
    blotches = cv2.GaussianBlur(rng.normal(0, 1, (size, size)).astype(np.float32), (0, 0), size / 8)
    blotches *= rng.uniform(0, 6) / max(float(blotches.std()), 1e-6)
    grain = rng.normal(0, rng.uniform(1.0, 3.0), (size, size))
    return base + gradient + blotches + grain


def draw_letter(letter: str, rng: np.random.Generator, size: int = SIZE) -> np.ndarray:
    """One handwritten-looking `letter` as a (size, size) uint8 greyscale image (dark ink on paper)."""
    import cv2

    if letter not in LETTERS:
        raise LabError(f"The generator draws {', '.join(LETTERS)}; not {letter!r}.")
    pts = np.array(LETTERS[letter], dtype=np.float64)
    pts += rng.normal(0.0, 0.025, pts.shape)  # every hand is a little different
    pts -= 0.5
    slant, angle = rng.uniform(-0.35, 0.25), np.deg2rad(rng.uniform(-10, 10))
    sx, sy = rng.uniform(0.75, 1.15), rng.uniform(0.85, 1.15)
    shear = np.array([[1.0, -slant], [0.0, 1.0]])  # negative x-shear with y down leans right
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    pts = pts @ np.diag([sx, sy]).T @ shear.T @ rot.T
    path = catmull_rom(pts)
    extent = (path.max(0) - path.min(0)).max()
    fill = rng.uniform(0.5, 0.72) * size  # letter height as a share of the scan
    centre = size / 2 + rng.normal(0, 0.04 * size, 2)
    path = (path - (path.max(0) + path.min(0)) / 2) / extent * fill + centre

    big = size * SUPERSAMPLE
    ink = np.zeros((big, big), np.uint8)
    width = rng.uniform(1.6, 5.0) * SUPERSAMPLE
    # pressure varies along the stroke: draw it in short pieces of slowly changing width
    pressure = 1.0 + 0.25 * np.sin(np.linspace(0, rng.uniform(2, 6), len(path)) + rng.uniform(0, 6))
    scaled = np.round(path * SUPERSAMPLE * 16).astype(np.int32)  # 4 fractional bits for cv2
    for i in range(len(scaled) - 1):
        cv2.line(ink, tuple(scaled[i]), tuple(scaled[i + 1]), 255,
                 max(1, int(round(width * pressure[i]))), cv2.LINE_AA, shift=4)
    alpha = cv2.resize(ink, (size, size), interpolation=cv2.INTER_AREA).astype(np.float64) / 255.0
    alpha = cv2.GaussianBlur(alpha, (0, 0), rng.uniform(0.3, 0.8))
    paper = _paper(rng, size)
    darkness = rng.uniform(25, 95)  # soft pencil .. dark pen
    texture = 1.0 - rng.uniform(0.0, 0.25) * rng.random((size, size))  # pencil grain in the stroke
    out = paper * (1 - alpha * texture) + darkness * alpha * texture
    return np.clip(out, 0, 255).round().astype(np.uint8)


def generate(per_class: int = 12, seed: int = 0, letters=None) -> list[tuple[str, np.ndarray]]:
    """(letter, image) pairs: `per_class` of each letter, interleaved, the same for the same seed."""
    if per_class < 1:
        raise LabError("per_class must be at least 1.")
    letters = list(letters or LETTERS)
    rng = np.random.default_rng(seed)
    return [(letter, draw_letter(letter, rng)) for _ in range(per_class) for letter in letters]


def write_set(out_dir: str | Path, per_class: int = 12, seed: int = 0) -> list[Path]:
    """Write a generated set as `alpha_001.png`, ... into `out_dir`; returns the written paths."""
    from PIL import Image

    from core.files import AtomicGroup

    out = Path(out_dir)
    counts: dict[str, int] = {}
    paths = []
    with AtomicGroup() as group:  # the whole new set, or (full disk) the whole old one
        for letter, image in generate(per_class, seed):
            counts[letter] = counts.get(letter, 0) + 1
            path = out / f"{letter}_{counts[letter]:03d}.png"
            Image.fromarray(image).save(group.stage(path), format="PNG", optimize=True)
            paths.append(path)
    return paths


def write_default_set(per_class: int = 12, seed: int = 0) -> list[Path]:
    """Regenerate the shipped default set in `assets/greek` (old generated files are replaced)."""
    from core.paths import ASSETS_DIR

    folder = ASSETS_DIR / "greek"
    old = set(folder.glob("*_[0-9][0-9][0-9].png")) if folder.is_dir() else set()
    paths = write_set(folder, per_class, seed)
    for stale in old - set(paths):  # only once the new set is complete
        stale.unlink()
    return paths
