r"""A dense layer and a ReLU multilayer perceptron, forward and backward.

Notation (a batch of :math:`N` rows; one row is one sample):

.. math::

    z = x W^\top + b, \qquad x \in \mathbb{R}^{N \times n_\text{in}},\;
    W \in \mathbb{R}^{n_\text{out} \times n_\text{in}},\; b \in \mathbb{R}^{n_\text{out}},\;
    z \in \mathbb{R}^{N \times n_\text{out}}.

:func:`dense` and its derivative :func:`dense_backward` are plain functions;
:class:`Dense` wraps them with a parameter dict and the cache of :math:`x` that the
backward pass needs, and :class:`MLP` chains them with ReLU in between.

Parameters live in a ``params`` dict and are read from it on every forward
pass. That makes a network a function of any one parameter array, which is
what a numerical gradient check needs; the complex step even works on a whole
network, because every operation here is complex-analytic:

```python
import numpy as np
from chainrule import MLP, check_gradient, cross_entropy, cross_entropy_grad

rng = np.random.default_rng(0)
mlp = MLP([4, 8, 3], rng=rng)
x, targets = rng.normal(size=(5, 4)), np.array([0, 2, 1, 1, 0])
grads = mlp.backward(cross_entropy_grad(mlp.forward(x), targets))

def loss_of_W1(W1):
    mlp.params["W1"] = W1  # a complex W1 flows through the whole network
    return cross_entropy(mlp.forward(x), targets)

W1 = mlp.params["W1"].copy()
check_gradient(loss_of_W1, grads["W1"], W1)  # raises GradientCheckError if wrong
mlp.params["W1"] = W1
```
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from chainrule._validation import (
    check_batch,
    check_float_dtype,
    check_forward_ran,
    check_grad_shape,
    check_param_shape,
    check_positive_int,
    check_rng,
    check_sizes,
)
from chainrule.activations import relu, relu_grad

__all__ = ["MLP", "Dense", "DenseGrads", "dense", "dense_backward", "he_normal"]


def dense(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    r"""Affine map of a batch: :math:`z = x W^\top + b`.

    Parameters
    ----------
    x : ndarray of shape (N, in_features)
    W : ndarray of shape (out_features, in_features)
    b : ndarray of shape (out_features,)

    Returns
    -------
    ndarray of shape (N, out_features)
        :math:`z_{nj} = \sum_i x_{ni} W_{ji} + b_j`; dtype by NumPy promotion
        (complex if any input is complex).
    """
    return x @ W.T + b


class DenseGrads(NamedTuple):
    """Gradients of a loss with respect to the inputs of :func:`dense`."""

    x: np.ndarray
    """dL/dx, shape (N, in_features)."""
    W: np.ndarray
    """dL/dW, shape (out_features, in_features)."""
    b: np.ndarray
    """dL/db, shape (out_features,)."""


def dense_backward(x: np.ndarray, W: np.ndarray, grad_out: np.ndarray) -> DenseGrads:
    r"""Backward pass of :func:`dense`: from dL/dz to dL/dx, dL/dW and dL/db.

    Parameters
    ----------
    x : ndarray of shape (N, in_features)
        The input of the forward pass.
    W : ndarray of shape (out_features, in_features)
        The weights of the forward pass.
    grad_out : ndarray of shape (N, out_features)
        :math:`G = \partial L / \partial z`, the upstream gradient.

    Returns
    -------
    DenseGrads
        ``(x, W, b)`` gradients of shapes (N, in_features),
        (out_features, in_features) and (out_features,).

    Notes
    -----
    Since :math:`z_{nj} = \sum_i x_{ni} W_{ji} + b_j`, the chain rule summed over
    every :math:`z_{nj}` that a variable touches gives

    .. math::

        \frac{\partial L}{\partial x} = G\,W, \qquad
        \frac{\partial L}{\partial W} = G^\top x = \sum_{n=1}^{N} g_n\, x_n^\top, \qquad
        \frac{\partial L}{\partial b} = \sum_{n=1}^{N} g_n,

    with :math:`g_n` and :math:`x_n` the :math:`n`-th rows as column vectors. A weight is
    shared by every sample of the batch, so its gradient is the *sum* of the
    per-sample outer products :math:`g_n x_n^\top`; the matrix product :math:`G^\top x`
    computes that sum in one call.

    ```python
    import numpy as np
    from chainrule.layers import dense_backward

    rng = np.random.default_rng(0)
    x, W, grad_out = rng.normal(size=(5, 4)), rng.normal(size=(3, 4)), rng.normal(size=(5, 3))
    outer_products = sum(np.outer(g_n, x_n) for g_n, x_n in zip(grad_out, x))
    assert np.allclose(dense_backward(x, W, grad_out).W, outer_products, rtol=1e-14, atol=1e-14)
    ```
    """
    return DenseGrads(x=grad_out @ W, W=grad_out.T @ x, b=grad_out.sum(axis=0))


def he_normal(
    in_features: int, out_features: int, *, rng: np.random.Generator, dtype: DTypeLike = np.float64
) -> np.ndarray:
    r"""He (Kaiming) normal initial weights for a layer followed by ReLU.

    Parameters
    ----------
    in_features, out_features : int
    rng : numpy.random.Generator
        The only source of randomness: the same seed gives the same weights.
    dtype : floating dtype, default float64
        The samples are drawn in float64 and then cast, so a float32 and a
        float64 network built from the same seed agree to float32 rounding.

    Returns
    -------
    ndarray of shape (out_features, in_features)
        Samples of :math:`\mathcal{N}(0, 2 / n_\text{in})`.

    Notes
    -----
    With independent zero-mean weights,
    :math:`\operatorname{Var} z_j = n_\text{in}\operatorname{Var}(W)\,\mathbb{E}[a_i^2]`, and a ReLU of a
    symmetric :math:`z` keeps half of its second moment:
    :math:`\mathbb{E}[a^2] = \tfrac12 \operatorname{Var} z`. Choosing
    :math:`\operatorname{Var}(W) = 2 / n_\text{in}` therefore keeps the variance of
    the pre-activations the same from layer to layer (He et al., 2015,
    *Delving deep into rectifiers*). PyTorch's ``nn.Linear`` uses a different
    default (uniform on :math:`\pm 1/\sqrt{n_\text{in}}`), so comparisons with
    PyTorch copy the weights instead of re-seeding.
    """
    std = np.sqrt(2.0 / in_features)
    return rng.normal(0.0, std, size=(out_features, in_features)).astype(dtype)


class Dense:
    r"""A fully connected layer :math:`z = x W^\top + b` that caches its input.

    Parameters
    ----------
    in_features, out_features : int
        Sizes of one input row and one output row.
    rng : numpy.random.Generator
        Draws the initial W by :func:`he_normal`; b starts at zero.
    dtype : floating dtype, default float64
        dtype of W and b.

    Attributes
    ----------
    params : dict of str to ndarray
        ``"W"`` of shape (out_features, in_features) and ``"b"`` of shape
        (out_features,). Read on every forward pass, so assigning a new array
        (for example a complex one, for the complex step) changes the layer.

    Raises
    ------
    TypeError
        If `rng` is not a Generator, the sizes are not integers, or `dtype` is
        not a floating dtype.
    ValueError
        If a size is not positive.

    ```python
    import numpy as np
    from chainrule import Dense

    layer = Dense(4, 3, rng=np.random.default_rng(0))
    x = np.ones((2, 4))
    z = layer.forward(x)
    grad_x, grad_W, grad_b = layer.backward(np.ones_like(z))
    assert z.shape == (2, 3) and grad_W.shape == (3, 4) and grad_b.tolist() == [2.0, 2.0, 2.0]
    ```
    """

    def __init__(
        self, in_features: int, out_features: int, *, rng: np.random.Generator, dtype: DTypeLike = np.float64
    ) -> None:
        self.in_features = check_positive_int(in_features, "in_features")
        self.out_features = check_positive_int(out_features, "out_features")
        check_rng(rng)
        dtype = check_float_dtype(dtype)
        self.params: dict[str, np.ndarray] = {
            "W": he_normal(self.in_features, self.out_features, rng=rng, dtype=dtype),
            "b": np.zeros(self.out_features, dtype=dtype),
        }
        self._cache: tuple[np.ndarray, np.ndarray] | None = None  # (x, W) of the last forward
        self._output_shape: tuple[int, ...] | None = None  # pragma: no mutate (read only after forward() sets it)

    def __repr__(self) -> str:
        return f"Dense(in_features={self.in_features}, out_features={self.out_features}, dtype={self.params['W'].dtype})"

    def forward(self, x: ArrayLike) -> np.ndarray:
        r"""Compute :math:`z = x W^\top + b` and cache x and W for :meth:`backward`.

        Parameters
        ----------
        x : array_like of shape (N, in_features), float or complex

        Returns
        -------
        ndarray of shape (N, out_features)

        Raises
        ------
        TypeError
            If `x` is not a floating-point or complex array.
        ValueError
            If `x` is not 2-D with `in_features` columns.
        """
        x = check_batch(x, "x", self.in_features)
        W, b = self.params["W"], self.params["b"]
        check_param_shape(W, "W", (self.out_features, self.in_features))
        check_param_shape(b, "b", (self.out_features,))
        z = dense(x, W, b)
        self._cache, self._output_shape = (x, W), z.shape
        return z

    def backward(self, grad_out: ArrayLike) -> DenseGrads:
        """Gradients with respect to x, W and b, given dL/dz for the last forward pass.

        Parameters
        ----------
        grad_out : array_like of shape (N, out_features)
            The upstream gradient dL/dz, of the shape that :meth:`forward` returned.

        Returns
        -------
        DenseGrads
            ``(x, W, b)``: shapes (N, in_features), (out_features, in_features),
            (out_features,); see :func:`dense_backward` for the formulas.

        Raises
        ------
        RuntimeError
            If called before :meth:`forward`.
        ValueError
            If `grad_out` does not have the shape of the last forward output.
        """
        check_forward_ran(self._cache, "Dense")
        grad_out = check_grad_shape(grad_out, "grad_out", self._output_shape)
        x, W = self._cache
        return dense_backward(x, W, grad_out)


class MLP:
    r"""A multilayer perceptron: dense layers with ReLU between them, ending in logits.

    Parameters
    ----------
    sizes : sequence of int, length L + 1 >= 2
        Features per layer, input first: ``MLP([4, 16, 3], rng=rng)`` maps 4
        input features through 16 hidden units to 3 logits (L = 2 layers).
    rng : numpy.random.Generator
        Draws W1, W2, ... in that order by :func:`he_normal`; biases start at 0.
    dtype : floating dtype, default float64
        dtype of every parameter.

    Attributes
    ----------
    params : dict of str to ndarray
        ``"W1", "b1", "W2", "b2", ..., "WL", "bL"`` in that order; ``"Wl"`` has
        shape (sizes[l], sizes[l-1]) and ``"bl"`` shape (sizes[l],). Read on
        every forward pass: assign a new array to change the network.
    grad_x : ndarray of shape (N, sizes[0]) or None
        dL/dx from the last :meth:`backward`.

    Raises
    ------
    TypeError, ValueError
        If `sizes` has fewer than two entries or a non-positive or non-integer
        entry, `rng` is not a Generator, or `dtype` is not floating.

    Notes
    -----
    With :math:`a_0 = x`, for layers :math:`l = 1, \dots, L`:

    .. math::

        z_l = a_{l-1} W_l^\top + b_l, \qquad a_l = \operatorname{relu}(z_l)\ (l < L),
        \qquad \text{logits} = z_L.

    Backward, from :math:`G_L = \partial L / \partial z_L` (the upstream gradient ``grad_out``):

    .. math::

        \frac{\partial L}{\partial W_l} = G_l^\top a_{l-1}, \quad
        \frac{\partial L}{\partial b_l} = \textstyle\sum_n (G_l)_n, \quad
        G_{l-1} = (G_l W_l) \odot \operatorname{relu}'(z_{l-1}),

    the elementwise product because ReLU's Jacobian is diagonal. Forward caches
    each :math:`a_{l-1}`, :math:`W_l` and :math:`z_l`: exactly what these formulas read.
    """

    def __init__(
        self, sizes: Sequence[int], *, rng: np.random.Generator, dtype: DTypeLike = np.float64
    ) -> None:
        self.sizes = check_sizes(sizes)
        check_rng(rng)
        dtype = check_float_dtype(dtype)
        self.params: dict[str, np.ndarray] = {}
        for layer, (n_in, n_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:]), start=1):
            self.params[f"W{layer}"] = he_normal(n_in, n_out, rng=rng, dtype=dtype)
            self.params[f"b{layer}"] = np.zeros(n_out, dtype=dtype)
        self.grad_x: np.ndarray | None = None
        self._cache: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None
        self._output_shape: tuple[int, ...] | None = None  # pragma: no mutate (read only after forward() sets it)

    @property
    def n_layers(self) -> int:
        """Number of dense layers L (one less than ``len(sizes)``)."""
        return len(self.sizes) - 1

    def __repr__(self) -> str:
        return f"MLP(sizes={list(self.sizes)}, dtype={self.params['W1'].dtype})"

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Logits for a batch, caching what :meth:`backward` needs.

        Parameters
        ----------
        x : array_like of shape (N, sizes[0]), float or complex

        Returns
        -------
        ndarray of shape (N, sizes[-1])
            The logits :math:`z_L` (no activation after the last layer).

        Raises
        ------
        TypeError
            If `x` is not a floating-point or complex array.
        ValueError
            If `x` is not 2-D with ``sizes[0]`` columns, or a parameter in
            ``params`` has been replaced by an array of the wrong shape.
        """
        a = check_batch(x, "x", self.sizes[0])
        cache = []
        for layer in range(1, self.n_layers + 1):
            W, b = self.params[f"W{layer}"], self.params[f"b{layer}"]
            check_param_shape(W, f"params['W{layer}']", (self.sizes[layer], self.sizes[layer - 1]))
            check_param_shape(b, f"params['b{layer}']", (self.sizes[layer],))
            z = dense(a, W, b)
            cache.append((a, W, z))
            a = relu(z) if layer < self.n_layers else z
        self._cache, self._output_shape = cache, a.shape
        return a

    def backward(self, grad_out: ArrayLike) -> dict[str, np.ndarray]:
        """Gradient of the loss with respect to every parameter, given dL/dlogits.

        Parameters
        ----------
        grad_out : array_like of shape (N, sizes[-1])
            The upstream gradient dL/dlogits for the last forward pass (for
            example ``cross_entropy_grad(logits, targets)``).

        Returns
        -------
        dict of str to ndarray
            Same keys, order and shapes as ``params``. dL/dx is stored in
            ``self.grad_x``.

        Raises
        ------
        RuntimeError
            If called before :meth:`forward`.
        ValueError
            If `grad_out` does not have the shape of the last logits.
        """
        check_forward_ran(self._cache, "MLP")
        grad_z = check_grad_shape(grad_out, "grad_out", self._output_shape)
        grads: dict[str, np.ndarray] = {}
        for layer in range(self.n_layers, 0, -1):
            a_prev, W, _ = self._cache[layer - 1]
            grad_a_prev, grads[f"W{layer}"], grads[f"b{layer}"] = dense_backward(a_prev, W, grad_z)
            if layer > 1:
                z_prev = self._cache[layer - 2][2]
                grad_z = grad_a_prev * relu_grad(z_prev)
        self.grad_x = grad_a_prev
        return {name: grads[name] for name in self.params}
