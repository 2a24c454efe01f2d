"""Evaluating a classifier on a dataset: accuracy, loss, the first 10 outputs, confusions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.data.datasets import Dataset
from core.nets.inputs import forward

EPSILON = 1e-7  # Keras' clipping in categorical cross-entropy


@dataclass
class Evaluation:
    """Predictions of one model on one dataset's test split.

    Attributes:
        probabilities: (N, classes) softmax outputs.
        labels: (N,) true labels.
    """

    probabilities: np.ndarray
    labels: np.ndarray

    @property
    def predicted(self) -> np.ndarray:
        return self.probabilities.argmax(axis=1)

    @property
    def accuracy(self) -> float:
        return float((self.predicted == self.labels).mean())

    @property
    def loss(self) -> float:
        """Mean categorical cross-entropy, as Keras computes it."""
        p = np.clip(self.probabilities[np.arange(len(self.labels)), self.labels], EPSILON, 1 - EPSILON)
        return float(-np.log(p).mean())

    def first(self, n: int = 10) -> list[dict]:
        """The first `n` examples: outputs rounded to 2 decimals, predicted index, true label."""
        return [
            {"index": i,
             "outputs": [round(float(v), 2) for v in self.probabilities[i]],
             "predicted": int(self.predicted[i]),
             "label": int(self.labels[i])}
            for i in range(min(n, len(self.labels)))
        ]

    def confusion(self) -> np.ndarray:
        """(classes, classes) counts; rows are true labels, columns predictions."""
        k = self.probabilities.shape[1]
        matrix = np.zeros((k, k), dtype=np.int64)
        np.add.at(matrix, (self.labels, self.predicted), 1)
        return matrix

    def cell(self, true_label: int, predicted: int) -> np.ndarray:
        """Indices of the examples with this true label that were predicted as `predicted`."""
        return np.flatnonzero((self.labels == true_label) & (self.predicted == predicted))

    def misclassified(self, most_confident_first: bool = True) -> list[dict]:
        """Every wrong prediction with its confidence, sorted by confidence."""
        wrong = np.flatnonzero(self.predicted != self.labels)
        conf = self.probabilities[wrong, self.predicted[wrong]]
        order = np.argsort(-conf if most_confident_first else conf, kind="stable")
        return [{"index": int(wrong[i]), "predicted": int(self.predicted[wrong[i]]),
                 "label": int(self.labels[wrong[i]]), "confidence": float(conf[i])} for i in order]


def predict_probabilities(model, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """Softmax outputs for uint8 or [0, 1] float images, batched."""
    return forward(model, images, batch_size)


def evaluate_on(model, data: Dataset, limit: int | None = None) -> Evaluation:
    """Evaluate `model` on the test split of `data` (the first `limit` examples if given)."""
    x, y = data.x_test, data.y_test
    if limit:
        x, y = x[:limit], y[:limit]
    return Evaluation(predict_probabilities(model, x), y.astype(np.int64))


def report(evaluation: Evaluation, n_first: int = 10) -> dict:
    """The JSON report of `python -m core evaluate`."""
    return {
        "test_accuracy": evaluation.accuracy,
        "test_loss": evaluation.loss,
        "examples": int(len(evaluation.labels)),
        "first_10": [{k: r[k] for k in ("outputs", "predicted", "label")} for r in evaluation.first(n_first)],
    }
