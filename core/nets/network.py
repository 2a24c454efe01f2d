"""Build Keras functional models from a `NetConfig`, with stable layer names.

Names: `conv1..`, `bn1..`, `act1..` (only when the activation is its own layer), `pool1..` (numbered
by pooling layer), `dropout1..` (in order), `flatten`, `dense1..`, `output`.
"""

from __future__ import annotations

from core.nets.config import NetConfig


def learning_rate(config: NetConfig, steps_per_epoch: int | None = None):
    """The optimizer's learning rate: a float, or the config's schedule over all training steps.

    Raises:
        LabError: a schedule without `steps_per_epoch` (its length is needed to shape it).
    """
    import keras

    from core.errors import LabError

    if config.lr_schedule == "constant":
        return config.learning_rate
    if not steps_per_epoch:
        raise LabError(f"The {config.lr_schedule!r} schedule needs the number of steps per epoch.")
    total = max(1, int(steps_per_epoch) * int(config.epochs))
    warmup = int(round(config.warmup_fraction * total))
    return keras.optimizers.schedules.CosineDecay(
        config.learning_rate / 10 if warmup else config.learning_rate, decay_steps=max(1, total - warmup),
        warmup_target=config.learning_rate if warmup else None, warmup_steps=warmup)


def _optimizer(config: NetConfig, steps_per_epoch: int | None = None):
    import keras

    classes = {
        "adam": keras.optimizers.Adam,
        "sgd": keras.optimizers.SGD,
        "rmsprop": keras.optimizers.RMSprop,
        "adamw": keras.optimizers.AdamW,
        "nadam": keras.optimizers.Nadam,
    }
    return classes[config.optimizer](learning_rate=learning_rate(config, steps_per_epoch))


def compile_model(model, config: NetConfig, steps_per_epoch: int | None = None) -> None:
    """Compile with categorical cross-entropy, the config's optimizer (and schedule) and accuracy."""
    model.compile(
        optimizer=_optimizer(config, steps_per_epoch),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )


def _conv_block(x, block, i: int, config: NetConfig, reg, counts: dict):
    """Add conv block `i` (conv, [bn, act], [dropout], [pool], [act], [dropout]) to the graph at `x`."""
    from keras import layers

    separate_act = block.activation_after_pool or block.batch_norm
    x = layers.Conv2D(
        block.filters, block.kernel_size, strides=block.stride, padding=block.padding,
        activation=None if separate_act else block.activation,
        kernel_regularizer=reg, name=f"conv{i}",
    )(x)
    if block.batch_norm:
        x = layers.BatchNormalization(momentum=config.bn_momentum, name=f"bn{i}")(x)
        if not block.activation_after_pool:
            x = layers.Activation(block.activation, name=f"act{i}")(x)
    if block.dropout and block.dropout_before_pool:
        x = _dropout(x, block.dropout, counts)
    if block.pool_size > 1:
        counts["pool"] += 1
        pool = layers.MaxPooling2D if block.pool_type == "max" else layers.AveragePooling2D
        x = pool(block.pool_size, name=f"pool{counts['pool']}")(x)
    if block.activation_after_pool:
        x = layers.Activation(block.activation, name=f"act{i}")(x)
    if block.dropout and not block.dropout_before_pool:
        x = _dropout(x, block.dropout, counts)
    return x


def _dropout(x, rate: float, counts: dict):
    from keras import layers

    counts["dropout"] += 1
    return layers.Dropout(rate, name=f"dropout{counts['dropout']}")(x)


def build_model(config: NetConfig, compile: bool = True, steps_per_epoch: int | None = None):
    """Build the functional model a config describes.

    Args:
        config: architecture and training settings; validated first.
        compile: compile with the config's optimizer. Defaults to True.
        steps_per_epoch: training batches per epoch, needed by a learning-rate schedule.
            Defaults to None (only a constant learning rate).

    Returns:
        An uncompiled or compiled `keras.Model` named after the config.
    """
    import keras
    from keras import layers

    config.validate()
    reg = keras.regularizers.L2(config.l2) if config.l2 > 0 else None
    inputs = keras.Input(shape=tuple(config.input_shape), name="image")
    x, counts = inputs, {"pool": 0, "dropout": 0}
    for i, block in enumerate(config.conv, start=1):
        x = _conv_block(x, block, i, config, reg, counts)
    if len(x.shape) > 2:
        x = layers.Flatten(name="flatten")(x)
    for j, dense in enumerate(config.dense, start=1):
        x = layers.Dense(dense.units, activation=dense.activation, kernel_regularizer=reg,
                         name=f"dense{j}")(x)
        if dense.dropout:
            x = _dropout(x, dense.dropout, counts)
    outputs = layers.Dense(config.num_classes, activation="softmax", name="output")(x)
    model = keras.Model(inputs, outputs, name=config.name.replace("-", "_") or "model")
    if compile:
        compile_model(model, config, steps_per_epoch)
    return model


def layer_table(model) -> list[dict]:
    """One row per layer: name, type, output shape and parameter count (for summaries)."""
    rows = []
    for layer in model.layers:
        shape = getattr(layer, "output", None)
        shape = tuple(shape.shape) if shape is not None else ()
        rows.append({
            "name": layer.name,
            "type": type(layer).__name__,
            "output_shape": "x".join(str(d) for d in shape[1:]) if shape else "",
            "params": int(layer.count_params()),
        })
    return rows


def truncate(model, layer_name: str):
    """A model from the same input to the output of `layer_name`.

    Raises:
        LabError: when the model has no such layer, listing the names it has.
    """
    import keras

    from core.errors import LabError

    names = [layer.name for layer in model.layers]
    if layer_name not in names:
        raise LabError(f"The model has no layer {layer_name!r}. Its layers are: {', '.join(names)}.")
    return keras.Model(model.inputs[0], model.get_layer(layer_name).output,
                       name=f"{model.name}_to_{layer_name}")


def forward_flops(model) -> int:
    """Multiply-add FLOPs (2 per MAC) of one forward pass for one image, counting conv and dense layers.

    A training step costs about three times this (forward, and two backward products).
    """
    total = 0
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "Conv2D":
            kh, kw = layer.kernel_size
            c_in = layer.input.shape[-1]
            _, h, w, c_out = layer.output.shape
            total += 2 * h * w * kh * kw * c_in * c_out
        elif kind == "Dense":
            total += 2 * layer.input.shape[-1] * layer.units
    return int(total)
