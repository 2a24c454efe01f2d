"""Transfer learning: freeze the MNIST network, give it a new N-class head, train on a few symbols.

A run is an ordinary run directory (config kind "transfer") trained by the background worker
through `core.runs.training.train_loop`, so pages watch it like any run. Its config names the base model
and the folders of training and held-out letters; after training, `transfer_eval.json` compares the
new head with KNN in the embedding space on the same held-out images.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from core.runs import rundir
from core.errors import LabError
from core.nets.inputs import forward, to_batch

EVAL_FILE = "transfer_eval.json"


def make_transfer_config(model_path: str | Path, train_dir: str | Path, test_dir: str | Path | None = None,
                         epochs: int = 30, batch_size: int = 8, learning_rate: float = 0.01,
                         seed: int = 0, holdout: float = 0.34, k: int = 1) -> dict:
    """The `config.json` of a transfer run (for `core.runs.jobs.start_run` or `run_transfer`).

    Args:
        model_path: the base `.keras` model (its layers are frozen).
        train_dir: folder of training letters.
        test_dir: folder of held-out letters; when None, `holdout` of each class of `train_dir`
            is held out (spread over the class). Defaults to None.
        epochs, batch_size, learning_rate, seed: training of the new head.
        holdout: share of each class held out when there is no test folder. Defaults to 0.34.
        k: neighbours for the KNN comparison. Defaults to 1.
    """
    if epochs < 1 or batch_size < 1 or learning_rate <= 0:
        raise LabError("epochs and batch size must be at least 1 and the learning rate positive.")
    return {
        "kind": "transfer",
        "dataset": "symbols",
        "base_model": str(model_path),
        "train_dir": str(train_dir),
        "test_dir": str(test_dir) if test_dir else None,
        "holdout": float(holdout),
        "epochs": int(epochs),
        "batch_size": int(batch_size),
        "learning_rate": float(learning_rate),
        "seed": int(seed),
        "k": int(k),
        "net": {"name": "transfer"},
        "created": time.time(),
    }


def holdout_split(labels: np.ndarray, share: float) -> tuple[np.ndarray, np.ndarray]:
    """(train indices, test indices): about `share` of every class held out, spread over the class.

    Raises:
        LabError: a class has fewer than two images (nothing would be left to train or test on).
    """
    train, test = [], []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        if len(idx) < 2:
            raise LabError("Holding out letters needs at least two images per class; "
                           "add images or give a separate test folder.")
        n_test = min(len(idx) - 1, max(1, int(round(share * len(idx)))))
        picks = np.unique(np.linspace(0, len(idx) - 1, n_test + 2)[1:-1].round().astype(int))
        test.extend(idx[picks])
        train.extend(np.setdiff1d(idx, idx[picks]))
    return np.array(sorted(train)), np.array(sorted(test))


def load_transfer_data(config: dict):
    """(train SymbolSet, test SymbolSet) for a transfer config; test classes map onto train classes.

    Raises:
        LabError: unreadable folders, or held-out letters of a class the head is not trained on.
    """
    from core.greek.symbols import load_folder

    train = load_folder(config["train_dir"])
    if not config.get("test_dir"):
        tr, te = holdout_split(train.labels, float(config.get("holdout", 0.34)))
        return train.subset(tr), train.subset(te)
    test = load_folder(config["test_dir"], min_classes=1)
    unknown = sorted(set(test.class_names) - set(train.class_names))
    if unknown:
        raise LabError(f"The held-out letters include classes the training folder lacks: "
                       f"{', '.join(unknown)}. Training classes: {', '.join(train.class_names)}.")
    remap = np.array([train.class_names.index(c) for c in test.class_names])
    test.labels = remap[test.labels]
    test.class_names = list(train.class_names)
    return train, test


def build_transfer_model(base, num_classes: int, learning_rate: float = 0.01):
    """The base model frozen up to its embedding layer, with a new trainable softmax head `output`."""
    import keras

    from core.greek.embedding import embedding_layer

    cut = base.get_layer(embedding_layer(base)).output
    for layer in base.layers:
        layer.trainable = False
    head = keras.layers.Dense(num_classes, activation="softmax", name="output")(cut)
    model = keras.Model(base.inputs[0], head, name="transfer")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def run_transfer(run_dir: str | Path, reporter=None):
    """Train a transfer run (worker job kind "transfer") and write its KNN comparison.

    Returns:
        The `core.runs.training.LoopResult`.
    """
    import keras

    from core.nets.modelio import load_model
    from core.runs.training import train_loop

    run_dir = Path(run_dir)
    config = rundir.read_config(run_dir)
    keras.utils.set_random_seed(int(config.get("seed", 0)))
    train, test = load_transfer_data(config)
    base = load_model(config["base_model"])
    model = build_transfer_model(base, len(train.class_names), float(config.get("learning_rate", 0.01)))
    n = len(train.class_names)
    rundir.write_json_atomic(run_dir / "classes.json", {"classes": train.class_names,
                                                        "train": train.names, "test": test.names})
    # Record what the new head's outputs mean where every page looks for it (before model.keras exists).
    rundir.write_config(run_dir, {**config, "class_names": list(train.class_names)})
    result = train_loop(run_dir, model, to_batch(train.images), keras.utils.to_categorical(train.labels, n),
                        to_batch(test.images), keras.utils.to_categorical(test.labels, n),
                        epochs=int(config["epochs"]), batch_size=int(config["batch_size"]),
                        reporter=reporter)
    if result.epochs_done:
        compare = compare_with_knn(model, base, train, test, k=int(config.get("k", 1)))
        rundir.write_json_atomic(run_dir / EVAL_FILE, compare)
    return result


def compare_with_knn(transfer_model, base_model, train, test, k: int = 1, mode: str | None = None) -> dict:
    """The transfer head and KNN in the base model's embedding space on the same held-out images.

    Returns:
        {"classes", "test_accuracy", "knn_accuracy", "k", "rows": [{"name", "label", "transfer",
        "knn", "probability"}]}.
    """
    from core.greek.embedding import DEFAULT_MODE, feature_model, knn_features
    from core.greek.knn import classify

    probs = forward(transfer_model, test.images)
    pred = probs.argmax(axis=1)
    fm = feature_model(base_model)
    mode = mode or DEFAULT_MODE
    knn = classify(knn_features(fm, train.images, mode), train.labels, knn_features(fm, test.images, mode),
                   k=min(k, len(train)), test_labels=test.labels, num_classes=len(train.class_names))
    names = train.class_names
    rows = [{"name": test.names[i], "label": names[int(test.labels[i])], "transfer": names[int(pred[i])],
             "knn": names[int(knn.predicted[i])], "probability": float(probs[i, pred[i]])}
            for i in range(len(test))]
    return {"classes": names, "test_accuracy": float(np.mean(pred == test.labels)),
            "knn_accuracy": float(knn.accuracy), "k": int(knn.k), "knn_mode": mode,
            "train_images": len(train), "test_images": len(test), "rows": rows}


def read_comparison(run_dir: str | Path) -> dict | None:
    """The run's `transfer_eval.json`, or None before it exists."""
    return rundir.read_json(Path(run_dir) / EVAL_FILE)
