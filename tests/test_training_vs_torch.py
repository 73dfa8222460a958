"""The iris network of ``docs/notebooks/iris.ipynb`` against an identical PyTorch model.

PyTorch is the independent engine: ``nn.Linear(4, 16) -> ReLU -> nn.Linear(16, 3)`` in
float64 with our weights copied in, ``F.cross_entropy`` (mean) and autograd. Our
``MLP.backward(cross_entropy_grad(...))`` must give the same gradient for every parameter,
on the notebook's standardised training data, at the initial weights and along a training
run, where the ReLU on/off pattern changes from step to step.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import chainrule as cr
from chainrule.datasets import load_iris, stratified_split

SEED = 5  # the notebook's seed: same split, same initial weights
SIZES = [4, 16, 3]
#: Same float64 formulas summed in different orders (BLAS blocking, torch's fused softmax):
#: ~N eps ~ 3e-14 relative apart for the N = 120 row sums; 1e-10 is the agreement promised.
#: atol: entries that are themselves round-off (bias sums that cancel to ~1e-17) get 1e-14.
RTOL, ATOL = 1e-10, 1e-14


@pytest.fixture(scope="module")
def iris_training_data() -> tuple[np.ndarray, np.ndarray]:
    features, labels = load_iris()
    train, _ = stratified_split(labels, test_fraction=0.2, rng=np.random.default_rng(SEED))
    mean, std = features[train].mean(axis=0), features[train].std(axis=0)
    return (features[train] - mean) / std, labels[train]


def torch_twin(model: cr.MLP) -> torch.nn.Sequential:
    """A float64 PyTorch network holding copies of `model`'s parameters (W is (out, in) in both)."""
    twin = torch.nn.Sequential(
        torch.nn.Linear(SIZES[0], SIZES[1]), torch.nn.ReLU(), torch.nn.Linear(SIZES[1], SIZES[2])
    ).double()
    with torch.no_grad():
        for layer, linear in ((1, twin[0]), (2, twin[2])):
            linear.weight.copy_(torch.from_numpy(model.params[f"W{layer}"]))
            linear.bias.copy_(torch.from_numpy(model.params[f"b{layer}"]))
    return twin


def torch_gradients(model: cr.MLP, X: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
    twin = torch_twin(model)
    loss = F.cross_entropy(twin(torch.from_numpy(X)), torch.from_numpy(y))
    loss.backward()
    grads = {"W1": twin[0].weight.grad, "b1": twin[0].bias.grad, "W2": twin[2].weight.grad, "b2": twin[2].bias.grad}
    return loss.item(), {name: grad.numpy() for name, grad in grads.items()}


def our_gradients(model: cr.MLP, X: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
    logits = model.forward(X)
    loss = float(cr.cross_entropy(logits, y))
    return loss, model.backward(cr.cross_entropy_grad(logits, y)).params


def minibatches(n_rows: int, *, epochs: int) -> list[np.ndarray]:
    """The notebook's schedule: each epoch a fresh shuffle, cut into batches of 16 (the last has 8)."""
    rng = np.random.default_rng(SEED)
    batches = []
    for _ in range(epochs):
        order = rng.permutation(n_rows)
        batches += [order[start : start + 16] for start in range(0, n_rows, 16)]
    return batches


def assert_same_gradients(model: cr.MLP, X: np.ndarray, y: np.ndarray) -> None:
    our_loss, ours = our_gradients(model, X, y)
    torch_loss, theirs = torch_gradients(model, X, y)
    np.testing.assert_allclose(our_loss, torch_loss, rtol=RTOL)
    assert list(ours) == list(theirs)
    for name in ours:
        np.testing.assert_allclose(ours[name], theirs[name], rtol=RTOL, atol=ATOL, err_msg=f"gradient of {name}")


@pytest.mark.parametrize("rows", [slice(None), slice(0, 16), slice(112, 120)], ids=["all-120", "batch-16", "last-batch-8"])
def test_iris_gradients_equal_torch_at_the_initial_weights(iris_training_data, rows: slice) -> None:
    X, y = iris_training_data
    model = cr.MLP(SIZES, rng=np.random.default_rng(SEED))
    assert_same_gradients(model, X[rows], y[rows])


def test_iris_gradients_equal_torch_at_every_step_of_a_training_run(iris_training_data) -> None:
    X, y = iris_training_data
    model = cr.MLP(SIZES, rng=np.random.default_rng(SEED))
    relu_patterns = set()
    for batch in minibatches(len(X), epochs=5):
        assert_same_gradients(model, X[batch], y[batch])
        relu_patterns.add((X @ model.params["W1"].T + model.params["b1"] > 0).tobytes())
        _, grads = our_gradients(model, X[batch], y[batch])
        for name, grad in grads.items():
            model.params[name] -= 0.05 * grad
    assert len(relu_patterns) > 1  # training moved the network across ReLU kinks


def test_sgd_trajectory_equals_torch_sgd(iris_training_data) -> None:
    """Five epochs (40 steps) of plain SGD in both engines end at the same parameters."""
    X, y = iris_training_data
    model = cr.MLP(SIZES, rng=np.random.default_rng(SEED))
    twin = torch_twin(model)
    optimizer = torch.optim.SGD(twin.parameters(), lr=0.05)
    for batch in minibatches(len(X), epochs=5):
        _, grads = our_gradients(model, X[batch], y[batch])
        for name, grad in grads.items():
            model.params[name] -= 0.05 * grad
        optimizer.zero_grad()
        F.cross_entropy(twin(torch.from_numpy(X[batch])), torch.from_numpy(y[batch])).backward()
        optimizer.step()
    theirs = {"W1": twin[0].weight, "b1": twin[0].bias, "W2": twin[2].weight, "b2": twin[2].bias}
    for name, value in theirs.items():
        # 40 steps of differently rounded updates: round-off compounds, but stays ~1e-14 relative
        np.testing.assert_allclose(model.params[name], value.detach().numpy(), rtol=RTOL, err_msg=name)
