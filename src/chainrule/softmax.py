r"""Softmax, log-softmax and log-sum-exp, each with its derivative beside it.

For logits \(z \in \mathbb{R}^C\),

$$
\operatorname{logsumexp}(z) = \log \sum_{j} e^{z_j} = \log S, \qquad
p = \operatorname{softmax}(z) = e^{z - \operatorname{logsumexp}(z)}, \qquad
\log p = z - \operatorname{logsumexp}(z).
$$

All three are computed after subtracting the row maximum
\(z_{\max} = \max_j z_j\), which changes nothing mathematically
(\(\operatorname{softmax}(z - z_{\max}\mathbf 1) = \operatorname{softmax}(z)\)) but keeps
every exponent \(\le 0\), so ``exp`` never overflows and the largest term
of the sum is exactly 1.

**Complex-step safe.** The shift \(z_{\max}\) is taken from the *real part*
(``np.max(z.real, ...)``), and it is a constant as far as the derivative is
concerned: it cancels exactly, so the imaginary part that the complex step
feeds in at \(z + \mathrm i h\,e_j\) passes through ``exp``, ``sum`` and ``log``
untouched. No ``abs``, ``sign`` or norm appears on a differentiated path.

**Non-finite logits** follow PyTorch 2.x (``torch.softmax``,
``torch.log_softmax``, ``torch.logsumexp``):

* a \(-\infty\) logit in a row with a finite maximum gets probability
  exactly 0 and log-probability \(-\infty\);
* a row whose maximum is \(+\infty\), a row of all \(-\infty\), or a
  row containing NaN gives NaN in every entry of ``softmax`` and
  ``log_softmax`` (the shift is \(\infty - \infty\));
* ``logsumexp`` returns the limit instead: \(+\infty\) for a row
  containing \(+\infty\), \(-\infty\) for a row of all
  \(-\infty\) (\(\log 0\)), NaN for a row containing NaN.

Floating-point warnings are silenced only inside these functions and only for
the operations that produce those documented values.

Derived on the site pages *The softmax Jacobian* (``docs/softmax/jacobian.md``: the
Jacobian and its properties) and *In practice: smoothing, batches, stability, fusion*
(``docs/softmax/in-practice.md``: stability at extreme logits).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from chainrule._validation import as_float_array, check_logits, check_same_shape

__all__ = [
    "log_softmax",
    "log_softmax_vjp",
    "logsumexp",
    "softmax",
    "softmax_jacobian",
    "softmax_jvp",
    "softmax_vjp",
]


def shifted_exp(z: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Return ``(s, e, total)``: the shifted logits \(u = z - z_{\max}\mathbf 1\) (\(z_{\max}\) the maximum of \(\operatorname{Re} z\)), \(e^u\), and \(S = \sum_j e^{u_j}\).

    The one ``exp`` pass shared by ``softmax``, ``log_softmax`` and
    ``chainrule.losses.cross_entropy``, on an already validated `z`. `total`
    keeps the reduced axis (``keepdims``), so ``e / total`` is the softmax and
    ``s - log(total)`` the log-softmax. For a finite row, ``max(s.real) == 0`` and
    ``1 <= total <= C``. Not in ``__all__``: a building block of the package, not
    of a reader's code.
    """
    shift = np.max(z.real, axis=axis, keepdims=True)
    # Rows with max +inf or all -inf give inf - inf = nan here; that is the
    # documented (PyTorch) result, so the 'invalid' warning is not news.
    with np.errstate(invalid="ignore"):
        s = z - shift
    e = np.exp(s)
    return s, e, np.sum(e, axis=axis, keepdims=True)


# ---------------------------------------------------------------------------
# log-sum-exp; its gradient is the softmax
# ---------------------------------------------------------------------------


def logsumexp(z: ArrayLike, axis: int = -1, keepdims: bool = False) -> np.ndarray | np.inexact:
    r"""Log of the sum of exponentials along `axis`, without overflow.

    Parameters
    ----------
    z : array_like of shape (..., C, ...), float or complex
        Logits; any number of other axes is carried along.
    axis : int, default -1
        The axis to reduce (the class axis).
    keepdims : bool, default False
        Keep the reduced axis with length 1, so the result broadcasts against `z`.

    Returns
    -------
    ndarray of the shape of z without axis (or with length 1 there), dtype of z
        \(\operatorname{logsumexp}(z)\); a NumPy scalar when `z` is 1-D and
        `keepdims` is False, as for NumPy's own reductions.

    Raises
    ------
    TypeError
        If `z` is not floating-point or complex, or `axis` is not an integer.
    ValueError
        If `z` is 0-d, `axis` is out of range, or `z` has no entries along `axis`.

    Notes
    -----
    $$
    \operatorname{logsumexp}(z) = z_{\max} + \log \sum_k e^{z_k - z_{\max}}, \qquad
    z_{\max} = \max_k \operatorname{Re} z_k,
    \qquad \frac{\partial \operatorname{logsumexp}(z)}{\partial z_j} = \frac{e^{z_j}}{\sum_k e^{z_k}} = p_j .
    $$

    **Its gradient is the softmax**: ``softmax(z)`` is the derivative rule of
    ``logsumexp``. Where the row maximum is \(\pm\infty\) the shift is
    replaced by 0 (as ``torch.logsumexp`` does) so that the result is the
    limit: \(+\infty\) if any entry is \(+\infty\), \(-\infty\) for
    a row of all \(-\infty\).

    Examples
    --------
    ```python
    import numpy as np
    from chainrule.softmax import logsumexp

    z = np.array([[1000.0, 1000.0], [-np.inf, -np.inf]])
    assert np.allclose(logsumexp(z), [1000.0 + np.log(2.0), -np.inf])
    ```
    """
    z, axis = check_logits(z, "z", axis)
    shift = np.max(z.real, axis=axis, keepdims=True)
    shift[~np.isfinite(shift)] = 0
    # With the shift zeroed, a +inf row overflows to inf, an all -inf row is log(0) = -inf,
    # and inf - inf inside a row with both is nan: the limits documented above.
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        out = np.log(np.sum(np.exp(z - shift), axis=axis, keepdims=True)) + shift
    return out if keepdims else np.squeeze(out, axis=axis)[()]  # [()]: a NumPy scalar for 1-D z


# ---------------------------------------------------------------------------
# softmax, its Jacobian, and the two products with it
# ---------------------------------------------------------------------------


def softmax(z: ArrayLike, axis: int = -1) -> np.ndarray:
    r"""Softmax along `axis`: non-negative entries that sum to 1.

    Parameters
    ----------
    z : array_like of shape (..., C, ...), float or complex
        Logits.
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray of the shape and dtype of z
        Probabilities \(p\).

    Raises
    ------
    TypeError
        If `z` is not floating-point or complex, or `axis` is not an integer.
    ValueError
        If `z` is 0-d, `axis` is out of range, or `z` has no entries along `axis`.

    Notes
    -----
    $$
    p_i = \frac{e^{z_i - z_{\max}}}{\sum_j e^{z_j - z_{\max}}}, \qquad z_{\max} = \max_j \operatorname{Re} z_j .
    $$

    Derivative: [`softmax_jacobian`][chainrule.softmax.softmax_jacobian] (\(J = \operatorname{diag}(p) - p p^\top\)),
    and the matrix-free products [`softmax_jvp`][chainrule.softmax.softmax_jvp] / [`softmax_vjp`][chainrule.softmax.softmax_vjp].
    A row with a \(+\infty\), all \(-\infty\), or a NaN is NaN throughout
    (as in PyTorch); a single \(-\infty\) among finite logits gets exactly 0.

    Examples
    --------
    ```python
    import numpy as np
    from chainrule.softmax import softmax

    p = softmax(np.array([1e6, 0.0, -np.inf], dtype=np.float32))
    assert p.dtype == np.float32 and p.tolist() == [1.0, 0.0, 0.0]
    ```
    """
    z, axis = check_logits(z, "z", axis)
    _, e, total = shifted_exp(z, axis)
    return e / total


def softmax_jacobian(z: ArrayLike) -> np.ndarray:
    r"""Jacobian of [`softmax`][chainrule.softmax.softmax] over the last axis, one C x C matrix per row.

    Parameters
    ----------
    z : array_like of shape (..., C), float or complex
        Logits; softmax is taken over the last axis.

    Returns
    -------
    ndarray of shape (..., C, C), dtype of z
        ``J[..., i, j]`` \(= \partial p_i / \partial z_j\) (numerator layout).

    Raises
    ------
    TypeError
        If `z` is not floating-point or complex.
    ValueError
        If `z` is 0-d or its last axis is empty.

    Notes
    -----
    $$
    J_{ij} = \frac{\partial p_i}{\partial z_j} = p_i(\delta_{ij} - p_j),
    \qquad J = \operatorname{diag}(p) - p\,p^\top .
    $$

    \(J\) is symmetric, each row and column sums to 0 (adding a constant to
    every logit does not change \(p\), so \(J\mathbf{1} = 0\)), and it
    is positive semi-definite (\(v^\top J v = \operatorname{Var}_p(v) \ge 0\)).
    Forming it costs \(O(C^2)\) per row; backpropagation never needs to,
    see [`softmax_vjp`][chainrule.softmax.softmax_vjp].

    Examples
    --------
    ```python
    import numpy as np
    from chainrule.softmax import softmax_jacobian

    J = softmax_jacobian(np.array([0.5, -1.0, 2.0]))
    assert np.allclose(J, J.T) and np.allclose(J.sum(axis=1), 0.0)
    ```
    """
    z, _ = check_logits(z, "z", -1)
    p = softmax(z, axis=-1)
    jacobian = -p[..., :, None] * p[..., None, :]
    diagonal = np.arange(z.shape[-1])
    jacobian[..., diagonal, diagonal] += p
    return jacobian


def _softmax_product(z: ArrayLike, vector: ArrayLike, name: str) -> np.ndarray:
    """``J vector`` for the softmax Jacobian J at `z`, in O(C) per row (shared by jvp and vjp)."""
    z, _ = check_logits(z, "z", -1)
    vector = as_float_array(vector, name)
    check_same_shape(vector, name, z, "z")
    p = softmax(z, axis=-1)
    # <p, vector> without conjugation: the bilinear form keeps the complex step analytic.
    return p * (vector - np.sum(p * vector, axis=-1, keepdims=True))


def softmax_jvp(z: ArrayLike, tangent: ArrayLike) -> np.ndarray:
    r"""Jacobian-vector product \(J v\) of [`softmax`][chainrule.softmax.softmax] (last axis), without forming J.

    Parameters
    ----------
    z : array_like of shape (..., C), float or complex
        Logits at which the Jacobian is taken.
    tangent : array_like of shape (..., C), float or complex
        \(v\), a direction in logit space, one per row (not an upstream
        gradient: this is the forward-mode product).

    Returns
    -------
    ndarray of shape (..., C)
        \(J v\), the change of \(p\) along `tangent`. Its dtype is
        NumPy's promotion of the dtypes of `z` and `tangent`.

    Raises
    ------
    TypeError
        If `z` or `tangent` is not floating-point or complex.
    ValueError
        If `tangent` does not have the shape of `z`, or `z` is 0-d or has an empty last axis.

    Notes
    -----
    $$
    J v = \bigl(\operatorname{diag}(p) - p p^\top\bigr) v = p \odot \bigl(v - \langle p, v\rangle \mathbf{1}\bigr).
    $$

    \(O(C)\) per row instead of the \(O(C^2)\) of ``softmax_jacobian(z) @ tangent``.
    Because \(J\) is symmetric, \(J v = J^\top v\): this is the same
    formula as [`softmax_vjp`][chainrule.softmax.softmax_vjp].

    Examples
    --------
    ```python
    import numpy as np
    from chainrule.softmax import softmax_jacobian, softmax_jvp

    z, tangent = np.array([0.3, -1.2, 2.0]), np.array([1.0, 0.0, -2.0])
    assert np.allclose(softmax_jvp(z, tangent), softmax_jacobian(z) @ tangent)
    ```
    """
    return _softmax_product(z, tangent, "tangent")


def softmax_vjp(z: ArrayLike, grad_out: ArrayLike) -> np.ndarray:
    r"""Vector-Jacobian product \(J^\top g\) of [`softmax`][chainrule.softmax.softmax] (last axis): its backward pass.

    Parameters
    ----------
    z : array_like of shape (..., C), float or complex
        Logits that were passed to [`softmax`][chainrule.softmax.softmax].
    grad_out : array_like of shape (..., C), float or complex
        The upstream gradient \(g = \partial L / \partial p\), one per row.

    Returns
    -------
    ndarray of shape (..., C)
        \(\partial L / \partial z = J^\top g\). Its dtype is NumPy's
        promotion of the dtypes of `z` and `grad_out`.

    Raises
    ------
    TypeError
        If `z` or `grad_out` is not floating-point or complex.
    ValueError
        If `grad_out` does not have the shape of `z`, or `z` is 0-d or has an empty last axis.

    Notes
    -----
    $$
    \frac{\partial L}{\partial z_j} = \sum_i \frac{\partial L}{\partial p_i} J_{ij}
    = p_j \Bigl(g_j - \sum_i g_i\, p_i\Bigr),
    \qquad J^\top g = p \odot \bigl(g - \langle p, g\rangle \mathbf{1}\bigr).
    $$

    The same formula as [`softmax_jvp`][chainrule.softmax.softmax_jvp], because \(J^\top = J\).

    Examples
    --------
    ```python
    import numpy as np
    from chainrule.softmax import softmax_jacobian, softmax_vjp

    z, grad_out = np.array([[0.3, -1.2, 2.0]]), np.array([[0.5, 1.0, 0.0]])
    assert np.allclose(softmax_vjp(z, grad_out), (grad_out[:, None, :] @ softmax_jacobian(z))[:, 0])
    ```
    """
    return _softmax_product(z, grad_out, "grad_out")


# ---------------------------------------------------------------------------
# log-softmax and its backward pass
# ---------------------------------------------------------------------------


def log_softmax(z: ArrayLike, axis: int = -1) -> np.ndarray:
    r"""Log of the softmax along `axis`, computed without ever taking ``log(p)``.

    Parameters
    ----------
    z : array_like of shape (..., C, ...), float or complex
        Logits.
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray of the shape and dtype of z
        \(\log p\), every entry \(\le 0\).

    Raises
    ------
    TypeError
        If `z` is not floating-point or complex, or `axis` is not an integer.
    ValueError
        If `z` is 0-d, `axis` is out of range, or `z` has no entries along `axis`.

    Notes
    -----
    $$
    \log p_i = (z_i - z_{\max}) - \log \sum_j e^{z_j - z_{\max}}, \qquad z_{\max} = \max_j \operatorname{Re} z_j .
    $$

    Since the largest shifted term is \(e^0 = 1\), the sum lies in
    \([1, C]\) and its log cannot be \(-\infty\); ``log(softmax(z))``
    instead returns \(-\infty\) as soon as some \(p_i\) underflows.
    Derivative: \(\partial \log p_i / \partial z_j = \delta_{ij} - p_j\),
    applied by [`log_softmax_vjp`][chainrule.softmax.log_softmax_vjp].

    Examples
    --------
    ```python
    import numpy as np
    from chainrule.softmax import log_softmax

    assert log_softmax(np.array([0.0, -1000.0]))[1] == -1000.0  # log(softmax) gives -inf
    ```
    """
    z, axis = check_logits(z, "z", axis)
    s, _, total = shifted_exp(z, axis)
    return s - np.log(total)


def log_softmax_vjp(z: ArrayLike, grad_out: ArrayLike) -> np.ndarray:
    r"""Vector-Jacobian product of [`log_softmax`][chainrule.softmax.log_softmax] (last axis): its backward pass.

    Parameters
    ----------
    z : array_like of shape (..., C), float or complex
        Logits that were passed to [`log_softmax`][chainrule.softmax.log_softmax].
    grad_out : array_like of shape (..., C), float or complex
        The upstream gradient \(g = \partial L / \partial \log p\), one per row.

    Returns
    -------
    ndarray of shape (..., C)
        \(\partial L / \partial z\). Its dtype is NumPy's promotion of the
        dtypes of `z` and `grad_out`.

    Raises
    ------
    TypeError
        If `z` or `grad_out` is not floating-point or complex.
    ValueError
        If `grad_out` does not have the shape of `z`, or `z` is 0-d or has an empty last axis.

    Notes
    -----
    $$
    \frac{\partial \log p_i}{\partial z_j} = \delta_{ij} - p_j, \qquad
    \frac{\partial L}{\partial z_j} = \sum_i g_i (\delta_{ij} - p_j)
    = g_j - p_j \sum_i g_i .
    $$

    This is the rule the cross-entropy gradient is built from: with
    \(g = -y\) it gives \(p \sum_i y_i - y\).
    (The Jacobian \(I - \mathbf{1} p^\top\) is not symmetric; the
    forward product would be \(v - \langle p, v \rangle \mathbf{1}\).)

    Examples
    --------
    ```python
    import numpy as np
    from chainrule.softmax import log_softmax_vjp, softmax

    z, y = np.array([2.0, 0.0, -1.0]), np.array([0.0, 1.0, 0.0])
    assert np.allclose(log_softmax_vjp(z, -y), softmax(z) - y)
    ```
    """
    z, _ = check_logits(z, "z", -1)
    grad_out = as_float_array(grad_out, "grad_out")
    check_same_shape(grad_out, "grad_out", z, "z")
    _, e, total = shifted_exp(z, -1)
    return grad_out - (e / total) * np.sum(grad_out, axis=-1, keepdims=True)
