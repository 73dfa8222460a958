r"""Softmax cross-entropy, with its gradient right below it.

For logits \(z \in \mathbb{R}^C\), probabilities \(p = \operatorname{softmax}(z)\)
and a target distribution \(y\), per sample

$$
\ell = -\sum_{i=1}^{C} y_i \log p_i, \qquad
\nabla_z \ell = p \sum_i y_i - y
\;\overset{\sum_i y_i = 1}{=}\; p - y .
$$

The semantics are those of ``torch.nn.functional.cross_entropy`` (PyTorch 2.x,
no ``weight``, no ``ignore_index``) for logits of shape ``(C,)`` or ``(N, C)``:
class-index or probability targets, ``reduction`` ``"mean"`` / ``"sum"`` /
``"none"``, and ``label_smoothing``. Non-finite logits give the values PyTorch
gives, listed in the Notes of ``cross_entropy`` and ``cross_entropy_grad``.

Differences from PyTorch, all of them stricter validation: negative labels
(including PyTorch's ``ignore_index=-100``) are rejected instead of ignored;
negative, infinite or NaN probabilities are rejected; ``bool`` targets are
rejected. Probability rows that do not sum to 1 are accepted, as in PyTorch.

Derived on the site pages *The gradient p − y* (``docs/softmax/gradient.md``: the
gradient three ways, targets that do not sum to 1) and *In practice: smoothing,
batches, stability, fusion* (``docs/softmax/in-practice.md``: label smoothing,
the batch mean).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from chainrule._validation import check_cross_entropy_args
from chainrule.softmax import log_softmax_vjp, shifted_exp

__all__ = ["cross_entropy", "cross_entropy_grad"]

Reduction = Literal["mean", "sum", "none"]


# The two helpers below are shared with chainrule.fused (not in __all__).


def smoothed_targets(
    logits: np.ndarray, target: np.ndarray, is_index: bool, smoothing: float
) -> np.ndarray:
    r"""The smoothed target \(y_\alpha = (1 - \alpha)\,y + \frac{\alpha}{C}\mathbf 1\) as an array of the logits' shape (validated arguments)."""
    if is_index:
        dense = np.zeros(logits.shape, dtype=logits.real.dtype)
        np.put_along_axis(dense, target[..., None], 1, axis=-1)
    else:
        dense = target
    if smoothing > 0:
        dense = (1 - smoothing) * dense + smoothing / logits.shape[-1]
    return dense


def batch_size(logits: np.ndarray) -> int:
    """N for (N, C) logits, 1 for (C,) logits: the divisor of ``reduction="mean"``."""
    return logits.shape[0] if logits.ndim == 2 else 1


def cross_entropy(
    logits: ArrayLike,
    target: ArrayLike,
    *,
    reduction: Reduction = "mean",
    label_smoothing: float = 0.0,
) -> np.ndarray | np.inexact:
    r"""Softmax cross-entropy between `logits` and `target`, as ``torch.nn.functional.cross_entropy``.

    Parameters
    ----------
    logits : array_like of shape (C,) or (N, C), float or complex
        Unnormalised scores \(z\); complex only for the complex step.
    target : array_like
        Either class indices, integer, of shape () for (C,) logits or (N,) for
        (N, C) logits, each in ``[0, C)``; or probabilities \(y\),
        floating-point, of the logits' shape, finite and non-negative. Rows need
        not sum to 1 (see Notes). Probabilities are cast to the logits' precision.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` divides the summed loss by N (by 1 for (C,) logits), for both
        target kinds; ``"none"`` returns one loss per row.
    label_smoothing : float in [0, 1], default 0.0
        \(\alpha\): the target \(y\) is replaced by the smoothed target
        \(y_\alpha\), a mix with the uniform distribution (see Notes).

    Returns
    -------
    NumPy scalar, or ndarray of shape (N,) for reduction="none" with (N, C) logits
        The loss, in the dtype of `logits`. ``"mean"`` over an empty batch
        (N = 0) is NaN, as in PyTorch.

    Raises
    ------
    TypeError
        If `logits` is not floating-point or complex; if `target` is boolean,
        complex or non-numeric; if a floating-point `target` has the shape
        class indices would have; if an integer `target` has the logits' shape;
        if `label_smoothing` is not a real number.
    ValueError
        If `logits` is not 1-D or 2-D or has no classes; if `target` has the
        wrong shape, a label outside ``[0, C)``, or a negative, infinite or NaN
        probability; if `reduction` is unknown; if `label_smoothing` is not a
        finite number in [0, 1].

    Notes
    -----
    With \(\log p = \operatorname{log\_softmax}(z)\) (stable, one ``exp``
    pass), per row

    $$
    \ell = -\sum_{i=1}^{C} (y_\alpha)_i \log p_i, \qquad
    y_\alpha = (1 - \alpha)\, y + \frac{\alpha}{C}\mathbf 1 ,
    $$

    with \(y_0 = y\). For a class label \(c\) this is computed, as PyTorch
    does, as \((1-\alpha)(-\log p_c) + \frac{\alpha}{C}\sum_i (-\log p_i)\),
    and without the second term when \(\alpha = 0\).
    Unnormalised probability rows are used as given: the loss is linear in
    \(y\), so a row summing to \(t\) is \(t\) times the loss of
    the normalised row.

    Non-finite logits (values PyTorch 2.13 gives; gradients in
    [`cross_entropy_grad`][chainrule.losses.cross_entropy_grad]):

    * class index, \(\alpha = 0\): a \(-\infty\) logit off the
      target leaves the loss finite; \(-\infty\) on the target gives
      \(+\infty\);
    * \(\alpha > 0\): any \(-\infty\) logit gives \(+\infty\)
      (the smoothing term sums every \(-\log p_i\)); with
      \(\alpha = 1\) and \(-\infty\) on the target, NaN
      (\(0 \cdot \infty\));
    * probability target: \(-\infty\) where \((y_\alpha)_i > 0\) gives
      \(+\infty\); where \((y_\alpha)_i = 0\) the term \(0 \cdot (-\infty)\)
      is NaN, so the loss is NaN (PyTorch does not special-case
      \(0 \log 0\));
    * a row with a \(+\infty\) or NaN logit, or all \(-\infty\): NaN.

    Examples
    --------
    ```python
    import numpy as np
    from chainrule import cross_entropy

    logits = np.array([[2.0, 0.0, -1.0], [0.0, 3.0, 0.0]])
    one_hot = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    assert np.isclose(cross_entropy(logits, np.array([0, 1])), cross_entropy(logits, one_hot))
    assert cross_entropy(np.array([-np.inf, 0.0]), 1) == 0.0  # finite: -inf is off the target
    ```
    """
    logits, target, is_index, reduction, smoothing = check_cross_entropy_args(
        logits, target, reduction, label_smoothing
    )
    s, _, total = shifted_exp(logits, -1)
    log_probs = s - np.log(total)
    # 0 * inf products below are the NaNs PyTorch returns (see Notes), not accidents.
    with np.errstate(invalid="ignore"):
        if is_index:
            losses = -np.take_along_axis(log_probs, target[..., None], axis=-1)[..., 0]
            if smoothing > 0:
                uniform = -np.sum(log_probs, axis=-1)
                losses = (1 - smoothing) * losses + (smoothing / logits.shape[-1]) * uniform
        else:
            smoothed = smoothed_targets(logits, target, is_index, smoothing)
            losses = -np.sum(smoothed * log_probs, axis=-1)
        if reduction == "none":
            return losses[()]  # a NumPy scalar, not a 0-d array, for (C,) logits
        summed = np.sum(losses)
        if reduction == "sum":
            return summed
        return summed / batch_size(logits)  # N = 0 gives 0/0 = nan, as in PyTorch


def cross_entropy_grad(
    logits: ArrayLike,
    target: ArrayLike,
    *,
    reduction: Reduction = "mean",
    label_smoothing: float = 0.0,
) -> np.ndarray:
    r"""Gradient of [`cross_entropy`][chainrule.losses.cross_entropy] with respect to `logits`.

    Parameters
    ----------
    logits, target, reduction, label_smoothing
        As for [`cross_entropy`][chainrule.losses.cross_entropy].

    Returns
    -------
    ndarray of the shape and dtype of logits
        \(\partial L / \partial z\). For ``reduction="none"`` row \(s\)
        holds \(\partial \ell_s / \partial z_s\) (each loss depends on its
        own row only), which is also the gradient of the summed losses.

    Raises
    ------
    TypeError, ValueError
        As for [`cross_entropy`][chainrule.losses.cross_entropy].

    Notes
    -----
    The loss is linear in \(\log p\) with coefficient \(-y_\alpha\), the
    smoothed target (\(y_0 = y\); see [`cross_entropy`][chainrule.losses.cross_entropy]);
    pulling that back through log-softmax ([`log_softmax_vjp`][chainrule.softmax.log_softmax_vjp],
    \(\partial \log p_i / \partial z_j = \delta_{ij} - p_j\)) gives, per row,

    $$
    \frac{\partial \ell}{\partial z_j}
    = \sum_i \bigl(-(y_\alpha)_i\bigr)(\delta_{ij} - p_j)
    = p_j\, \mathbf 1^\top y_\alpha - (y_\alpha)_j ,
    \qquad \nabla_z L = \frac{1}{N}\bigl(p\, \mathbf 1^\top y_\alpha - y_\alpha\bigr)
    \ \text{for ``mean''} .
    $$

    **This general form is what is computed.** The familiar \(p - y_\alpha\)
    assumes \(\mathbf 1^\top y_\alpha = 1\), which holds for class indices
    (with or without smoothing) and for normalised probability rows; for an
    unnormalised row summing to \(t\) the gradient is
    \(p\,\mathbf 1^\top y_\alpha - y_\alpha\) with \(\mathbf 1^\top y_\alpha = (1 - \alpha)\,t + \alpha\).

    Non-finite logits (as PyTorch 2.13): the gradient never multiplies
    \(\log p\), so it is finite whenever \(p\) is, even where the loss
    is \(+\infty\) or NaN. A \(-\infty\) logit has \(p_j = 0\), so
    its gradient is \(-(y_\alpha)_j\) (0 for an index target off that class without
    smoothing, \(-\alpha/C\) with smoothing), and the other entries
    are those of the row without it. A row with a \(+\infty\) or NaN logit,
    or all \(-\infty\), has a NaN gradient in every entry.

    Examples
    --------
    ```python
    import numpy as np
    from chainrule import cross_entropy_grad, softmax

    logits, labels = np.array([[2.0, 0.0, -1.0], [0.0, 3.0, 0.0]]), np.array([0, 1])
    expected = (softmax(logits) - np.eye(3)[labels]) / 2  # p - y, divided by N for "mean"
    assert np.allclose(cross_entropy_grad(logits, labels), expected)
    ```
    """
    logits, target, is_index, reduction, smoothing = check_cross_entropy_args(
        logits, target, reduction, label_smoothing
    )
    smoothed = smoothed_targets(logits, target, is_index, smoothing)
    scale = 1.0 / max(batch_size(logits), 1) if reduction == "mean" else 1.0
    return log_softmax_vjp(logits, -scale * smoothed)
