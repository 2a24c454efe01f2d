"""K-nearest-neighbour classification in an embedding space: leave-one-out and train/test.

Distances are sum-squared (Euclidean ranking). Votes are counted among the k nearest; a tie goes
to the tied class whose members are nearest in total, so k=2 still gives one answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.greek.embedding import ssd_matrix
from core.errors import LabError


@dataclass
class KnnResult:
    """Predictions for each query, with its neighbours (indices into the reference set) and SSDs."""

    k: int
    predicted: np.ndarray  # (Q,)
    truth: np.ndarray | None  # (Q,) or None when the queries are unlabelled
    neighbours: np.ndarray  # (Q, k) reference indices, nearest first
    distances: np.ndarray  # (Q, k)
    votes: list  # per query {class index: votes}
    num_classes: int

    @property
    def correct(self) -> int:
        return int(np.sum(self.predicted == self.truth)) if self.truth is not None else 0

    @property
    def accuracy(self) -> float:
        """Fraction of queries predicted right (nan when unlabelled)."""
        if self.truth is None or not len(self.truth):
            return float("nan")
        return self.correct / len(self.truth)

    def confusion(self) -> np.ndarray:
        """(C, C) counts: rows true class, columns predicted class."""
        if self.truth is None:
            raise LabError("These queries have no labels, so there is no confusion matrix.")
        m = np.zeros((self.num_classes, self.num_classes), dtype=np.int64)
        np.add.at(m, (self.truth, self.predicted), 1)
        return m

    def per_class_accuracy(self) -> np.ndarray:
        """Recall of each class (nan for classes without queries)."""
        m = self.confusion()
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.diag(m) / m.sum(axis=1)


def _vote(neigh_labels: np.ndarray, neigh_dist: np.ndarray) -> tuple[int, dict]:
    votes: dict[int, int] = {}
    for lab in neigh_labels:
        votes[int(lab)] = votes.get(int(lab), 0) + 1
    top = max(votes.values())
    tied = [c for c, v in votes.items() if v == top]
    if len(tied) > 1:
        tied.sort(key=lambda c: float(neigh_dist[neigh_labels == c].sum()))
    return tied[0], votes


def _classify(dist: np.ndarray, ref_labels: np.ndarray, k: int, num_classes: int, truth) -> KnnResult:
    order = np.argsort(dist, axis=1, kind="stable")[:, :k]
    d = np.take_along_axis(dist, order, axis=1)
    preds, votes = [], []
    for row, drow in zip(order, d):
        p, v = _vote(ref_labels[row], drow)
        preds.append(p)
        votes.append(v)
    return KnnResult(k, np.array(preds, dtype=np.int64), None if truth is None else np.asarray(truth),
                     order, d, votes, num_classes)


def _check_k(k: int, available: int) -> None:
    if k < 1:
        raise LabError("k must be at least 1.")
    if k > available:
        raise LabError(f"k = {k} is more than the {available} reference images available.")


def leave_one_out(features: np.ndarray, labels: np.ndarray, k: int = 1,
                  num_classes: int | None = None) -> KnnResult:
    """Classify every image by its k nearest *other* images.

    Raises:
        LabError: fewer than two images, or k too large.
    """
    labels = np.asarray(labels, dtype=np.int64)
    if len(labels) < 2:
        raise LabError("Leave-one-out needs at least two images.")
    _check_k(k, len(labels) - 1)
    dist = ssd_matrix(features)
    np.fill_diagonal(dist, np.inf)  # never your own neighbour
    n = num_classes or int(labels.max()) + 1
    return _classify(dist, labels, k, n, labels)


def classify(train_features: np.ndarray, train_labels: np.ndarray, test_features: np.ndarray,
             k: int = 1, test_labels=None, num_classes: int | None = None) -> KnnResult:
    """Classify test images by their k nearest training images."""
    train_labels = np.asarray(train_labels, dtype=np.int64)
    _check_k(k, len(train_labels))
    dist = ssd_matrix(test_features, train_features)
    n = num_classes or int(train_labels.max()) + 1
    return _classify(dist, train_labels, k, n, test_labels)
