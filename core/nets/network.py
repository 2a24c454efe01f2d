"""Build Keras functional models from a `NetConfig`, with stable layer names.

Names: `conv1..`, `bn1..`, `act1..` (only when the activation is its own layer), `pool1..` (numbered
by pooling layer), `dropout1..` (in order), `flatten`, `dense1..`, `output`.
"""

from __future__ import annotations

from core.nets.config import NetConfig


def _optimizer(config: NetConfig):
    import keras

    classes = {
        "adam": keras.optimizers.Adam,
        "sgd": keras.optimizers.SGD,
        "rmsprop": keras.optimizers.RMSprop,
        "adamw": keras.optimizers.AdamW,
        "nadam": keras.optimizers.Nadam,
    }
    return classes[config.optimizer](learning_rate=config.learning_rate)


def compile_model(model, config: NetConfig) -> None:
    """Compile with categorical cross-entropy, the config's optimizer and accuracy."""
    model.compile(
        optimizer=_optimizer(config),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )


class _Names:
    """Counters for the numbered layer names of one model (`pool1..`, `dropout1..` in order)."""

    def __init__(self):
        self.pool = self.dropout = 0

    def next_pool(self) -> str:
        self.pool += 1
        return f"pool{self.pool}"

    def next_dropout(self) -> str:
        self.dropout += 1
        return f"dropout{self.dropout}"


def _conv_block(x, block, i: int, names: _Names, reg):
    """conv -> [bn -> act] -> [dropout if before pool] -> [pool] -> [act if after pool] -> [dropout]."""
    from keras import layers

    separate_act = block.activation_after_pool or block.batch_norm
    x = layers.Conv2D(block.filters, block.kernel_size, strides=block.stride, padding=block.padding,
                      activation=None if separate_act else block.activation,
                      kernel_regularizer=reg, name=f"conv{i}")(x)
    if block.batch_norm:
        x = layers.BatchNormalization(name=f"bn{i}")(x)
        if not block.activation_after_pool:
            x = layers.Activation(block.activation, name=f"act{i}")(x)
    if block.dropout and block.dropout_before_pool:
        x = layers.Dropout(block.dropout, name=names.next_dropout())(x)
    if block.pool_size > 1:
        pool = layers.MaxPooling2D if block.pool_type == "max" else layers.AveragePooling2D
        x = pool(block.pool_size, name=names.next_pool())(x)
    if block.activation_after_pool:
        x = layers.Activation(block.activation, name=f"act{i}")(x)
    if block.dropout and not block.dropout_before_pool:
        x = layers.Dropout(block.dropout, name=names.next_dropout())(x)
    return x


def _dense_head(x, config: NetConfig, names: _Names, reg):
    """flatten (when spatial) -> hidden dense layers with their dropout -> the softmax `output`."""
    from keras import layers

    if len(x.shape) > 2:
        x = layers.Flatten(name="flatten")(x)
    for j, dense in enumerate(config.dense, start=1):
        x = layers.Dense(dense.units, activation=dense.activation, kernel_regularizer=reg,
                         name=f"dense{j}")(x)
        if dense.dropout:
            x = layers.Dropout(dense.dropout, name=names.next_dropout())(x)
    return layers.Dense(config.num_classes, activation="softmax", name="output")(x)


def build_model(config: NetConfig, compile: bool = True):
    """Build the functional model a config describes.

    Args:
        config: architecture and training settings; validated first.
        compile: compile with the config's optimizer. Defaults to True.

    Returns:
        An uncompiled or compiled `keras.Model` named after the config.
    """
    import keras

    config.validate()
    reg = keras.regularizers.L2(config.l2) if config.l2 > 0 else None
    inputs = keras.Input(shape=tuple(config.input_shape), name="image")
    names = _Names()
    x = inputs
    for i, block in enumerate(config.conv, start=1):
        x = _conv_block(x, block, i, names, reg)
    model = keras.Model(inputs, _dense_head(x, config, names, reg), name=config.name.replace("-", "_") or "model")
    if compile:
        compile_model(model, config)
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


def linear_output(model, layer_name: str, suffix: str):
    """A model from the input to layer `layer_name`'s output *without* its built-in activation.

    The layer is applied once more as a linear copy with the same weights, so the original model is not
    changed; a layer whose activation is already linear is used as it is.

    Args:
        model: a functional Keras model.
        layer_name: a layer with an `activation` (Conv2D, Dense).
        suffix: names the copy (`<layer>_<suffix>`) and the new model.
    """
    import keras

    layer = model.get_layer(layer_name)
    name = f"{model.name}_{layer_name}_{suffix}"
    if layer.get_config().get("activation", "linear") == "linear":
        return keras.Model(model.inputs[0], layer.output, name=name)
    linear = type(layer).from_config({**layer.get_config(), "activation": "linear",
                                      "name": f"{layer_name}_{suffix}"})
    output = linear(layer.input)
    linear.set_weights(layer.get_weights())
    return keras.Model(model.inputs[0], output, name=name)


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
