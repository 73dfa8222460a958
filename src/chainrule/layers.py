r"""A dense layer and a ReLU multilayer perceptron, forward and backward.

In the site's notation (a batch \(X\), the argument ``x``, stores one sample
per row; \(n\) = ``in_features``, \(m\) = ``out_features``):

$$
Z = X W^\top + \mathbf 1 b^\top, \qquad X \in \mathbb{R}^{N \times n},\;
W \in \mathbb{R}^{m \times n},\; b \in \mathbb{R}^{m},\;
Z \in \mathbb{R}^{N \times m}.
$$

``dense`` and its derivative ``dense_backward`` are plain functions;
``Dense`` wraps them with a parameter dict and the cache of \(X\) that the
backward pass needs, and ``MLP`` is a list of ``Dense`` layers with
ReLU in between. Both backward methods take the upstream gradient ``grad_out``
and return a ``Grads``: dL/dx and a dict of parameter gradients with the
keys of ``params``. Neither stores anything from the backward pass. Derived
on the site pages *A neuron, the forward pass and the output layer*
(``docs/mlp/forward.md``) and *Hidden layers and batches*
(``docs/mlp/hidden-layers.md``).

Parameters live in ``params`` and are read from it on every forward pass.
That makes a network a function of any one parameter array, which is what a
numerical gradient check needs; the complex step even works on a whole
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
check_gradient(loss_of_W1, grads.params["W1"], W1)  # raises GradientCheckError if wrong
mlp.params["W1"] = W1
```
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping, Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from chainrule._validation import (
    check_batch,
    check_float_dtype,
    check_forward_ran,
    check_grad_shape,
    check_key,
    check_param_shape,
    check_positive_int,
    check_rng,
    check_sizes,
    describe_shape,
)
from chainrule.activations import relu, relu_grad

__all__ = ["MLP", "Dense", "Grads", "LayerParams", "dense", "dense_backward", "he_normal"]


class Grads(NamedTuple):
    """What a backward pass returns: the loss's gradient with respect to the input and to each parameter.

    Returned by ``dense_backward``, [`Dense.backward`][chainrule.layers.Dense.backward] and [`MLP.backward`][chainrule.layers.MLP.backward].
    """

    x: np.ndarray
    """dL/dx, of the shape of the forward pass's input."""
    params: dict[str, np.ndarray]
    """dL/dθ for every parameter θ, with the keys, order and shapes of the module's ``params``."""


def dense(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    r"""Affine map of a batch: \(Z = X W^\top + \mathbf 1 b^\top\).

    Parameters
    ----------
    x : ndarray of shape (N, in_features)
    W : ndarray of shape (out_features, in_features)
    b : ndarray of shape (out_features,)

    Returns
    -------
    ndarray of shape (N, out_features)
        \(Z_{si} = \sum_j X_{sj} W_{ij} + b_i\) for sample \(s\); dtype by
        NumPy promotion (complex if any input is complex).
    """
    return x @ W.T + b


def dense_backward(x: np.ndarray, W: np.ndarray, grad_out: np.ndarray) -> Grads:
    r"""Backward pass of ``dense``: from dL/dZ to dL/dX, dL/dW and dL/db.

    Parameters
    ----------
    x : ndarray of shape (N, in_features)
        The input of the forward pass.
    W : ndarray of shape (out_features, in_features)
        The weights of the forward pass.
    grad_out : ndarray of shape (N, out_features)
        \(G = \partial L / \partial Z\), the upstream gradient, rows \(g_s^\top\).

    Returns
    -------
    Grads
        ``x`` of shape (N, in_features) and ``params`` ``{"W": ..., "b": ...}`` of
        shapes (out_features, in_features) and (out_features,).

    Notes
    -----
    Since \(Z_{si} = \sum_j X_{sj} W_{ij} + b_i\), the chain rule summed over
    every \(Z_{si}\) that a variable touches gives

    $$
    \frac{\partial L}{\partial X} = G\,W, \qquad
    \nabla_W L = G^\top X = \sum_{s=1}^{N} g_s\, x_s^\top, \qquad
    \nabla_b L = G^\top \mathbf 1 = \sum_{s=1}^{N} g_s,
    $$

    with \(g_s^\top\) and \(x_s^\top\) row \(s\) of \(G\) and \(X\). A weight
    is shared by every sample of the batch, so its gradient is the *sum* of the
    per-sample outer products \(g_s x_s^\top\); the matrix product \(G^\top X\)
    computes that sum in one call.

    Examples
    --------
    ```python
    import numpy as np
    from chainrule.layers import dense_backward

    rng = np.random.default_rng(0)
    x, W, grad_out = rng.normal(size=(5, 4)), rng.normal(size=(3, 4)), rng.normal(size=(5, 3))
    outer_products = sum(np.outer(g_s, x_s) for g_s, x_s in zip(grad_out, x))
    grads = dense_backward(x, W, grad_out)
    assert np.allclose(grads.params["W"], outer_products, rtol=1e-14, atol=1e-14)
    ```
    """
    return Grads(x=grad_out @ W, params={"W": grad_out.T @ x, "b": grad_out.sum(axis=0)})


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
        Samples of \(\mathcal{N}(0, 2 / n)\), \(n\) = `in_features`.

    Notes
    -----
    With independent zero-mean weights, a pre-activation
    \(z^l_i = \sum_j W^l_{ij} a^{l-1}_j\) of a layer with \(n = n^{l-1}\) inputs has
    \(\operatorname{Var} z^l_i = n\operatorname{Var}(W^l)\,\mathbb{E}[(a^{l-1}_j)^2]\), and a ReLU of a
    symmetric \(z\) keeps half of its second moment:
    \(\mathbb{E}[(a^{l-1}_j)^2] = \tfrac12 \operatorname{Var} z^{l-1}_j\). Choosing
    \(\operatorname{Var}(W^l) = 2 / n\) therefore keeps the variance of
    the pre-activations the same from layer to layer (He et al., 2015,
    *Delving deep into rectifiers*). PyTorch's ``nn.Linear`` uses a different
    default (uniform on \(\pm 1/\sqrt{n}\)), so comparisons with
    PyTorch copy the weights instead of re-seeding.
    """
    std = np.sqrt(2.0 / in_features)
    return rng.normal(0.0, std, size=(out_features, in_features)).astype(dtype)


class Dense:
    r"""A fully connected layer \(Z = X W^\top + \mathbf 1 b^\top\) that caches its input.

    Parameters
    ----------
    in_features, out_features : int
        Sizes of one input row and one output row.
    rng : numpy.random.Generator
        Draws the initial W by ``he_normal``; b starts at zero.
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

    Examples
    --------
    ```python
    import numpy as np
    from chainrule import Dense

    layer = Dense(4, 3, rng=np.random.default_rng(0))
    z = layer.forward(np.ones((2, 4)))
    grads = layer.backward(np.ones_like(z))
    assert grads.x.shape == (2, 4) and grads.params["W"].shape == (3, 4)
    assert grads.params["b"].tolist() == [2.0, 2.0, 2.0]  # dL/db sums the batch
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
        self._cache: tuple[np.ndarray, np.ndarray, tuple[int, ...]] | None = None  # x, W, z.shape

    def __repr__(self) -> str:
        return f"Dense(in_features={self.in_features}, out_features={self.out_features}, dtype={self.params['W'].dtype})"

    def forward(self, x: ArrayLike) -> np.ndarray:
        r"""Compute \(Z = X W^\top + \mathbf 1 b^\top\) and cache x and W for [`backward`][chainrule.layers.Dense.backward].

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
            If `x` is not 2-D with `in_features` columns, or W or b has been
            replaced by an array of the wrong shape.
        """
        x = check_batch(x, "x", self.in_features)
        W, b = self.params["W"], self.params["b"]
        check_param_shape(W, "W", (self.out_features, self.in_features))
        check_param_shape(b, "b", (self.out_features,))
        z = dense(x, W, b)
        self._cache = (x, W, z.shape)
        return z

    def backward(self, grad_out: ArrayLike) -> Grads:
        """Gradients with respect to x, W and b, given dL/dZ for the last forward pass.

        Parameters
        ----------
        grad_out : array_like of shape (N, out_features)
            The upstream gradient dL/dZ, of the shape that [`forward`][chainrule.layers.Dense.forward] returned.

        Returns
        -------
        Grads
            ``x``: dL/dx of shape (N, in_features); ``params``: ``{"W": ..., "b": ...}``
            of shapes (out_features, in_features) and (out_features,). See
            ``dense_backward`` for the formulas.

        Raises
        ------
        RuntimeError
            If called before [`forward`][chainrule.layers.Dense.forward].
        ValueError
            If `grad_out` does not have the shape of the last forward output.
        """
        check_forward_ran(self._cache, "Dense")
        x, W, output_shape = self._cache
        grad_out = check_grad_shape(grad_out, "grad_out", output_shape)
        return dense_backward(x, W, grad_out)


class LayerParams(MutableMapping):
    """The parameters of an MLP's layers under one set of names, ``"W1", "b1", ..., "WK", "bK"``.

    A view, not a copy: ``params["W2"]`` is ``layers[1].params["W"]`` itself, and
    assigning ``params["W2"] = array`` puts the array into that layer, so the next
    forward pass uses it. Keys can be neither added nor removed.

    Parameters
    ----------
    layers : sequence of Dense
        The layers, first to last; layer ``l`` (counting from 1) owns ``"Wl"`` and ``"bl"``.

    Examples
    --------
    ```python
    import numpy as np
    from chainrule import MLP

    mlp = MLP([4, 8, 3], rng=np.random.default_rng(0))
    mlp.params["W2"] = np.zeros((3, 8))
    assert mlp.layers[1].params["W"] is mlp.params["W2"] and list(mlp.params) == ["W1", "b1", "W2", "b2"]
    assert repr(mlp.params) == "LayerParams(W1: float64 (8, 4), b1: float64 (8,), W2: float64 (3, 8), b2: float64 (3,))"
    ```
    """

    def __init__(self, layers: Sequence[Dense]) -> None:
        self._layers = layers
        self._where = {
            f"{name}{number}": (number - 1, name) for number in range(1, len(layers) + 1) for name in ("W", "b")
        }

    def __getitem__(self, key: str) -> np.ndarray:
        index, name = self._where[check_key(key, "params", self._where)]
        return self._layers[index].params[name]

    def __setitem__(self, key: str, value: np.ndarray) -> None:
        index, name = self._where[check_key(key, "params", self._where)]
        self._layers[index].params[name] = value

    def __delitem__(self, key: str) -> None:
        raise TypeError(
            f"params of an MLP cannot lose an entry, got del params[{key!r}] "
            "(expected an assignment of a new array instead)"
        )

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def __repr__(self) -> str:
        entries = ", ".join(
            f"{key}: {getattr(value, 'dtype', type(value).__name__)} {describe_shape(np.shape(value))}"
            for key, value in self.items()
        )
        return f"LayerParams({entries})"


class MLP:
    r"""A multilayer perceptron: dense layers with ReLU between them, ending in logits.

    Parameters
    ----------
    sizes : sequence of int, length K + 1 >= 2
        The widths \(n^0, n^1, \dots, n^K\), input first: ``MLP([4, 16, 3], rng=rng)``
        maps 4 input features through 16 hidden units to 3 logits (K = 2
        layers). A list, tuple, range or 1-D integer array; not a string.
    rng : numpy.random.Generator
        Draws W1, W2, ... in that order by ``he_normal``; biases start at 0.
    dtype : floating dtype, default float64
        dtype of every parameter.

    Attributes
    ----------
    layers : list of Dense
        The K layers, first to last; ``layers[l - 1]`` is layer \(l\), mapping
        ``sizes[l - 1]`` features to ``sizes[l]``.
    params : LayerParams
        A mutable mapping ``"W1", "b1", "W2", "b2", ..., "WK", "bK"`` (in that
        order) onto the layers' parameters; ``"Wl"`` is \(W^l\), of shape
        (sizes[l], sizes[l-1]), and ``"bl"`` is \(b^l\), of shape (sizes[l],).
        Read on every forward pass: assign a new array to change the network.

    Raises
    ------
    TypeError
        If `sizes` is not a sequence (a number, a string, None) or has an
        entry that is not an integer, `rng` is not a Generator, or `dtype` is
        not floating.
    ValueError
        If `sizes` has fewer than two entries or an entry below 1.

    Notes
    -----
    For a batch \(X\) (the argument ``x``, one sample per row), with
    \(A^0 = X\), for layers \(l = 1, \dots, K\):

    $$
    Z^l = A^{l-1} W^{l\top} + \mathbf 1 b^{l\top}, \qquad
    A^l = \operatorname{ReLU}(Z^l)\ (l < K), \qquad \text{logits} = Z^K .
    $$

    Backward, from \(G^K = \partial L / \partial Z^K\) (the upstream gradient ``grad_out``):

    $$
    \nabla_{W^l} L = G^{l\top} A^{l-1}, \quad
    \nabla_{b^l} L = G^{l\top} \mathbf 1, \quad
    G^{l-1} = (G^l W^l) \odot \operatorname{ReLU}'(Z^{l-1}),
    $$

    the elementwise product because ReLU's Jacobian is diagonal; and
    \(\partial L / \partial X = G^1 W^1\), with no mask. Each layer's
    [`Dense.backward`][chainrule.layers.Dense.backward] computes the first two and \(G^l W^l\); the MLP
    applies the ReLU mask in between. Forward caches exactly what these formulas
    read: each [`Dense`][chainrule.layers.Dense] keeps its \(A^{l-1}\) and \(W^l\), the MLP
    keeps each hidden \(Z^l\). Derived on the site page *Hidden layers and batches*
    (``docs/mlp/hidden-layers.md``).

    Examples
    --------
    ```python
    import numpy as np
    from chainrule import MLP, cross_entropy_grad

    mlp = MLP([4, 16, 3], rng=np.random.default_rng(0))
    x = np.ones((2, 4))
    grads = mlp.backward(cross_entropy_grad(mlp.forward(x), np.array([0, 2])))
    assert grads.x.shape == x.shape and list(grads.params) == list(mlp.params)
    ```
    """

    def __init__(
        self, sizes: Sequence[int], *, rng: np.random.Generator, dtype: DTypeLike = np.float64
    ) -> None:
        self.sizes = check_sizes(sizes)
        check_rng(rng)
        dtype = check_float_dtype(dtype)
        self.layers = [
            Dense(n_in, n_out, rng=rng, dtype=dtype) for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:])
        ]
        self._params = LayerParams(self.layers)
        self._cache: tuple[list[np.ndarray], tuple[int, ...]] | None = None  # hidden z's, logits' shape

    @property
    def params(self) -> LayerParams:
        """``"W1", "b1", ..., "WK", "bK"``: a mutable view onto the layers' parameters."""
        return self._params

    @property
    def n_layers(self) -> int:
        """Number of dense layers K (one less than ``len(sizes)``)."""
        return len(self.layers)

    def __repr__(self) -> str:
        return f"MLP(sizes={list(self.sizes)}, dtype={self.params['W1'].dtype})"

    def forward(self, x: ArrayLike) -> np.ndarray:
        r"""Logits for a batch, caching what [`backward`][chainrule.layers.MLP.backward] needs.

        Parameters
        ----------
        x : array_like of shape (N, sizes[0]), float or complex

        Returns
        -------
        ndarray of shape (N, sizes[-1])
            The logits \(Z^K\) (no activation after the last layer).

        Raises
        ------
        TypeError
            If `x` is not a floating-point or complex array.
        ValueError
            If `x` is not 2-D with ``sizes[0]`` columns, or a parameter in
            ``params`` has been replaced by an array of the wrong shape.
        """
        a = check_batch(x, "x", self.sizes[0])
        for number, layer in enumerate(self.layers, start=1):  # every check before any layer runs
            check_param_shape(layer.params["W"], f"params['W{number}']", (layer.out_features, layer.in_features))
            check_param_shape(layer.params["b"], f"params['b{number}']", (layer.out_features,))
        hidden_z = []
        for layer in self.layers[:-1]:
            z = layer.forward(a)
            hidden_z.append(z)
            a = relu(z)
        logits = self.layers[-1].forward(a)
        self._cache = (hidden_z, logits.shape)
        return logits

    def backward(self, grad_out: ArrayLike) -> Grads:
        """Gradient of the loss with respect to the input and every parameter, given dL/dlogits.

        Parameters
        ----------
        grad_out : array_like of shape (N, sizes[-1])
            The upstream gradient dL/dlogits for the last forward pass (for
            example ``cross_entropy_grad(logits, targets)``).

        Returns
        -------
        Grads
            ``x``: dL/dx of shape (N, sizes[0]); ``params``: a dict with the
            keys, order and shapes of ``params``.

        Raises
        ------
        RuntimeError
            If called before [`forward`][chainrule.layers.MLP.forward].
        ValueError
            If `grad_out` does not have the shape of the last logits.
        """
        check_forward_ran(self._cache, "MLP")
        hidden_z, logits_shape = self._cache
        grad = check_grad_shape(grad_out, "grad_out", logits_shape)
        grads: dict[str, np.ndarray] = {}
        for number in range(self.n_layers, 0, -1):
            if number < self.n_layers:  # through the ReLU after layer `number`: dL/dz = dL/da * relu'(z)
                grad = grad * relu_grad(hidden_z[number - 1])
            layer_grads = self.layers[number - 1].backward(grad)
            grads[f"W{number}"], grads[f"b{number}"] = layer_grads.params["W"], layer_grads.params["b"]
            grad = layer_grads.x
        return Grads(x=grad, params={name: grads[name] for name in self.params})
