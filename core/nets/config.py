"""Network and training configuration as plain dataclasses with a JSON round-trip, and presets.

A `NetConfig` fully describes a model and how it is trained; `core.nets.network.build_model` turns it
into a Keras functional model whose layer names are stable (`conv1`, `conv2`, `pool1`, `dense1`,
..., `output`) so that truncation and filter extraction can find layers by name.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace

from core.errors import LabError

ACTIVATIONS = ("relu", "tanh", "sigmoid", "elu", "selu", "gelu", "swish", "leaky_relu", "linear")
OPTIMIZERS = ("adam", "sgd", "rmsprop", "adamw", "nadam")
PADDINGS = ("valid", "same")
POOL_TYPES = ("max", "avg")
LR_SCHEDULES = ("constant", "cosine")


@dataclass
class ConvBlock:
    """One convolution, optionally followed by pooling and dropout.

    Layer order within a block: conv -> [dropout if `dropout_before_pool`] -> [pool] ->
    [activation if `activation_after_pool`] -> [dropout]. The PyTorch tutorial net puts its
    ReLU after the pooling and its dropout before it; the assignment net does neither.
    """

    filters: int = 32
    kernel_size: int = 3
    stride: int = 1
    padding: str = "valid"
    activation: str = "relu"
    pool_size: int = 0  # 0: no pooling after this conv
    pool_type: str = "max"
    dropout: float = 0.0
    dropout_before_pool: bool = False
    activation_after_pool: bool = False
    batch_norm: bool = False


@dataclass
class DenseLayer:
    """A hidden dense layer followed by optional dropout."""

    units: int = 128
    activation: str = "relu"
    dropout: float = 0.0


@dataclass
class NetConfig:
    """Architecture and training hyper-parameters of one network."""

    name: str = "custom"
    input_shape: tuple = (28, 28, 1)
    num_classes: int = 10
    conv: list = field(default_factory=list)
    dense: list = field(default_factory=list)
    l2: float = 0.0
    optimizer: str = "adam"
    learning_rate: float = 0.001
    batch_size: int = 128
    epochs: int = 12
    seed: int = 42
    # "cosine": a linear warm-up from learning_rate / 10 to learning_rate over `warmup_fraction` of all
    # training steps, then a cosine decay to zero (a one-cycle schedule). Older configs lack both
    # fields and load as "constant".
    lr_schedule: str = "constant"
    warmup_fraction: float = 0.0
    # Batch-norm layers' moving-average momentum (Keras' default 0.99). A run of a few hundred steps
    # needs a shorter memory (0.9), or inference uses statistics of weights long since changed.
    bn_momentum: float = 0.99

    def to_dict(self) -> dict:
        """Plain-JSON dict (tuples become lists)."""
        data = asdict(self)
        data["input_shape"] = list(self.input_shape)
        return data

    def to_json(self, indent: int = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: dict) -> "NetConfig":
        """Build from a dict, checking field names and values.

        Raises:
            LabError: unknown fields or invalid values, naming them.
        """
        from core.nets import validate as checks

        if not isinstance(data, dict):
            raise LabError("A network config must be a JSON object.")
        data = dict(data)
        _reject_unknown(cls, data, "network config")
        table = checks.rules()
        conv = [_block(ConvBlock, b, f"conv[{i}]", table["conv"]) for i, b in enumerate(_list(data, "conv"))]
        dense = [_block(DenseLayer, d, f"dense[{i}]", table["dense"]) for i, d in enumerate(_list(data, "dense"))]
        data = checks.normalize_fields(data, table["net"])
        if "input_shape" in data:
            data["input_shape"] = checks.normalize_shape(data["input_shape"])
        config = cls(conv=conv, dense=dense, **data)
        config.validate()
        return config

    @classmethod
    def from_json(cls, text: str) -> "NetConfig":
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as exc:
            raise LabError(f"The network config is not valid JSON: {exc}") from None

    def validate(self) -> None:
        """Raise `LabError` naming the first invalid value (wrong type or out of range) and what is valid."""
        from core.nets.validate import check_config

        if not self.conv and not self.dense:
            raise LabError("A network needs at least one conv block or dense layer.")
        check_config(self)
        _check(self.spatial_size_ok(), "the conv/pool stack shrinks the image below 1x1; "
               "use fewer layers, 'same' padding, or smaller kernels")

    def spatial_size_ok(self) -> bool:
        """Whether every conv and pool layer still has at least a 1x1 input."""
        size = self.input_shape[0]
        for b in self.conv:
            size = _conv_out(size, b.kernel_size, b.stride, b.padding)
            if size < 1:
                return False
            if b.pool_size > 1:
                size //= b.pool_size
                if size < 1:
                    return False
        return True

    def with_overrides(self, **changes) -> "NetConfig":
        """A copy with top-level fields replaced, validated."""
        config = replace(self, **changes)
        config.validate()
        return config


def _conv_out(size: int, kernel: int, stride: int, padding: str) -> int:
    if padding == "same":
        return -(-size // stride)
    return (size - kernel) // stride + 1


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise LabError(message + ".")


def _reject_unknown(cls, data: dict, what: str) -> None:
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise LabError(f"Unknown {what} field(s): {', '.join(unknown)}. Known: {', '.join(sorted(known))}.")


def _list(data: dict, key: str) -> list:
    value = data.pop(key, None) or []
    if not isinstance(value, list):
        raise LabError(f"{key} must be a list of layer objects, not {type(value).__name__}.")
    return value


def _block(cls, data, where: str, table: dict):
    from core.nets.validate import normalize_fields

    if isinstance(data, cls):
        return data
    if not isinstance(data, dict):
        raise LabError(f"{where} must be a JSON object.")
    _reject_unknown(cls, data, where)
    return cls(**normalize_fields(data, table, where))


def assignment() -> NetConfig:
    """The assignment network: two 32-filter 3x3 convs, 2x2 max pool, dropout 0.25, dense 128, dropout 0.5."""
    return NetConfig(
        name="assignment",
        conv=[ConvBlock(32, 3), ConvBlock(32, 3, pool_size=2, dropout=0.25)],
        dense=[DenseLayer(128, "relu", 0.5)],
        optimizer="adam",
        learning_rate=0.001,
        batch_size=128,
        epochs=12,
    )


def pytorch_tutorial() -> NetConfig:
    """The PyTorch MNIST tutorial net: conv 10 5x5, pool, relu, conv 20 5x5, dropout, pool, relu, 50, 10."""
    return NetConfig(
        name="pytorch-tutorial",
        conv=[
            ConvBlock(10, 5, activation="relu", pool_size=2, activation_after_pool=True),
            ConvBlock(20, 5, activation="relu", pool_size=2, dropout=0.5,
                      dropout_before_pool=True, activation_after_pool=True),
        ],
        dense=[DenseLayer(50, "relu", 0.0)],
        optimizer="adam",
        learning_rate=0.001,
        batch_size=64,
        epochs=10,
    )


def fast() -> NetConfig:
    """A net that pools after each conv, so its epochs are cheap: 99% test accuracy in less wall time.

    Measured by `python -m bench.training` on 2 cores: 99% after 6 epochs in 160 s, against 384 s for
    the assignment net (6 epochs as well); the small pytorch-tutorial net got there in 80 s (4 epochs).
    """
    return NetConfig(
        name="fast",
        conv=[
            ConvBlock(32, 3, pool_size=2),
            ConvBlock(64, 3, pool_size=2, dropout=0.25),
        ],
        dense=[DenseLayer(128, "relu", 0.4)],
        optimizer="adam",
        learning_rate=0.002,
        batch_size=128,
        epochs=6,
    )


def quick() -> NetConfig:
    """Quick start: 99% MNIST test accuracy in three epochs, with a small batch-norm net and one-cycle rate.

    Two strided 3x3 convs (32 and 64 filters, stride 2; the second batch-normalised), a dense layer of
    128 and the softmax: 2.8 MFLOP per image, under a quarter of the assignment net, with small
    activation maps (14x14, 7x7), which is what costs most on a CPU. Batches of 256; Adam's learning
    rate warms up over the first 20% of the steps to 0.006, then follows a cosine to zero. Measured
    (bench/README.md), trained as the lab trains: 99.15%, 99.05%, 99.13% and 99.09% test accuracy for
    seeds 42, 1, 2 and 3. Keras' batch norm is not fused, and on the first conv's 14x14x32 maps it
    cost a fifth of each epoch: the whole run took 51 s without it against 59-61 s with it, at the same
    accuracy. Without any batch norm the net stopped at 98.9%; with both, in two epochs, at 98.86-99.03%.
    """
    return NetConfig(
        name="quick",
        conv=[
            ConvBlock(32, 3, stride=2, padding="same"),
            ConvBlock(64, 3, stride=2, padding="same", batch_norm=True),
        ],
        dense=[DenseLayer(128, "relu", 0.0)],
        optimizer="adam",
        learning_rate=0.006,
        batch_size=256,
        epochs=3,
        lr_schedule="cosine",
        warmup_fraction=0.2,
        bn_momentum=0.9,
    )


# The Train page lists these in this order; the first is its quick start.
PRESETS = {"quick": quick, "assignment": assignment, "pytorch-tutorial": pytorch_tutorial, "fast": fast}


def describe(name: str) -> str:
    """The one-line description of a preset (the first line of its docstring)."""
    return (PRESETS[name].__doc__ or name).strip().splitlines()[0]


def preset(name: str) -> NetConfig:
    """A fresh copy of a named preset.

    Raises:
        LabError: for an unknown name, listing the known ones.
    """
    if name not in PRESETS:
        raise LabError(f"Unknown preset {name!r}. Available presets are: {', '.join(PRESETS)}.")
    return PRESETS[name]()
