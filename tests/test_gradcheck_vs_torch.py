"""check_gradient catches wrong backward passes that torch.autograd.gradcheck passes.

``torch.autograd.gradcheck`` at its defaults (central differences with eps=1e-6,
atol=1e-5, rtol=1e-3) accepts any gradient within about 1e-5 of the truth. Each
"subtly wrong" cross-entropy backward below is off by less than that, so torch
passes it, while the complex step with its default tolerances (rtol 1e-12,
atol 1e-14) rejects it. The forward pass is correct in every case; only the
backward differs, as in a hand-written autograd.Function with a bug.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from chainrule import GradientCheckError, check_gradient, cross_entropy, cross_entropy_grad, softmax

# Three samples, four classes; the first and third rows are confident enough that some
# probabilities fall below 1e-6, which the clamping bug needs in order to show.
LOGITS = np.array([[2.0, -1.0, 0.5, 14.0], [0.3, -0.2, 1.1, -0.7], [-9.0, 8.0, 0.0, 1.0]])
TARGETS = np.array([3, 2, 1])
ONE_HOT = np.eye(4)[TARGETS]
N = len(TARGETS)


def correct_backward(logits):
    return cross_entropy_grad(logits, TARGETS)  # (p - y) / N


def softmax_in_float32(logits):
    return (softmax(logits.astype(np.float32)) - ONE_HOT) / N  # p rounded to float32: errors ~1e-8


def probs_clamped_at_1e_6(logits):
    return (np.maximum(softmax(logits), 1e-6) - ONE_HOT) / N  # a "safe log" guard left in the backward


def probs_shifted_by_2e_6(logits):
    return (softmax(logits) + 2e-6 - ONE_HOT) / N  # an epsilon added once too often


WRONG_BACKWARDS = [softmax_in_float32, probs_clamped_at_1e_6, probs_shifted_by_2e_6]


def mean_cross_entropy(logits):
    return cross_entropy(logits, TARGETS)


def as_torch_function(backward):
    """The correct CE forward with `backward` as its hand-written backward, as torch would run it."""

    class CrossEntropyWithHandWrittenBackward(torch.autograd.Function):
        @staticmethod
        def forward(ctx, logits):
            ctx.save_for_backward(logits)
            return torch.as_tensor(mean_cross_entropy(logits.detach().numpy()))

        @staticmethod
        def backward(ctx, grad_loss):
            (logits,) = ctx.saved_tensors
            return grad_loss * torch.as_tensor(backward(logits.detach().numpy()))

    return CrossEntropyWithHandWrittenBackward.apply


def torch_gradcheck_passes(backward):
    logits = torch.tensor(LOGITS, dtype=torch.float64, requires_grad=True)
    return torch.autograd.gradcheck(as_torch_function(backward), (logits,))  # eps=1e-6, atol=1e-5, rtol=1e-3


def test_the_logits_put_some_probabilities_below_the_clamp():
    assert softmax(LOGITS).min() < 1e-6


@pytest.mark.parametrize("wrong_backward", WRONG_BACKWARDS, ids=lambda fn: fn.__name__)
def test_each_bug_is_smaller_than_torch_default_atol(wrong_backward):
    error = np.abs(wrong_backward(LOGITS) - correct_backward(LOGITS)).max()
    assert 1e-8 < error < 1e-5  # real, but below what gradcheck's defaults can see


@pytest.mark.parametrize("wrong_backward", WRONG_BACKWARDS, ids=lambda fn: fn.__name__)
def test_torch_gradcheck_passes_the_subtly_wrong_backward(wrong_backward):
    assert torch_gradcheck_passes(wrong_backward)


@pytest.mark.parametrize("wrong_backward", WRONG_BACKWARDS, ids=lambda fn: fn.__name__)
def test_check_gradient_rejects_the_subtly_wrong_backward(wrong_backward):
    with pytest.raises(GradientCheckError, match=r"gradient check FAILED"):
        check_gradient(mean_cross_entropy, wrong_backward, LOGITS)


def test_the_correct_backward_passes_both_checks():
    assert torch_gradcheck_passes(correct_backward)
    assert check_gradient(mean_cross_entropy, correct_backward, LOGITS).passed
