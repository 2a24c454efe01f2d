"""The MNIST network as an embedding space: cut it at its 128-unit dense layer and compare vectors.

The raw embedding is what the assignment asks for (and what the SSD tables show). For nearest
neighbours, `knn_features` can also average each image's vectors over a few small shifts and
rotations (test-time augmentation), scale them to unit length, and add the pooled convolution
features: a letter drawn a little off-centre or with another pen then lands next to its own class.
Measured leave-one-out 1-NN accuracy with the default model is in the Greek page's notes.
"""

from __future__ import annotations

import weakref

import numpy as np

from core.errors import LabError
from core.nets.inputs import forward

EMBED_LAYER = "dense1"
# (dx, dy, degrees): small shifts and rotations used for test-time augmentation.
TTA_TRANSFORMS = ((0, 0, 0), (1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 8), (0, 0, -8))
_FEATURE_MODELS = weakref.WeakKeyDictionary()  # model -> its feature model (`feature_model`)


def embedding_layer(model) -> str:
    """Name of the layer to cut at: `dense1` when present, else the last hidden Dense layer.

    Raises:
        LabError: the model has no hidden dense layer.
    """
    names = [layer.name for layer in model.layers]
    if EMBED_LAYER in names:
        return EMBED_LAYER
    dense = [layer.name for layer in model.layers[:-1] if type(layer).__name__ == "Dense"]
    if not dense:
        raise LabError("The model has no hidden dense layer to use as an embedding "
                       f"(its layers are: {', '.join(names)}).")
    return dense[-1]


def embedder(model, layer: str | None = None):
    """The model cut at its embedding layer (by name, via `core.nets.network.truncate`)."""
    from core.nets.network import truncate

    return truncate(model, layer or embedding_layer(model))


def embed(cut_model, images: np.ndarray) -> np.ndarray:
    """Raw embeddings (N, D) of 28x28 images in [0, 1] (white ink on black)."""
    out = forward(cut_model, images)
    return out.reshape(len(out), int(np.prod(out.shape[1:])))


def shift_rotate(images: np.ndarray, dx: int, dy: int, degrees: float) -> np.ndarray:
    """Images moved by (dx, dy) pixels and rotated about their centre (zero fill)."""
    import cv2

    out = np.empty_like(images, dtype=np.float32)
    m = cv2.getRotationMatrix2D((13.5, 13.5), degrees, 1.0)
    m[:, 2] += (dx, dy)
    for i, img in enumerate(np.asarray(images, dtype=np.float32)):
        out[i] = cv2.warpAffine(img, m, (28, 28), flags=cv2.INTER_LINEAR, borderValue=0.0)
    return out


FEATURE_MODES = {
    "raw": "the raw 128 numbers, as in the SSD tables",
    "embedding": "128-d embedding averaged over small shifts/rotations, unit length",
    "combined": "embedding + pooled conv features (both averaged over shifts/rotations, unit length)",
}
DEFAULT_MODE = "combined"


def spatial_layer(model) -> str | None:
    """The last layer with a spatial (H, W, C) output, e.g. `dropout1`/`pool1` of the assignment net."""
    spatial = [layer.name for layer in model.layers[1:] if len(getattr(layer, "output").shape) == 4]
    return spatial[-1] if spatial else None


def feature_model(model):
    """One model giving (spatial features, embedding) of an image in one pass (None spatial if absent).

    Made once per model object and kept while that model lives: a new Keras model per drawn letter
    also needs its prediction function traced anew, most of a stroke's time on the Greek page.
    """
    import keras

    made = _FEATURE_MODELS.get(model)
    if made is None:
        emb = model.get_layer(embedding_layer(model)).output
        name = spatial_layer(model)
        outputs = [model.get_layer(name).output if name else emb, emb]
        made = _FEATURE_MODELS[model] = keras.Model(model.inputs[0], outputs, name=f"{model.name}_features")
    return made


def _unit(f: np.ndarray) -> np.ndarray:
    f = f.reshape(len(f), -1)
    return f / np.maximum(np.linalg.norm(f, axis=1, keepdims=True), 1e-8)


def knn_features(features_model, images: np.ndarray, mode: str = DEFAULT_MODE,
                 batch_size: int = 256) -> np.ndarray:
    """Vectors for nearest-neighbour search, computed with a `feature_model`.

    Args:
        features_model: from `feature_model(model)`.
        images: (N, 28, 28) floats in [0, 1].
        mode: one of `FEATURE_MODES`. "raw" is the plain embedding; "embedding" averages it over
            `TTA_TRANSFORMS` and scales it to unit length; "combined" appends the pooled conv
            features (signed square root, averaged, unit length) with equal weight. Defaults to
            "combined", the most accurate on real handwriting (see the Greek page's notes).

    Returns:
        (N, D) float32.
    """
    return knn_features_by_mode(features_model, images, (mode,), batch_size)[mode]


def knn_features_by_mode(features_model, images: np.ndarray, modes=tuple(FEATURE_MODES),
                         batch_size: int = 256) -> dict[str, np.ndarray]:
    """`knn_features` for several modes at once, from one forward pass per transform (see there).

    Returns:
        {mode: (N, D) float32} for each of `modes`.
    """
    unknown = [m for m in modes if m not in FEATURE_MODES]
    if unknown:
        raise LabError(f"Unknown feature mode {unknown[0]!r}. Available modes are: {', '.join(FEATURE_MODES)}.")
    images = np.asarray(images, dtype=np.float32).reshape(-1, 28, 28)
    transforms = TTA_TRANSFORMS[:1] if set(modes) == {"raw"} else TTA_TRANSFORMS
    out, spatial_sum, emb_sum = {}, 0.0, 0.0
    for t in transforms:
        spatial, emb = forward(features_model, shift_rotate(images, *t) if t != (0, 0, 0) else images,
                               batch_size)
        if t == (0, 0, 0):
            out["raw"] = emb.astype(np.float32)
        emb_sum = emb_sum + _unit(emb)
        # signed square root damps the few very active pooled units (power normalisation)
        spatial = spatial.reshape(len(spatial), -1)
        spatial_sum = spatial_sum + _unit(np.sign(spatial) * np.sqrt(np.abs(spatial)))
    if len(transforms) > 1:
        out["embedding"] = _unit(emb_sum).astype(np.float32)
        out["combined"] = (np.concatenate([_unit(spatial_sum), _unit(emb_sum)], axis=1)
                           / np.sqrt(2.0)).astype(np.float32)
    return {m: out[m] for m in modes}


def ssd_matrix(a: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """Sum-squared distances between the rows of `a` and `b` (default `a`): (len(a), len(b)) float64.

    Against itself the matrix is exactly symmetric with a zero diagonal.
    """
    a = np.asarray(a, dtype=np.float64)
    same = b is None
    b = a if same else np.asarray(b, dtype=np.float64)
    d = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    d = np.maximum(d, 0.0)
    if same:
        d = (d + d.T) / 2.0
        np.fill_diagonal(d, 0.0)
    return d


def ssd_table(embeddings: np.ndarray, index: int, labels=None, names=None, class_names=None) -> list[dict]:
    """The SSD from image `index` to every image, sorted ascending (itself first, at 0).

    Returns:
        Rows {"index", "ssd", and "label"/"class"/"name" when given}.
    """
    e = np.asarray(embeddings, dtype=np.float64)
    d = ((e - e[index]) ** 2).sum(axis=1)
    d[index] = 0.0
    rows = []
    for i in np.argsort(d, kind="stable"):
        row = {"index": int(i), "ssd": float(d[i])}
        if labels is not None:
            row["label"] = int(labels[i])
            if class_names is not None:
                row["class"] = class_names[int(labels[i])]
        if names is not None:
            row["name"] = names[i]
        rows.append(row)
    return rows


def write_embeddings_csv(path, names, classes, vectors: np.ndarray):
    """Write one row `file, class, e0..eN` per image, atomically (a full disk keeps the old file).

    Args:
        path: the CSV file to create or replace; a folder there is refused.
        names: each image's file name.
        classes: each image's class name.
        vectors: (N, D) embeddings.

    Returns:
        The written path.

    Raises:
        LabError: the path is a folder, or the disk is full or not writable.
    """
    import csv

    from core.files import atomic_write

    def write(tmp):
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["file", "class"] + [f"e{i}" for i in range(vectors.shape[1])])
            for name, label, row in zip(names, classes, vectors):
                writer.writerow([name, label] + [f"{v:.6g}" for v in row])

    return atomic_write(path, write)
