"""PCA and t-SNE of embeddings, and the plotly scatter coloured by class."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import LabError
from core.greek.projection import project, scatter_figure


def _clusters():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 0.1, (8, 16)), rng.normal(3, 0.1, (8, 16))])
    return x, np.array([0] * 8 + [1] * 8)


def test_pca_separates_two_clusters_along_its_first_axis():
    x, y = _clusters()
    p = project(x, "PCA")
    assert p.shape == (16, 2)
    assert (p[y == 0, 0].max() < p[y == 1, 0].min()) or (p[y == 1, 0].max() < p[y == 0, 0].min())


def test_pca_gives_scikit_learns_coordinates_signs_included():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 128)) * np.linspace(3, 0.1, 128)  # distinct variances: a defined answer
    from sklearn.decomposition import PCA

    expected = PCA(n_components=2).fit_transform(x)
    assert np.allclose(project(x, "PCA"), expected, atol=1e-4)


def test_tsne_is_repeatable_with_its_seed():
    x, _ = _clusters()
    assert np.array_equal(project(x, "t-SNE", seed=3), project(x, "t-SNE", seed=3))


def test_bad_requests_are_refused():
    with pytest.raises(LabError, match="at least 3"):
        project(np.zeros((2, 4)))
    with pytest.raises(LabError, match="Available"):
        project(np.zeros((5, 4)), "UMAP")


def test_scatter_has_one_coloured_trace_per_class_with_file_names():
    x, y = _clusters()
    images = np.zeros((16, 28, 28), np.float32)
    fig = scatter_figure(project(x), y, ["alpha", "beta"], [f"f{i}.png" for i in range(16)], images,
                         thumbnails=True)
    assert [t.name for t in fig.data] == ["alpha", "beta"]
    assert list(fig.data[1].text) == [f"f{i}.png" for i in range(8, 16)]
    assert len(fig.layout.images) == 16 and fig.layout.images[0].source.startswith("data:image/png")
