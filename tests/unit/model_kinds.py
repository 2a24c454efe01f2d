"""Models of every kind for tests: a real Greek-letter transfer head, and a 5-output net without names."""

from __future__ import annotations

from pathlib import Path

from core.paths import ASSETS_DIR, default_model_path


def train_transfer_run(root: Path, epochs: int = 3) -> Path:
    """A finished transfer run (3-letter head on assets/greek) trained in-process with the lab's own code."""
    from core.greek.transfer import make_transfer_config, run_transfer
    from core.runs import rundir

    run_dir = rundir.new_run_dir(root, "greek-transfer")
    rundir.write_config(run_dir, make_transfer_config(default_model_path(), ASSETS_DIR / "greek", epochs=epochs))
    rundir.write_status(run_dir, state="running", started=1.0)
    result = run_transfer(run_dir)
    assert result.epochs_done == epochs
    rundir.write_status(run_dir, state="finished", finished=2.0)
    return run_dir


def save_five_output_model(path: Path) -> Path:
    """A small functional 28x28x1 classifier with 5 softmax outputs and no class names."""
    import keras

    from core.nets.modelio import save_model_atomic

    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(28, 28, 1), name="image")
    x = keras.layers.Conv2D(4, 3, activation="relu", name="conv1")(inputs)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(16, activation="relu", name="dense1")(x)
    outputs = keras.layers.Dense(5, activation="softmax", name="output")(x)
    return save_model_atomic(keras.Model(inputs, outputs), path)
