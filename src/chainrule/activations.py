r"""Elementwise activations, each with its derivative right below it.

An elementwise function \(a_i = \phi(z_i)\) has a diagonal Jacobian
\(\operatorname{diag}(\phi'(z))\), so its backward pass is an elementwise
product, never a matrix product:

$$
\nabla_z L = \phi'(z) \odot \nabla_a L
\qquad\text{in code:}\qquad \texttt{grad\_z = phi\_grad(z) * grad\_a}.
$$

Every function keeps the dtype of its input (float32 stays float32, complex128
stays complex128) and is *complex-step safe*: evaluated at \(x + \mathrm i h\) for a tiny
real \(h\), its imaginary part is \(h\,\phi'(x)\) to machine precision. That is why
the code branches on ``x.real`` and never calls ``abs``, ``sign`` or
``maximum`` on a value being differentiated: those are not complex-analytic
and silently drop the imaginary part that carries the derivative.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from chainrule._validation import as_float_array

__all__ = ["relu", "relu_grad", "sigmoid", "sigmoid_grad"]


def relu(x: ArrayLike) -> np.ndarray:
    r"""Rectified linear unit, elementwise.

    Parameters
    ----------
    x : array_like of any shape, float or complex
        Pre-activations \(z\).

    Returns
    -------
    ndarray of the shape and dtype of x
        \(\max(z, 0)\), the comparison made on the real part.

    Raises
    ------
    TypeError
        If `x` is not a floating-point or complex array.

    Notes
    -----
    $$
    \operatorname{relu}(z) = \begin{cases} z & \operatorname{Re} z > 0 \\ 0 & \text{otherwise} \end{cases}
    $$

    Written as ``np.where(x.real > 0, x, 0)``, not ``np.maximum(x, 0)``: on
    the positive side it returns `x` itself, imaginary part included, so the
    complex step sees slope 1 there and slope 0 elsewhere.

    Examples
    --------
    ```python
    import numpy as np
    from chainrule import relu

    z = np.array([-2.0, 0.0, 3.0], dtype=np.float32)
    assert relu(z).tolist() == [0.0, 0.0, 3.0] and relu(z).dtype == np.float32
    ```
    """
    x = as_float_array(x, "x")
    return np.where(x.real > 0, x, x.dtype.type(0))


def relu_grad(x: ArrayLike) -> np.ndarray:
    r"""Derivative of [`relu`][chainrule.activations.relu], elementwise: 1 where ``x > 0``, else 0.

    Parameters
    ----------
    x : array_like of any shape, float or complex
        The pre-activations \(z\) that were passed to [`relu`][chainrule.activations.relu].

    Returns
    -------
    ndarray of the shape and dtype of x
        \(\operatorname{relu}'(z)\), exactly 0 or 1.

    Raises
    ------
    TypeError
        If `x` is not a floating-point or complex array.

    Notes
    -----
    $$
    \operatorname{relu}'(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}
    $$

    ReLU has no derivative at \(z = 0\); any value in \([0, 1]\) is a valid
    subgradient. **We use 0**, as PyTorch's ``relu`` backward does, and as the
    complex step through [`relu`][chainrule.activations.relu] does (at exactly 0 the imaginary part is
    dropped). Other libraries differ, so gradients at ties are not portable:
    a ReLU written as ``maximum(z, 0)`` inherits its framework's tie rule for
    ``maximum``, which is 1/2 in some (the gradient split between the two equal
    arguments) and 1 in others. Central differences at 0 give 1/2.

    Examples
    --------
    ```python
    import numpy as np
    from chainrule import relu_grad

    assert relu_grad(np.array([-1.0, 0.0, 2.0])).tolist() == [0.0, 0.0, 1.0]
    ```
    """
    x = as_float_array(x, "x")
    return (x.real > 0).astype(x.dtype)


def sigmoid(x: ArrayLike) -> np.ndarray:
    r"""Logistic sigmoid, elementwise, without overflow for any finite input.

    Parameters
    ----------
    x : array_like of any shape, float or complex
        Pre-activations \(z\).

    Returns
    -------
    ndarray of the shape and dtype of x
        \(\sigma(z)\), in \([0, 1]\) for real `x`.

    Raises
    ------
    TypeError
        If `x` is not a floating-point or complex array.

    Notes
    -----
    $$
    \sigma(z) = \frac{1}{1 + e^{-z}} = \frac{e^{z}}{1 + e^{z}}
    $$

    The two forms are equal, but each overflows on one side: \(e^{-z}\) for
    \(z \ll 0\), \(e^{z}\) for \(z \gg 0\). Put \(u = -z\) where
    \(\operatorname{Re} z \ge 0\) and \(u = z\) elsewhere; then
    \(\operatorname{Re} u \le 0\), so \(|e^{u}| \le 1\) never overflows, and

    $$
    \sigma(z) = \begin{cases} 1 / (1 + e^{u}) & \operatorname{Re} z \ge 0 \\
                e^{u} / (1 + e^{u}) & \text{otherwise.} \end{cases}
    $$

    Both branches are analytic and the branch is chosen on the real part, so
    the function is complex-step safe.

    Examples
    --------
    ```python
    import numpy as np
    from chainrule import sigmoid

    assert sigmoid(np.array([-1e4, 0.0, 1e4])).tolist() == [0.0, 0.5, 1.0]
    ```
    """
    x = as_float_array(x, "x")
    nonnegative = x.real >= 0
    exp_u = np.exp(np.where(nonnegative, -x, x))
    return np.where(nonnegative, 1 / (1 + exp_u), exp_u / (1 + exp_u))


def sigmoid_grad(x: ArrayLike) -> np.ndarray:
    r"""Derivative of [`sigmoid`][chainrule.activations.sigmoid], elementwise: \(\sigma(z)\,(1 - \sigma(z))\).

    Parameters
    ----------
    x : array_like of any shape, float or complex
        The pre-activations \(z\) that were passed to [`sigmoid`][chainrule.activations.sigmoid] (not the
        activations \(\sigma(z)\)).

    Returns
    -------
    ndarray of the shape and dtype of x
        \(\sigma'(z)\), in \([0, 1/4]\) for real `x`.

    Raises
    ------
    TypeError
        If `x` is not a floating-point or complex array.

    Notes
    -----
    The chain rule on \(\sigma = (1 + e^{-z})^{-1}\):

    $$
    \sigma'(z) = \frac{e^{-z}}{(1 + e^{-z})^2}
               = \underbrace{\frac{1}{1 + e^{-z}}}_{\sigma(z)}\,
                 \underbrace{\frac{e^{-z}}{1 + e^{-z}}}_{1 - \sigma(z)}
               = \sigma(z)\,(1 - \sigma(z)).
    $$

    The code evaluates \(1 - \sigma(z)\) as \(\sigma(-z)\) (the same
    number, by symmetry): where \(\sigma(z) \approx 1\) the subtraction
    ``1 - s`` would cancel (at \(z = 30\) it keeps only 3 correct digits),
    while the stable [`sigmoid`][chainrule.activations.sigmoid] returns \(\sigma(-z)\) to full relative
    precision. The product is analytic, so ``sigmoid_grad`` is itself
    complex-step safe: its complex step is
    \(\sigma''(z) = \sigma'(z)\,(1 - 2\sigma(z))\).

    Examples
    --------
    ```python
    import numpy as np
    from chainrule import sigmoid, sigmoid_grad

    assert sigmoid_grad(np.array([0.0])).tolist() == [0.25]
    z = np.array([30.0])
    s = sigmoid(z)
    assert sigmoid_grad(z) == s * sigmoid(-z)  # not s * (1 - s), which cancels
    ```
    """
    x = as_float_array(x, "x")
    return sigmoid(x) * sigmoid(-x)
