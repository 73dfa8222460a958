r"""Reverse mode, built: a small autodiff engine on NumPy arrays.

A ``Tensor`` wraps a float32 or float64 array. Every operation on tensors
computes its output with NumPy and records, right beside it, one
vector-Jacobian product (VJP) per input: the rule that turns the gradient of
the output, ``grad_out`` \(= \nabla_{\text{out}} L\), into that input's
share \(J^\top \texttt{grad\_out}\). ``Tensor.backward`` visits the
recorded graph once, in reverse topological order, and adds (``+=``) each
share into ``.grad`` of the tensors you created.

The rules are plain functions of arrays listed in ``RULES``: each returns
``(out, vjps)``, the forward value and a tuple with one VJP per array input.
They accept complex arrays, so a test can get \(Ju\) by the complex step
through the very forward whose \(J^\top v\) the VJP computes.

Derived, rule by rule, on the site page *Reverse mode, built*
(``docs/reverse-mode-built.md``).

```python
import numpy as np
from chainrule.engine import Tensor

x = Tensor(np.array([1.0, 2.0, 3.0]))
loss = (x * x).sum()  # x is used twice: the two shares add up
loss.backward()
assert x.grad.tolist() == [2.0, 4.0, 6.0]
```
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from chainrule._validation import (
    as_float32_or_float64,
    check_axis,
    check_cross_entropy_args,
    describe_shape,
)
from chainrule.activations import relu, relu_grad, sigmoid, sigmoid_grad
from chainrule.losses import batch_size, smoothed_targets
from chainrule.softmax import log_softmax

__all__ = ["RULES", "Tensor", "cross_entropy", "nll", "topological_order", "unbroadcast"]

Rule = Callable[..., tuple[np.ndarray, tuple[Callable[[np.ndarray], np.ndarray], ...]]]


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    r"""Sum `grad` over the axes that broadcasting added or stretched, back to `shape`.

    Parameters
    ----------
    grad : ndarray of the broadcast shape
        The gradient of an output that broadcasting made larger than an input.
    shape : tuple of int
        The input's shape; it broadcasts to ``grad.shape``.

    Returns
    -------
    ndarray of shape shape

    Notes
    -----
    Broadcasting copies one input entry into every output entry along a new
    (leading) axis or a stretched size-1 axis. A copied entry reaches the loss
    along every copy, so its gradient is the sum over the copies: for
    \(Z = X + \mathbf 1 b^\top\), \(\nabla_b L = G^\top \mathbf 1\).

    Examples
    --------
    ```python
    import numpy as np
    from chainrule.engine import unbroadcast

    G = np.arange(6.0).reshape(2, 3)
    assert unbroadcast(G, (3,)).tolist() == [3.0, 5.0, 7.0]  # the rows summed
    assert unbroadcast(G, (2, 1)).tolist() == [[3.0], [12.0]]  # the columns summed
    ```
    """
    if grad.ndim > len(shape):
        grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))
    stretched = tuple(axis for axis, n in enumerate(shape) if n == 1 and grad.shape[axis] != 1)
    return grad.sum(axis=stretched, keepdims=True) if stretched else grad


# ---------------------------------------------------------------------------
# The rules: forward on arrays, then one VJP per array input, g = grad_out.
# ---------------------------------------------------------------------------


def _add(a, b):
    return a + b, (lambda g: unbroadcast(g, a.shape), lambda g: unbroadcast(g, b.shape))


def _sub(a, b):
    return a - b, (lambda g: unbroadcast(g, a.shape), lambda g: unbroadcast(-g, b.shape))


def _mul(a, b):
    return a * b, (lambda g: unbroadcast(g * b, a.shape), lambda g: unbroadcast(g * a, b.shape))


def _div(a, b):
    out = a / b
    return out, (lambda g: unbroadcast(g / b, a.shape), lambda g: unbroadcast(-g * out / b, b.shape))


def _neg(a):
    return -a, (lambda g: -g,)


def _pow(a, *, exponent):
    if exponent == 0:  # d(a^0)/da = 0, also at a = 0 where a^(-1) would be inf
        return a**exponent, (lambda g: np.zeros_like(g),)
    return a**exponent, (lambda g: g * exponent * a ** (exponent - 1),)


def _matmul(a, b):
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul of a 0-d operand")  # reworded with both shapes by Tensor._binary
    # A 1-D operand is a (1, k) row on the left or a (k, 1) column on the right, as in
    # np.matmul; G is reshaped to the 2-D product's shape, so the batch rule covers all cases.
    a2 = a.reshape(1, -1) if a.ndim == 1 else a
    b2 = b.reshape(-1, 1) if b.ndim == 1 else b
    shape2 = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2]) + (a2.shape[-2], b2.shape[-1])

    def vjp_a(g):  # dL/dA = G B^T, summed over broadcast batch axes
        return unbroadcast(g.reshape(shape2) @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)

    def vjp_b(g):  # dL/dB = A^T G
        return unbroadcast(np.swapaxes(a2, -1, -2) @ g.reshape(shape2), b2.shape).reshape(b.shape)

    return a @ b, (vjp_a, vjp_b)


def _spread(g, shape, axes, keepdims):
    """Undo a reduction over `axes`: put the reduced axes back and copy along them."""
    return np.broadcast_to(g if keepdims else np.expand_dims(g, axes), shape)


def _sum(a, *, axis, keepdims):
    return a.sum(axis=axis, keepdims=keepdims), (lambda g: _spread(g, a.shape, axis, keepdims),)


def _mean(a, *, axis, keepdims):
    count = int(np.prod([a.shape[k] for k in axis]))
    return a.mean(axis=axis, keepdims=keepdims), (lambda g: _spread(g / count, a.shape, axis, keepdims),)


def _reshape(a, *, shape):
    return a.reshape(shape), (lambda g: g.reshape(a.shape),)


def _transpose(a, *, axes):
    return a.transpose(axes), (lambda g: g.transpose(np.argsort(axes)),)


def _getitem(a, *, index):
    def vjp(g):  # gather forward, scatter-add backward: a repeated index collects every share
        grad = np.zeros(a.shape, dtype=g.dtype)
        np.add.at(grad, index, g)
        return grad

    return a[index], (vjp,)


def _exp(a):
    out = np.exp(a)
    return out, (lambda g: g * out,)


def _log(a):
    return np.log(a), (lambda g: g / a,)


def _tanh(a):
    out = np.tanh(a)
    return out, (lambda g: g * (1 - out * out),)


def _sigmoid(a):
    return sigmoid(a), (lambda g: g * sigmoid_grad(a),)  # sigma(z) sigma(-z): no cancellation


def _relu(a):
    return relu(a), (lambda g: g * relu_grad(a),)  # ReLU'(0) = 0, as in PyTorch


def _log_softmax(a, *, axis):
    out = log_softmax(a, axis=axis)  # z - logsumexp(z), shifted by the maximum: no overflow
    return out, (lambda g: g - np.exp(out) * g.sum(axis=axis, keepdims=True),)


def _nll(log_probs, *, target, is_index, smoothing, reduction):
    n_classes, n_rows = log_probs.shape[-1], batch_size(log_probs)
    with np.errstate(invalid="ignore", divide="ignore"):  # 0 * inf and 0/0: cr.cross_entropy's NaNs
        if is_index:  # as cr.cross_entropy: -(1 - alpha) log p_c - (alpha / C) sum_i log p_i
            losses = -np.take_along_axis(log_probs, target[..., None], axis=-1)[..., 0]
            if smoothing > 0:
                losses = (1 - smoothing) * losses - (smoothing / n_classes) * log_probs.sum(axis=-1)
        else:
            losses = -(smoothed_targets(log_probs, target, False, smoothing) * log_probs).sum(axis=-1)
        out = losses if reduction == "none" else losses.sum() / (n_rows if reduction == "mean" else 1)

    def vjp(g):  # dL/d(log p) = -y_alpha g, times 1/N for "mean"
        rows = g[..., None] if reduction == "none" else g / max(n_rows, 1) if reduction == "mean" else g
        return -smoothed_targets(log_probs, target, is_index, smoothing) * rows

    return out, (vjp,)


RULES: dict[str, Rule] = {
    "add": _add, "sub": _sub, "mul": _mul, "div": _div, "neg": _neg, "pow": _pow,
    "matmul": _matmul, "sum": _sum, "mean": _mean, "reshape": _reshape,
    "transpose": _transpose, "getitem": _getitem, "exp": _exp, "log": _log, "tanh": _tanh,
    "sigmoid": _sigmoid, "relu": _relu, "log_softmax": _log_softmax, "nll": _nll,
}
"""Every rule of the engine by name: ``rule(*arrays, **params) -> (out, vjps)``."""


# ---------------------------------------------------------------------------
# The tensor: records the graph, and walks it backwards.
# ---------------------------------------------------------------------------


def _constant(array: np.ndarray) -> Tensor:
    """A tensor that no gradient is computed for (an operand that was not a Tensor)."""
    constant = Tensor.__new__(Tensor)
    constant.data, constant.grad, constant.op = array, None, "constant"
    constant.parents, constant._vjps, constant._requires_grad = (), (), False
    return constant


def _tensor(value: Any, name: str) -> Tensor:
    return value if isinstance(value, Tensor) else _constant(as_float32_or_float64(value, name))


class Tensor:
    r"""A float32 or float64 array that records the operations applied to it.

    Parameters
    ----------
    data : array_like, float32 or float64
        The values; an ndarray is wrapped without a copy. A Python list of
        floats becomes float64.

    Attributes
    ----------
    data : ndarray
        The values.
    grad : ndarray of the shape and dtype of data, or None
        For a tensor you created: zeros at first, then every [`backward`][chainrule.engine.Tensor.backward]
        adds its gradient (``+=``) until [`zero_grad`][chainrule.engine.Tensor.zero_grad]. None for the
        result of an operation (its gradient is freed once passed on).
    op : str
        ``"leaf"`` for a tensor you created, else the name of its rule in ``RULES``.
    parents : tuple of Tensor
        The operands this tensor was computed from (empty for a leaf, and for
        a result that no leaf of yours flows into).

    Raises
    ------
    TypeError
        If the data is integer, boolean, complex, object or any dtype other
        than float32 and float64.

    Examples
    --------
    Operators take tensors, arrays or Python numbers on either side, with
    NumPy broadcasting; a Python number does not change the dtype:

    ```python
    import numpy as np
    from chainrule.engine import Tensor

    W = Tensor(np.ones((2, 3), dtype=np.float32))
    b = Tensor(np.zeros(2, dtype=np.float32))
    y = (2.0 * W @ np.ones(3, dtype=np.float32) + b).tanh()
    assert y.dtype == np.float32 and y.shape == (2,)
    y.backward(grad_out=np.ones(2, dtype=np.float32))  # y is not a scalar: give grad_out
    assert W.grad.dtype == np.float32 and b.grad.shape == (2,)
    ```
    """

    __slots__ = ("data", "grad", "op", "parents", "_vjps", "_requires_grad")
    __array_ufunc__ = None  # make NumPy hand `array + tensor` to Tensor.__radd__

    def __init__(self, data: ArrayLike) -> None:
        self.data = as_float32_or_float64(data, "Tensor data")
        self.grad: np.ndarray | None = np.zeros_like(self.data)
        self.op, self.parents, self._vjps, self._requires_grad = "leaf", (), (), True

    @classmethod
    def _result(cls, name: str, operands: tuple[Tensor, ...], **params: Any) -> Tensor:
        """Apply the rule `name` to the operands' data and record its VJPs beside the output."""
        out, vjps = RULES[name](*(t.data for t in operands), **params)
        node = cls.__new__(cls)
        node.data, node.grad, node.op = np.asarray(out), None, name
        node._requires_grad = any(t._requires_grad for t in operands)
        node.parents, node._vjps = (operands, vjps) if node._requires_grad else ((), ())
        return node

    def _lift(self, value: Any) -> Tensor:
        """An operand as a tensor; a Python number takes this tensor's dtype, as in NumPy."""
        if isinstance(value, Tensor):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, (bool, np.generic)):
            return _constant(np.asarray(value, dtype=self.dtype))
        return _constant(as_float32_or_float64(value, "operand"))

    def _binary(self, name: str, other: Any, reverse: bool = False) -> Tensor:
        operands = (self._lift(other), self) if reverse else (self, self._lift(other))
        try:
            return Tensor._result(name, operands)
        except ValueError:
            a, b = (t.shape for t in operands)
            if name == "matmul":
                raise ValueError(_matmul_mismatch(a, b)) from None
            raise ValueError(
                f"operands of {name} have shapes {describe_shape(a)} and {describe_shape(b)}, "
                f"which do not broadcast (expected equal sizes or 1 on each axis, aligned from the right)"
            ) from None

    # -- arithmetic ----------------------------------------------------------
    def __add__(self, other): return self._binary("add", other)
    def __radd__(self, other): return self._binary("add", other, reverse=True)
    def __sub__(self, other): return self._binary("sub", other)
    def __rsub__(self, other): return self._binary("sub", other, reverse=True)
    def __mul__(self, other): return self._binary("mul", other)
    def __rmul__(self, other): return self._binary("mul", other, reverse=True)
    def __truediv__(self, other): return self._binary("div", other)
    def __rtruediv__(self, other): return self._binary("div", other, reverse=True)
    def __matmul__(self, other): return self._binary("matmul", other)
    def __rmatmul__(self, other): return self._binary("matmul", other, reverse=True)
    def __neg__(self): return Tensor._result("neg", (self,))

    def __pow__(self, exponent: float) -> Tensor:
        if isinstance(exponent, bool) or not isinstance(exponent, numbers.Real):
            raise TypeError(f"the exponent of ** must be a constant real number, got {type(exponent).__name__}")
        exponent = int(exponent) if isinstance(exponent, numbers.Integral) else float(exponent)
        return Tensor._result("pow", (self,), exponent=exponent)

    # -- shape ---------------------------------------------------------------
    def reshape(self, *shape: int) -> Tensor:
        """The same entries in a new shape: ``t.reshape(2, 3)`` or ``t.reshape((2, 3))``."""
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return Tensor._result("reshape", (self,), shape=shape)

    def transpose(self, *axes: int) -> Tensor:
        """Permute the axes; no argument reverses them (``t.T``)."""
        axes = tuple(axes[0]) if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        axes = tuple(check_axis(k, self.ndim) for k in axes) if axes else tuple(range(self.ndim))[::-1]
        if sorted(axes) != list(range(self.ndim)):
            raise ValueError(f"axes must be a permutation of range({self.ndim}), got {axes}")
        return Tensor._result("transpose", (self,), axes=axes)

    @property
    def T(self) -> Tensor:
        """The axes reversed: the transpose of a matrix."""
        return self.transpose()

    def __getitem__(self, index: Any) -> Tensor:
        """Integers, slices and integer arrays, as NumPy; repeated indices add in backward."""
        return Tensor._result("getitem", (self,), index=index)

    # -- reductions ------------------------------------------------------------
    def _axes(self, axis: int | tuple[int, ...] | None) -> tuple[int, ...]:
        if axis is None:
            return tuple(range(self.ndim))
        axes = tuple(check_axis(k, self.ndim) for k in (axis if isinstance(axis, tuple) else (axis,)))
        if len(set(axes)) != len(axes):
            raise ValueError(f"axis {axis} names an axis twice (expected distinct axes)")
        return axes

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Sum over `axis` (all axes by default); backward copies G back along it."""
        return Tensor._result("sum", (self,), axis=self._axes(axis), keepdims=keepdims)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Mean over `axis` (all axes by default); backward copies G / count back along it."""
        return Tensor._result("mean", (self,), axis=self._axes(axis), keepdims=keepdims)

    # -- elementwise and softmax -------------------------------------------------
    def exp(self) -> Tensor: return Tensor._result("exp", (self,))
    def log(self) -> Tensor: return Tensor._result("log", (self,))
    def tanh(self) -> Tensor: return Tensor._result("tanh", (self,))
    def sigmoid(self) -> Tensor: return Tensor._result("sigmoid", (self,))
    def relu(self) -> Tensor: return Tensor._result("relu", (self,))

    def log_softmax(self, axis: int = -1) -> Tensor:
        r"""Log-probabilities \(z - \operatorname{logsumexp}(z)\) along `axis`.

        Backward: \(g - p\,(\mathbf 1^\top g)\) along the axis, with
        \(p = e^{\text{out}}\).
        """
        return Tensor._result("log_softmax", (self,), axis=axis)

    # -- attributes --------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]: return self.data.shape
    @property
    def dtype(self) -> np.dtype: return self.data.dtype
    @property
    def ndim(self) -> int: return self.data.ndim

    def __repr__(self) -> str:
        return f"Tensor(shape={self.shape}, dtype={self.dtype}, op={self.op!r})"

    # -- reverse mode ------------------------------------------------------------
    def zero_grad(self) -> None:
        """Reset ``.grad`` to zeros (a tensor you created) before the next [`backward`][chainrule.engine.Tensor.backward]."""
        if self.op == "leaf":
            self.grad = np.zeros_like(self.data)

    def backward(self, grad_out: ArrayLike | None = None) -> None:
        r"""Add \(\partial(\langle \texttt{grad\_out}, \text{self}\rangle)/\partial t\) to ``t.grad`` of every leaf t.

        Parameters
        ----------
        grad_out : array_like of this tensor's shape, float, optional
            The upstream gradient \(\nabla_{\text{self}} L\). Leave it out
            for a scalar (0-d) tensor, which is seeded with 1.

        Raises
        ------
        ValueError
            If this tensor is not 0-d and `grad_out` is missing, or if
            `grad_out` does not have this tensor's shape.
        TypeError
            If `grad_out` is not a float32 or float64 array.

        Notes
        -----
        The graph is visited once, children before parents (reverse
        topological order), with no recursion, so graphs of any depth work.
        A tensor used \(k\) times receives \(k\) shares, and they add.
        """
        if grad_out is None:
            if self.ndim:
                raise ValueError(
                    f"backward() without grad_out needs a scalar (0-d) tensor, but this tensor has shape "
                    f"{describe_shape(self.shape)}; pass grad_out of that shape"
                )
            grad_out = np.ones((), dtype=self.dtype)
        else:
            grad_out = as_float32_or_float64(grad_out, "grad_out")
            if grad_out.shape != self.shape:
                raise ValueError(
                    f"grad_out has shape {describe_shape(grad_out.shape)} but the tensor has shape "
                    f"{describe_shape(self.shape)} (expected the same shape)"
                )
            grad_out = grad_out.astype(self.dtype, copy=False)
        if not self._requires_grad:
            return  # built from constants only: no tensor of yours to give a gradient
        grads = {id(self): grad_out}
        for node in reversed(topological_order(self)):
            grad = grads.pop(id(node))  # every child has already added its share
            if node.op == "leaf":
                node.grad += grad
                continue
            for parent, vjp in zip(node.parents, node._vjps):
                if parent._requires_grad:
                    share = vjp(grad).astype(parent.dtype, copy=False)
                    key = id(parent)
                    grads[key] = grads[key] + share if key in grads else share


def topological_order(root: Tensor) -> list[Tensor]:
    """The tensors that `root` was computed from, each after all of its inputs, `root` last.

    Only tensors on a path from a leaf you created are listed (constants are
    not); ``Tensor.backward`` visits this list in reverse. Iterative depth-first
    search, so a graph deeper than Python's recursion limit is fine.

    Examples
    --------
    ```python
    import numpy as np
    from chainrule.engine import Tensor, topological_order

    x = Tensor(np.array(2.0))
    y = x * x + x.exp()
    assert [t.op for t in topological_order(y)] == ["leaf", "exp", "mul", "add"]
    ```
    """
    order: list[Tensor] = []
    visited: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif id(node) not in visited:
            visited.add(id(node))
            stack.append((node, True))  # comes back after every input below it
            stack.extend((p, False) for p in node.parents if p._requires_grad and id(p) not in visited)
    return order


def _matmul_mismatch(a: tuple[int, ...], b: tuple[int, ...]) -> str:
    if not a or not b:
        return f"matmul needs operands with at least one axis, got shapes {describe_shape(a)} and {describe_shape(b)}"
    return (
        f"matmul of shapes {describe_shape(a)} and {describe_shape(b)}: the last axis of the first "
        f"({a[-1]}) must equal the {'only' if len(b) == 1 else 'second-to-last'} axis of the second "
        f"({b[0] if len(b) == 1 else b[-2]}), and the batch axes must broadcast"
    )


# ---------------------------------------------------------------------------
# Cross-entropy as two operations: log_softmax, then the negative log-likelihood.
# ---------------------------------------------------------------------------


def nll(
    log_probs: Tensor, target: ArrayLike, *, reduction: str = "mean", label_smoothing: float = 0.0
) -> Tensor:
    r"""Negative log-likelihood of (smoothed) targets under log-probabilities.

    Parameters
    ----------
    log_probs : Tensor of shape (C,) or (N, C)
        \(\log p\), for example ``logits.log_softmax()``.
    target, reduction, label_smoothing
        As for ``chainrule.cross_entropy``: class indices of shape () or
        (N,), or probabilities of the shape of `log_probs`.

    Returns
    -------
    Tensor
        0-d for ``"mean"`` and ``"sum"``; shape (N,) (or () for (C,) input) for ``"none"``.

    Raises
    ------
    TypeError
        If `log_probs` is neither a Tensor nor a float32 or float64 array:
        ``log_probs must be a float32 or float64 array, got dtype int64``
        (``chainrule.cross_entropy`` also takes float16 and complex logits, and
        words its message differently); else as ``chainrule.cross_entropy``.
    ValueError
        As ``chainrule.cross_entropy``, with the same messages, which call
        `log_probs` "logits" (``logits must be 1-D of shape (C,) or 2-D ...``).

    Notes
    -----
    Per row \(\ell = -\sum_i (y_\alpha)_i \log p_i\) with the smoothed target
    \(y_\alpha = (1 - \alpha)\,y + \frac{\alpha}{C}\mathbf 1\), so the backward rule is
    \(\partial L / \partial \log p = -y_\alpha\) (divided by N for ``"mean"``).
    """
    log_probs = _tensor(log_probs, "log_probs")
    params = _loss_params(log_probs, target, reduction, label_smoothing)
    return Tensor._result("nll", (log_probs,), **params)


def cross_entropy(
    logits: Tensor, target: ArrayLike, *, reduction: str = "mean", label_smoothing: float = 0.0
) -> Tensor:
    r"""Softmax cross-entropy with ``chainrule.cross_entropy``'s semantics, as two operations.

    ``nll(logits.log_softmax(-1), target, ...)``: the backward pass runs the
    two VJPs one after the other, and their product is the fused
    \((p\,\mathbf 1^\top y_\alpha - y_\alpha)/N\) of ``chainrule.cross_entropy_grad``,
    with the smoothed target \(y_\alpha = (1 - \alpha)\,y + \frac{\alpha}{C}\mathbf 1\).

    Parameters
    ----------
    logits : Tensor of shape (C,) or (N, C)
    target, reduction, label_smoothing
        As for ``chainrule.cross_entropy``.

    Returns
    -------
    Tensor
        As ``chainrule.cross_entropy`` returns, wrapped.

    Raises
    ------
    TypeError
        If `logits` is neither a Tensor nor a float32 or float64 array:
        ``logits must be a float32 or float64 array, got dtype int64``, the
        message of a [`Tensor`][chainrule.engine.Tensor] (``chainrule.cross_entropy``
        also takes float16 and complex logits, and says
        ``logits must be a floating-point array ...``); else as
        ``chainrule.cross_entropy``, with the same messages.
    ValueError
        As ``chainrule.cross_entropy``, with the same messages.

    Examples
    --------
    ```python
    import numpy as np
    import chainrule as cr
    from chainrule.engine import Tensor, cross_entropy

    logits, labels = np.array([[2.0, 0.0, -1.0], [0.0, 3.0, 0.5]]), np.array([0, 2])
    z = Tensor(logits)
    cross_entropy(z, labels, label_smoothing=0.1).backward()
    fused = cr.cross_entropy_grad(logits, labels, label_smoothing=0.1)
    assert np.allclose(z.grad, fused, rtol=1e-14, atol=1e-16)  # p - y_alpha in two steps
    ```
    """
    logits = _tensor(logits, "logits")
    params = _loss_params(logits, target, reduction, label_smoothing)
    return Tensor._result("nll", (logits.log_softmax(-1),), **params)


def _loss_params(x: Tensor, target: Any, reduction: Any, label_smoothing: Any) -> dict[str, Any]:
    """Validate as cr.cross_entropy does (its checks, its messages); return _nll's parameters."""
    args = check_cross_entropy_args(x.data, target, reduction, label_smoothing)
    return {"target": args.target, "is_index": args.is_index, "smoothing": args.smoothing, "reduction": args.reduction}
