"""The architecture editor's config edits, the model summary and the block diagram."""

from dataclasses import replace

import pytest

from core.nets.config import PRESETS, preset
from core.errors import LabError
from core.nets.summary import apply_edits, diagram_figure, summarize_config


def test_edits_keep_hidden_block_fields_and_change_shown_ones():
    base = preset("pytorch-tutorial")
    config = apply_edits(base, [{"filters": 12}, {"filters": 24}, {"filters": 8, "kernel_size": 3}],
                         [{"units": 64}], epochs=3, l2=0.001)
    assert [b.filters for b in config.conv] == [12, 24, 8]
    assert config.conv[0].activation_after_pool and config.conv[1].dropout_before_pool  # kept from preset
    assert config.conv[0].kernel_size == 5 and config.conv[2].kernel_size == 3
    assert config.dense[0].units == 64 and config.epochs == 3 and config.l2 == 0.001


def test_edits_that_shrink_the_image_away_are_refused():
    with pytest.raises(LabError, match="below 1x1"):
        apply_edits(preset("assignment"), [{"kernel_size": 7, "pool_size": 3}] * 4, [])


def test_summary_of_the_assignment_net_matches_its_known_parameter_count():
    summary = summarize_config(preset("assignment"))
    names = [r["name"] for r in summary["layers"]]
    assert names == ["image", "conv1", "conv2", "pool1", "dropout1", "flatten", "dense1", "dropout2", "output"]
    shapes = {r["name"]: r["output_shape"] for r in summary["layers"]}
    assert shapes["conv2"] == "24x24x32" and shapes["flatten"] == "4608"
    # conv1 320 + conv2 9248 + dense1 589952 + output 1290
    assert summary["total_params"] == 600810 == sum(r["params"] for r in summary["layers"])
    fig = diagram_figure(summary["layers"])
    assert len(fig.layout.shapes) == len(names)
    texts = " ".join(a.text for a in fig.layout.annotations)
    assert "conv2" in texts and "24x24x32" in texts


def test_summary_follows_the_editor():
    small = apply_edits(preset("assignment"), [{"filters": 8, "pool_size": 2}], [], epochs=1)
    summary = summarize_config(small)
    assert [r["name"] for r in summary["layers"]] == ["image", "conv1", "pool1", "flatten", "output"]
    assert summary["total_params"] == 8 * 9 + 8 + 13 * 13 * 8 * 10 + 10


def _edited(name):
    base = preset(name)
    return [base,
            apply_edits(base, [{"filters": 8, "kernel_size": 5, "pool_size": 2, "dropout": 0.1},
                               {"filters": 16, "pool_size": 3}], [{"units": 40, "dropout": 0.2}]),
            base.with_overrides(conv=[replace(b, batch_norm=True, padding="same") for b in base.conv])]


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_summary_without_tensorflow_equals_the_built_keras_model(name):
    """The summary is worked out from the config; Keras' own model is the oracle."""
    import math

    from core.nets.network import build_model, layer_table

    for config in _edited(name):
        model = build_model(config, compile=False)
        summary = summarize_config(config)
        keras_rows = [r for r in layer_table(model) if r["type"] != "InputLayer"]
        assert summary["layers"][1:] == keras_rows, config
        assert summary["total_params"] == model.count_params()
        assert summary["trainable_params"] == sum(int(math.prod(w.shape)) for w in model.trainable_weights)
