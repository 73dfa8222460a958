"""chainrule.engine without PyTorch: the adjoint identity of every rule, the backward pass's
bookkeeping (accumulation, order, depth), dtypes, every error path, and the hand-written MLP.

The comparisons with PyTorch are in tests/test_engine_vs_torch.py.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

import chainrule as cr
from chainrule import engine
from chainrule.engine import RULES, Tensor, cross_entropy, nll, topological_order, unbroadcast

# ---------------------------------------------------------------------------
# The adjoint identity <J u, v> = <u, J^T v> for every rule
# ---------------------------------------------------------------------------

_rng = np.random.default_rng(20261202)


def normal(*shape):
    return _rng.standard_normal(shape)


def positive(*shape):
    return 0.5 + _rng.random(shape)


def away_from_zero(*shape):  # a denominator or a ReLU input: |x| >= 0.5, both signs
    return np.where(_rng.random(shape) < 0.5, -1, 1) * positive(*shape)


LABELS = np.array([0, 2, 1, 2])
SOFT = _rng.dirichlet(np.ones(3), size=4)

#: (rule, arrays, params): one line per case; every rule of RULES appears at least once.
ADJOINT_CASES = [
    ("add", (normal(3, 1), normal(4)), {}),
    ("add", (normal(2, 3), normal()), {}),
    ("sub", (normal(4), normal(2, 3, 1)), {}),
    ("mul", (normal(1, 4), normal(3, 1)), {}),
    ("div", (normal(3, 4), away_from_zero(4)), {}),
    ("neg", (normal(2, 3),), {}),
    ("pow", (positive(3, 2),), {"exponent": 3}),
    ("pow", (positive(3, 2),), {"exponent": -0.5}),
    ("pow", (normal(4),), {"exponent": 0}),
    ("matmul", (normal(3, 4), normal(4, 2)), {}),
    ("matmul", (normal(3, 4), normal(4)), {}),
    ("matmul", (normal(4), normal(4, 2)), {}),
    ("matmul", (normal(4), normal(4)), {}),
    ("matmul", (normal(2, 1, 3, 4), normal(5, 4, 2)), {}),
    ("sum", (normal(2, 3, 4),), {"axis": (0, 2), "keepdims": False}),
    ("sum", (normal(2, 3),), {"axis": (1,), "keepdims": True}),
    ("sum", (normal(),), {"axis": (), "keepdims": False}),
    ("mean", (normal(2, 3, 4),), {"axis": (1,), "keepdims": False}),
    ("mean", (normal(2, 3),), {"axis": (0, 1), "keepdims": True}),
    ("reshape", (normal(2, 3, 4),), {"shape": (4, -1)}),
    ("transpose", (normal(2, 3, 4),), {"axes": (2, 0, 1)}),
    ("getitem", (normal(5, 3),), {"index": np.array([0, 4, 0, 0, 2])}),  # repeated rows
    ("getitem", (normal(5, 3),), {"index": (slice(1, None, 2), -1)}),
    ("getitem", (normal(5, 3),), {"index": (np.array([1, 1, 3]), np.array([2, 2, 0]))}),
    ("exp", (normal(3, 2),), {}),
    ("log", (positive(3, 2),), {}),
    ("tanh", (normal(3, 2),), {}),
    ("sigmoid", (3 * normal(3, 2),), {}),
    ("relu", (away_from_zero(3, 4),), {}),
    ("log_softmax", (normal(4, 3),), {"axis": -1}),
    ("log_softmax", (normal(4, 3),), {"axis": 0}),
    ("nll", (normal(4, 3),), {"target": LABELS, "is_index": True, "smoothing": 0.0, "reduction": "mean"}),
    ("nll", (normal(4, 3),), {"target": LABELS, "is_index": True, "smoothing": 0.2, "reduction": "sum"}),
    ("nll", (normal(4, 3),), {"target": SOFT, "is_index": False, "smoothing": 0.1, "reduction": "none"}),
    ("nll", (normal(3),), {"target": np.intp(1), "is_index": True, "smoothing": 0.0, "reduction": "none"}),
]


def test_the_adjoint_table_covers_every_rule() -> None:
    assert {name for name, _, _ in ADJOINT_CASES} == set(RULES)


@pytest.mark.parametrize(("name", "arrays", "params"), ADJOINT_CASES, ids=[c[0] for c in ADJOINT_CASES])
def test_every_vjp_is_the_adjoint_of_the_complex_step_jvp(name, arrays, params) -> None:
    rule, h = RULES[name], 1e-20
    out, vjps = rule(*arrays, **params)
    v = normal(*np.shape(out))
    assert len(vjps) == len(arrays)
    for k, (x, vjp) in enumerate(zip(arrays, vjps)):
        u = normal(*x.shape)
        perturbed = [a + 1j * h * u if n == k else a for n, a in enumerate(arrays)]
        jvp = np.imag(rule(*perturbed, **params)[0]) / h  # J u, exact to rounding (no subtraction)
        vjp_v = vjp(v)
        assert vjp_v.shape == x.shape
        lhs, rhs = np.sum(jvp * v), np.sum(u * vjp_v)
        # each side: a sum of <= 120 products of entries computed to a few ulps, so they differ
        # by <~ 120 eps * sum|terms| ~ 3e-14 sum|terms|; 1e-12 leaves 30x
        scale = np.sum(np.abs(jvp * v)) + np.sum(np.abs(u * vjp_v))
        assert abs(lhs - rhs) <= 1e-12 * scale, (name, k, lhs, rhs)


def test_unbroadcast_sums_exactly_the_copies_broadcasting_made() -> None:
    b = normal(1, 3, 1)
    copies = np.broadcast_to(b, (2, 4, 3, 5))  # every entry of b copied 2 * 4 * 5 = 40 times
    assert np.array_equal(unbroadcast(np.ones(copies.shape), b.shape), np.full(b.shape, 40.0))
    G = normal(2, 4, 3, 5)
    assert np.allclose(unbroadcast(G, b.shape), G.sum(axis=(0, 1, 3))[:, None], rtol=1e-14, atol=1e-14)
    assert unbroadcast(G, ()).shape == ()


# ---------------------------------------------------------------------------
# The backward pass: accumulation, visiting once, order, depth
# ---------------------------------------------------------------------------


def test_a_tensor_used_twice_gets_both_shares() -> None:
    x = Tensor(np.array([1.5, -2.0]))
    (x * x).sum().backward()  # two edges from x into one mul: 2x, not x
    assert x.grad.tolist() == [3.0, -4.0]


def test_grads_accumulate_across_calls_until_zero_grad() -> None:
    x = Tensor(np.array([1.0, 2.0]))
    for expected in ([3.0, 3.0], [6.0, 6.0]):
        (3.0 * x).sum().backward()
        assert x.grad.tolist() == expected
    x.zero_grad()
    assert x.grad.tolist() == [0.0, 0.0] and x.grad.dtype == x.dtype


def test_only_leaves_keep_a_gradient() -> None:
    x = Tensor(np.ones(3))
    hidden = x.exp()
    hidden.sum().backward()
    assert hidden.grad is None and x.grad.shape == (3,)
    hidden.zero_grad()  # a no-op on a result
    assert hidden.grad is None


def test_each_vjp_runs_once_even_when_its_output_is_used_three_times(monkeypatch) -> None:
    calls = []

    def counted_exp(a):
        out, (vjp,) = RULES_BEFORE["exp"](a)
        return out, (lambda g: calls.append(1) or vjp(g),)

    RULES_BEFORE = dict(RULES)
    monkeypatch.setitem(RULES, "exp", counted_exp)
    x = Tensor(np.array([0.3, -0.7]))
    e = x.exp()
    (e + e * e).sum().backward()
    assert len(calls) == 1
    assert np.allclose(x.grad, np.exp(x.data) + 2 * np.exp(2 * x.data), rtol=1e-15, atol=0)


def test_the_topological_order_puts_every_tensor_after_its_inputs_once() -> None:
    rng = np.random.default_rng(3)
    leaves = [Tensor(rng.standard_normal(3)) for _ in range(3)]
    pool = list(leaves)
    for _ in range(40):  # a random DAG with many shared subexpressions
        a, b = (pool[i] for i in rng.integers(0, len(pool), size=2))
        pool.append(a * b if rng.random() < 0.5 else a + b.tanh())
    order = topological_order(pool[-1])
    position = {id(t): n for n, t in enumerate(order)}
    assert len(position) == len(order) and order[-1] is pool[-1]
    for t in order:
        assert all(position[id(p)] < position[id(t)] for p in t.parents)


def test_a_graph_deeper_than_the_recursion_limit() -> None:
    x = Tensor(np.array(1.0))
    y = x
    for _ in range(3 * sys.getrecursionlimit()):
        y = y * 1.0 + 0.001
    y.backward()
    assert x.grad == 1.0


def test_constants_get_no_gradient_and_a_constant_graph_backpropagates_nothing() -> None:
    x = Tensor(np.ones(2))
    values = np.array([2.0, 3.0])
    (x * values).sum().backward()
    assert x.grad.tolist() == [2.0, 3.0]
    assert topological_order((x * values).sum())[0] is x  # the constant is not visited
    loss = cross_entropy(np.array([1.0, 2.0]), 0)  # logits given as an array: a constant
    loss.backward()
    assert loss.parents == ()


def test_non_scalar_backward_uses_grad_out() -> None:
    A = Tensor(normal(3, 4))
    grad_out = normal(3, 2)
    B = normal(4, 2)
    (A @ B).backward(grad_out=grad_out)
    assert np.allclose(A.grad, grad_out @ B.T, rtol=1e-14, atol=1e-15)


# ---------------------------------------------------------------------------
# float32 in, float32 out
# ---------------------------------------------------------------------------

OPS_F32 = [
    ("add-number", lambda x: 1.5 + x), ("sub-number", lambda x: 2.0 - x), ("mul-number", lambda x: x * 3),
    ("div-number", lambda x: 1.0 / (x * x + 1.0)), ("neg", lambda x: -x), ("pow", lambda x: (x * x) ** 0.5),
    ("matmul", lambda x: x @ x.T), ("sum", lambda x: x.sum(axis=-1, keepdims=True)),
    ("mean", lambda x: x.mean(axis=(0, 1))), ("reshape", lambda x: x.reshape(-1)),
    ("transpose", lambda x: x.transpose(1, 0)), ("getitem", lambda x: x[np.array([0, 0, 1])]),
    ("exp", lambda x: x.exp()), ("log", lambda x: (x * x + 1.0).log()), ("tanh", lambda x: x.tanh()),
    ("sigmoid", lambda x: x.sigmoid()), ("relu", lambda x: x.relu()),
    ("log_softmax", lambda x: x.log_softmax()),
    ("cross_entropy", lambda x: cross_entropy(x, np.array([0, 2]), label_smoothing=0.1)),
    ("cross_entropy-probs", lambda x: cross_entropy(x, np.full((2, 3), 1 / 3))),  # float64 target, cast
    ("array-operand", lambda x: np.ones(3, dtype=np.float32) - x * np.float32(2)),
]


@pytest.mark.parametrize("fn", [f for _, f in OPS_F32], ids=[n for n, _ in OPS_F32])
def test_float32_in_float32_out_and_float32_grads(fn) -> None:
    x = Tensor(np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=np.float32))
    y = fn(x)
    assert y.dtype == np.float32
    y.backward(np.ones(y.shape, dtype=np.float32))
    assert x.grad.dtype == np.float32 and x.grad.shape == x.shape


def test_mixed_precision_computes_in_float64_and_returns_each_leaf_its_own_dtype() -> None:
    x32, x64 = Tensor(np.ones(2, dtype=np.float32)), Tensor(np.full(2, 2.0))
    y = x32 * x64 * np.float64(1.0)  # a NumPy float64 scalar is an array, not a Python number
    assert y.dtype == np.float64
    y.sum().backward()
    assert x32.grad.dtype == np.float32 and x64.grad.dtype == np.float64


# ---------------------------------------------------------------------------
# Every error path names what was wrong, what it got and what it expects
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("data", [np.array([1, 2]), np.array([True]), np.array([1 + 2j]),
                                  np.array([None]), [1, 2], np.float16(1)])
def test_non_float_data_is_refused(data) -> None:
    with pytest.raises(TypeError, match=r"Tensor data must be a float32 or float64 array, got dtype \w+"):
        Tensor(data)


def test_integer_or_boolean_operands_are_refused() -> None:
    x = Tensor(np.ones(2))
    with pytest.raises(TypeError, match="operand must be a float32 or float64 array, got dtype int64"):
        x + np.array([1, 2])
    with pytest.raises(TypeError, match="got dtype bool"):
        x * True
    with pytest.raises(TypeError, match="the exponent of \\*\\* must be a constant real number, got Tensor"):
        x ** x


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_shapes_that_do_not_broadcast_are_named(op) -> None:
    a, b = Tensor(np.ones((2, 3))), np.ones(4)
    method = {"add": a.__add__, "sub": a.__sub__, "mul": a.__mul__, "div": a.__truediv__}[op]
    with pytest.raises(ValueError, match=rf"operands of {op} have shapes \(2, 3\) and \(4,\), which do not broadcast"):
        method(b)


@pytest.mark.parametrize(("a", "b", "message"), [
    ((2, 3), (4, 5), r"matmul of shapes \(2, 3\) and \(4, 5\): the last axis of the first \(3\) must equal "
                     r"the second-to-last axis of the second \(4\)"),
    ((2, 3), (4,), r"matmul of shapes \(2, 3\) and \(4,\): .* must equal the only axis of the second \(4\)"),
    ((2, 3, 4), (5, 4, 2), r"matmul of shapes \(2, 3, 4\) and \(5, 4, 2\): .* and the batch axes must broadcast"),
    ((), (3,), r"matmul needs operands with at least one axis, got shapes \(\) and \(3,\)"),
])
def test_matmul_shapes_that_do_not_multiply_are_named(a, b, message) -> None:
    with pytest.raises(ValueError, match=message):
        Tensor(np.ones(a)) @ np.ones(b)


def test_backward_of_a_non_scalar_needs_grad_out_of_its_shape() -> None:
    y = Tensor(np.ones((2, 3))).exp()
    with pytest.raises(ValueError, match=r"backward\(\) without grad_out needs a scalar \(0-d\) tensor, "
                                         r"but this tensor has shape \(2, 3\)"):
        y.backward()
    with pytest.raises(ValueError, match=r"grad_out has shape \(3, 2\) but the tensor has shape \(2, 3\)"):
        y.backward(np.ones((3, 2)))
    with pytest.raises(TypeError, match="grad_out must be a float32 or float64 array, got dtype int64"):
        y.backward(np.ones((2, 3), dtype=np.int64))


def test_bad_axes_are_named() -> None:
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"axis 2 is out of range for an array of ndim 2"):
        x.sum(axis=2)
    with pytest.raises(ValueError, match=r"axis \(1, -1\) names an axis twice"):
        x.mean(axis=(1, -1))
    with pytest.raises(ValueError, match=r"axes must be a permutation of range\(2\), got \(0, 0\)"):
        x.transpose(0, 0)


BAD_LOSS_ARGS = [
    (np.ones((2, 3)), np.array([0, 3]), {}),
    (np.ones((2, 3)), np.array([0, 1, 2]), {}),
    (np.ones((2, 3)), np.ones((2, 3), dtype=np.int64), {}),
    (np.ones((2, 3)), np.array([0.0, 1.0]), {}),
    (np.ones((2, 3)), np.full((2, 3), -0.5), {}),
    (np.ones((2, 3)), np.array(["a", "b"]), {}),
    (np.ones((2, 3)), np.array([0, 1]), {"reduction": "avg"}),
    (np.ones((2, 3)), np.array([0, 1]), {"reduction": None}),
    (np.ones((2, 3)), np.array([0, 1]), {"label_smoothing": True}),
    (np.ones((2, 3)), np.array([0, 1]), {"label_smoothing": 1.5}),
    (np.ones((2, 3, 4)), np.zeros((2, 3), dtype=np.int64), {}),
    (np.ones((2, 0)), np.zeros(2, dtype=np.int64), {}),
]


@pytest.mark.parametrize(("logits", "target", "options"), BAD_LOSS_ARGS)
@pytest.mark.parametrize("as_tensor", [True, False], ids=["tensor", "array"])
def test_cross_entropy_rejects_what_the_package_rejects_with_the_same_message(logits, target, options, as_tensor) -> None:
    with pytest.raises((TypeError, ValueError)) as expected:
        cr.cross_entropy(logits, target, **options)
    for loss, argument in [(cross_entropy, logits), (nll, logits)]:  # the same checks on log_probs
        with pytest.raises(type(expected.value)) as ours:
            loss(Tensor(argument) if as_tensor else argument, target, **options)
        assert type(ours.value) is type(expected.value) and str(ours.value) == str(expected.value)


@pytest.mark.parametrize(
    ("logits", "dtype"),
    [(np.array([[1, 2, 3]]), "int64"), (np.ones((1, 3), dtype=np.float16), "float16"), (np.ones((1, 3), dtype=complex), "complex128")],
    ids=["int", "float16", "complex"],
)
def test_the_engine_losses_word_a_non_float32_or_float64_argument_as_a_tensor_does(logits, dtype) -> None:
    # The one documented difference from cr.cross_entropy: the argument becomes a Tensor, so
    # float16 and complex (which cr.cross_entropy takes) are rejected too, in the Tensor's words.
    for loss, argument in [(cross_entropy, "logits"), (nll, "log_probs")]:
        with pytest.raises(TypeError) as caught:
            loss(logits, np.array([0]))
        assert str(caught.value) == f"{argument} must be a float32 or float64 array, got dtype {dtype}"
    if dtype == "int64":
        with pytest.raises(TypeError, match=r"^logits must be a floating-point array \(float32 or float64; complex"):
            cr.cross_entropy(logits, np.array([0]))


# ---------------------------------------------------------------------------
# Cross-entropy as two operations equals the package's fused value and gradient
# ---------------------------------------------------------------------------

CE_CASES = [
    (normal(5, 4), np.array([0, 3, 1, 1, 2]), "mean", 0.0),
    (normal(5, 4), np.array([0, 3, 1, 1, 2]), "sum", 0.3),
    (normal(5, 4), _rng.dirichlet(np.ones(4), size=5), "mean", 0.1),
    (normal(5, 4), 2.5 * _rng.dirichlet(np.ones(4), size=5), "none", 0.0),  # rows sum to 2.5
    (normal(4), np.int64(2), "mean", 0.2),
    (normal(4), _rng.dirichlet(np.ones(4)), "none", 0.0),
    (np.array([[-np.inf, 1.0, 2.0]]), np.array([2]), "mean", 0.0),  # -inf off the target: finite
]


@pytest.mark.parametrize(("logits", "target", "reduction", "smoothing"), CE_CASES)
def test_log_softmax_then_nll_equals_the_fused_cross_entropy(logits, target, reduction, smoothing) -> None:
    z = Tensor(logits)
    loss = cross_entropy(z, target, reduction=reduction, label_smoothing=smoothing)
    options = {"reduction": reduction, "label_smoothing": smoothing}
    # both: one log-softmax pass, then the same sums in the same order, up to a reassociation
    assert np.allclose(loss.data, cr.cross_entropy(logits, target, **options), rtol=1e-14, atol=1e-15)
    loss.backward(np.ones(loss.shape))
    fused = cr.cross_entropy_grad(logits, target, **options)
    # -y' g, then g - p sum(g): two roundings more than the fused p sum(y') - y'
    assert np.allclose(z.grad, fused, rtol=1e-14, atol=1e-15)
    assert [t.op for t in topological_order(loss)] == ["leaf", "log_softmax", "nll"]


def test_nll_alone_is_the_second_of_the_two_operations() -> None:
    logits, labels = normal(3, 4), np.array([3, 0, 0])
    log_probs = Tensor(cr.log_softmax(logits))
    loss = nll(log_probs, labels)
    loss.backward()
    assert np.isclose(loss.data, cr.cross_entropy(logits, labels), rtol=1e-15, atol=0)
    assert np.array_equal(log_probs.grad, -np.eye(4)[labels] / 3)


# ---------------------------------------------------------------------------
# The hand-derived network, rebuilt
# ---------------------------------------------------------------------------


def engine_mlp_loss(params: dict[str, Tensor], X: np.ndarray, targets: np.ndarray) -> Tensor:
    """The MLP chapter's network: dense, ReLU, ..., dense, softmax cross-entropy."""
    n_layers = len(params) // 2
    a = X
    for layer in range(1, n_layers + 1):
        z = a @ params[f"W{layer}"].T + params[f"b{layer}"]
        a = z.relu() if layer < n_layers else z
    return cross_entropy(a, targets)


@pytest.mark.parametrize("sizes", [[4, 5, 3], [6, 8, 7, 4], [3, 2]])
def test_the_engine_reproduces_the_hand_written_mlp_backward(sizes) -> None:
    rng = np.random.default_rng(11)
    mlp = cr.MLP(sizes, rng=rng)
    for name in mlp.params:
        if name.startswith("b"):
            mlp.params[name] = rng.standard_normal(mlp.params[name].shape)  # nonzero biases test more
    X, targets = rng.standard_normal((9, sizes[0])), rng.integers(0, sizes[-1], size=9)
    by_hand = mlp.backward(cr.cross_entropy_grad(mlp.forward(X), targets))
    params = {name: Tensor(value) for name, value in mlp.params.items()}
    inputs = Tensor(X)
    engine_mlp_loss(params, inputs, targets).backward()
    for name, grad in by_hand.params.items():
        # the same products in the same order, up to NumPy's summation order: a few ulps
        assert np.allclose(params[name].grad, grad, rtol=1e-12, atol=1e-15 * np.abs(grad).max()), name
    assert np.allclose(inputs.grad, by_hand.x, rtol=1e-12, atol=1e-15 * np.abs(by_hand.x).max())


def test_batch_norm_from_engine_ops_has_the_hand_derived_backward() -> None:
    rng = np.random.default_rng(5)
    N, eps_bn = 6, 1e-5
    X, gamma, beta = rng.standard_normal((N, 3)), rng.standard_normal(3), rng.standard_normal(3)
    G = rng.standard_normal((N, 3))
    x, g, b = Tensor(X), Tensor(gamma), Tensor(beta)
    centred = x - x.mean(axis=0)
    u = centred / ((centred * centred).mean(axis=0) + eps_bn) ** 0.5
    (g * u + b).backward(G)
    r = 1 / np.sqrt(X.var(axis=0) + eps_bn)
    U = (X - X.mean(axis=0)) * r
    grad_X = gamma * r / N * (N * G - G.sum(axis=0) - U * (G * U).sum(axis=0))
    # a dozen roundings on each side, of terms that partly cancel (sum G, sum G u): ~1e-14 of |dX|
    assert np.allclose(x.grad, grad_X, rtol=1e-11, atol=1e-13)
    assert np.allclose(g.grad, (G * U).sum(axis=0), rtol=1e-13, atol=1e-14)
    assert np.allclose(b.grad, G.sum(axis=0), rtol=1e-14, atol=1e-15)


def test_the_module_lists_what_it_exports() -> None:
    assert set(engine.__all__) == {"RULES", "Tensor", "cross_entropy", "nll", "topological_order", "unbroadcast"}
