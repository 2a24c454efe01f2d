"""The architecture editor's config edits, the model summary and the block diagram."""

import pytest

from core.nets.config import preset
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
