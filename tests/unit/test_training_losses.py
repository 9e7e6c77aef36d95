"""Class-weighted cross-entropy and focal loss against torch and hand-computed numpy values."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.utils.class_weight import compute_class_weight

from hf_ecosystem.training.losses import (
    LossError,
    class_weighted_cross_entropy,
    cross_entropy,
    focal_loss,
    make_loss,
    weights_from_labels,
)


def np_log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def np_weighted_ce(logits: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> float:
    log_p = np_log_softmax(logits)[np.arange(len(labels)), labels]
    w = weights[labels]
    return float(-(w * log_p).sum() / w.sum())


def np_focal(
    logits: np.ndarray, labels: np.ndarray, gamma: float, alpha: np.ndarray | None = None
) -> float:
    log_pt = np_log_softmax(logits)[np.arange(len(labels)), labels]
    pt = np.exp(log_pt)
    loss = -((1 - pt) ** gamma) * log_pt
    if alpha is not None:
        loss = alpha[labels] * loss
    return float(loss.mean())


@pytest.fixture
def batch() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.normal(scale=2.0, size=(64, 5)), rng.integers(0, 5, size=64)


def test_weighted_cross_entropy_matches_torch_and_numpy(
    batch: tuple[np.ndarray, np.ndarray],
) -> None:
    logits, labels = batch
    weights = np.array([0.5, 2.0, 1.0, 3.0, 0.25])
    ours = class_weighted_cross_entropy(
        torch.tensor(logits), torch.tensor(labels), weights.tolist()
    )
    reference = F.cross_entropy(
        torch.tensor(logits), torch.tensor(labels), weight=torch.tensor(weights)
    )
    assert ours.item() == pytest.approx(reference.item(), rel=1e-6)
    assert ours.item() == pytest.approx(np_weighted_ce(logits, labels, weights), rel=1e-6)
    # Weights matter: the unweighted mean differs.
    assert ours.item() != pytest.approx(F.cross_entropy(torch.tensor(logits), torch.tensor(labels)))


@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0, 5.0])
@pytest.mark.parametrize("with_alpha", [False, True])
def test_focal_loss_matches_the_formula(
    batch: tuple[np.ndarray, np.ndarray], gamma: float, with_alpha: bool
) -> None:
    logits, labels = batch
    alpha = np.array([0.1, 0.4, 0.2, 0.25, 0.05]) if with_alpha else None
    ours = focal_loss(
        torch.tensor(logits),
        torch.tensor(labels),
        gamma=gamma,
        alpha=None if alpha is None else torch.tensor(alpha),
    )
    assert ours.item() == pytest.approx(np_focal(logits, labels, gamma, alpha), rel=1e-5)


def test_focal_with_gamma_zero_is_cross_entropy(batch: tuple[np.ndarray, np.ndarray]) -> None:
    logits, labels = (torch.tensor(a) for a in batch)
    assert focal_loss(logits, labels, gamma=0.0).item() == pytest.approx(
        F.cross_entropy(logits, labels).item(), rel=1e-6
    )
    # Focusing down-weights easy examples, so the loss shrinks as gamma grows.
    values = [focal_loss(logits, labels, gamma=g).item() for g in (0.0, 1.0, 2.0)]
    assert values[0] > values[1] > values[2] > 0


def test_token_logits_with_ignored_positions() -> None:
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(4, 9, 3))
    labels = rng.integers(0, 3, size=(4, 9))
    labels[:, 0] = -100
    labels[2, 5:] = -100
    keep = labels != -100
    weights = np.array([1.0, 4.0, 0.5])
    t_logits, t_labels = torch.tensor(logits), torch.tensor(labels)

    weighted = class_weighted_cross_entropy(t_logits, t_labels, torch.tensor(weights))
    assert weighted.item() == pytest.approx(
        np_weighted_ce(logits[keep], labels[keep], weights), rel=1e-6
    )
    assert weighted.item() == pytest.approx(
        F.cross_entropy(
            t_logits.reshape(-1, 3), t_labels.reshape(-1), weight=torch.tensor(weights)
        ).item(),
        rel=1e-6,
    )
    focal = focal_loss(t_logits, t_labels, gamma=2.0, alpha=weights.tolist())
    assert focal.item() == pytest.approx(
        np_focal(logits[keep], labels[keep], 2.0, weights), rel=1e-5
    )
    plain = cross_entropy(t_logits, t_labels)
    assert plain.item() == pytest.approx(np_focal(logits[keep], labels[keep], 0.0), rel=1e-6)


def test_all_ignored_gives_zero_loss_and_finite_gradients() -> None:
    logits = torch.randn(2, 3, 4, requires_grad=True)
    labels = torch.full((2, 3), -100)
    for loss in (
        class_weighted_cross_entropy(logits, labels, [1.0, 2.0, 3.0, 4.0]),
        focal_loss(logits, labels),
        cross_entropy(logits, labels),
    ):
        assert loss.item() == 0.0
        (grad,) = torch.autograd.grad(loss, logits)
        assert torch.equal(grad, torch.zeros_like(grad))


def test_focal_gradients_stay_finite_for_confident_predictions() -> None:
    logits = torch.tensor([[60.0, -60.0, 0.0], [0.0, 1.0, 2.0]], requires_grad=True)
    labels = torch.tensor([0, 2])
    for gamma in (0.0, 0.5, 2.0):
        (grad,) = torch.autograd.grad(focal_loss(logits, labels, gamma=gamma), logits)
        assert torch.isfinite(grad).all()


def test_weights_from_labels_is_sklearn_balanced() -> None:
    rng = np.random.default_rng(2)
    labels = rng.choice(4, size=500, p=[0.6, 0.25, 0.1, 0.05])
    expected = compute_class_weight("balanced", classes=np.arange(4), y=labels)
    assert weights_from_labels(labels.tolist(), 4) == pytest.approx(expected.tolist())


def test_weights_from_labels_absent_classes_and_ignored_positions() -> None:
    labels = [0, 0, 0, 2, -100, 2, 0, -100]
    present = np.array([0, 0, 0, 2, 2, 0])
    expected = compute_class_weight("balanced", classes=np.array([0, 2]), y=present)
    assert weights_from_labels(labels, 4) == pytest.approx([expected[0], 1.0, expected[1], 1.0])
    assert weights_from_labels([], 3) == [1.0, 1.0, 1.0]
    with pytest.raises(LossError, match=r"\[3, 7\]"):
        weights_from_labels([0, 3, 7], 3)


def test_make_loss_kinds(batch: tuple[np.ndarray, np.ndarray]) -> None:
    logits, labels = (torch.tensor(a) for a in batch)
    weights = [1.0, 2.0, 0.5, 1.5, 3.0]
    plain = make_loss("cross-entropy", num_labels=5)
    weighted = make_loss("weighted-cross-entropy", num_labels=5, class_weights=weights)
    focal = make_loss("focal", num_labels=5, class_weights=weights, gamma=1.5)
    assert plain(logits, labels).item() == pytest.approx(F.cross_entropy(logits, labels).item())
    assert weighted(logits, labels).item() == pytest.approx(
        F.cross_entropy(logits, labels, weight=torch.tensor(weights, dtype=logits.dtype)).item()
    )
    assert focal(logits, labels).item() == pytest.approx(
        np_focal(batch[0], batch[1], 1.5, np.array(weights)), rel=1e-5
    )
    restored = pickle.loads(pickle.dumps(focal))
    assert restored(logits, labels).item() == focal(logits, labels).item()


def test_loss_trains_a_linear_classifier() -> None:
    """A loss from make_loss back-propagates: a few SGD steps lower it."""
    torch.manual_seed(0)
    features = torch.randn(128, 6)
    labels = (features[:, 0] > 0.8).long() + (features[:, 1] > 1.2).long()
    loss_fn = make_loss(
        "focal",
        num_labels=3,
        class_weights=weights_from_labels(labels.tolist(), 3),
        gamma=2.0,
    )
    layer = torch.nn.Linear(6, 3)
    optimizer = torch.optim.SGD(layer.parameters(), lr=0.5)
    first = loss_fn(layer(features), labels).item()
    for _ in range(30):
        optimizer.zero_grad()
        loss = loss_fn(layer(features), labels)
        loss.backward()
        optimizer.step()
    assert loss_fn(layer(features), labels).item() < 0.7 * first


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"kind": "hinge", "num_labels": 3}, "Unknown loss 'hinge'"),
        ({"kind": "weighted-cross-entropy", "num_labels": 3}, "needs class weights"),
        ({"kind": "cross-entropy", "num_labels": 2, "class_weights": [1, 2]}, "no class weights"),
        ({"kind": "focal", "num_labels": 3, "class_weights": [1.0, 2.0]}, "2 class weights for 3"),
        ({"kind": "focal", "num_labels": 2, "class_weights": [1.0, -1.0]}, "Invalid class weights"),
        ({"kind": "focal", "num_labels": 2, "gamma": -1.0}, "gamma"),
        ({"kind": "cross-entropy", "num_labels": 0}, "num_labels"),
    ],
)
def test_make_loss_refuses_bad_settings(kwargs: dict, match: str) -> None:
    kind = kwargs.pop("kind")
    with pytest.raises(LossError, match=match):
        make_loss(kind, **kwargs)


def test_mismatched_shapes_raise_loss_error() -> None:
    logits = torch.randn(4, 3)
    with pytest.raises(LossError, match="do not fit"):
        focal_loss(logits, torch.zeros(5, dtype=torch.long))
    with pytest.raises(LossError, match="class weights for 3 classes"):
        class_weighted_cross_entropy(logits, torch.zeros(4, dtype=torch.long), [1.0, 2.0])
    with pytest.raises(LossError, match="gamma"):
        focal_loss(logits, torch.zeros(4, dtype=torch.long), gamma=-0.5)
    with pytest.raises(LossError, match="expects 4"):
        make_loss("cross-entropy", num_labels=4)(logits, torch.zeros(4, dtype=torch.long))
