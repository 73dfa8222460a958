"""Tests for chainrule.layers: Dense and MLP, forward and backward."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule import MLP, Dense, cross_entropy, cross_entropy_grad
from chainrule.gradcheck import check_grads
from chainrule.layers import dense, dense_backward, he_normal


def loss_of_param(model, name, x, loss):
    """``loss(model.forward(x))`` as a function of the one parameter array `name`; `model` is untouched.

    The forward pass reads ``params`` on every call, so a copy with one entry replaced (by a
    float64 array for finite differences, by a complex one for the complex step) is the network
    as a function of that parameter.
    """

    def as_function(value):
        probe = copy.deepcopy(model)
        probe.params[name] = value
        return loss(probe.forward(x))

    return as_function


def loss_of_input(model, loss):
    """``loss(model.forward(x))`` as a function of x; `model`'s caches are untouched."""
    return lambda x: loss(copy.deepcopy(model).forward(x))


# --- Dense --------------------------------------------------------------------------------


def test_dense_forward_is_x_times_w_transpose_plus_b(rng):
    layer, x = Dense(4, 3, rng=rng), rng.normal(size=(5, 4))
    layer.params["b"] = rng.normal(size=3)
    expected = np.einsum("ni,ji->nj", x, layer.params["W"]) + layer.params["b"]  # z_nj = sum_i x_ni W_ji + b_j
    np.testing.assert_allclose(layer.forward(x), expected, rtol=1e-14, atol=1e-14)  # same 4-term sums, reordered


@pytest.mark.parametrize("name", ["W", "b"])
def test_dense_parameter_gradients_match_numerical_derivatives(rng, name):
    layer, x = Dense(4, 3, rng=rng), rng.normal(size=(5, 4))
    cotangent = rng.normal(size=(5, 3))  # L = <cotangent, z>, so dL/dz = cotangent
    layer.forward(x)
    grads = layer.backward(cotangent)
    check_grads(loss_of_param(layer, name, x, lambda z: np.sum(cotangent * z)), grads.params[name], layer.params[name])


def test_dense_input_gradient_matches_numerical_derivatives(rng):
    layer, x = Dense(4, 3, rng=rng), rng.normal(size=(5, 4))
    cotangent = rng.normal(size=(5, 3))
    layer.forward(x)
    check_grads(loss_of_input(layer, lambda z: np.sum(cotangent * z)), layer.backward(cotangent).x, x)


@settings(deadline=None, max_examples=30)
@given(n=st.integers(1, 6), n_in=st.integers(1, 5), n_out=st.integers(1, 5), seed=st.integers(0, 2**32 - 1))
def test_weight_gradient_is_the_sum_of_per_sample_outer_products(n, n_in, n_out, seed):
    rng = np.random.default_rng(seed)
    grad_out, x, W = rng.normal(size=(n, n_out)), rng.normal(size=(n, n_in)), rng.normal(size=(n_out, n_in))
    outer_products = sum(np.outer(g_n, x_n) for g_n, x_n in zip(grad_out, x))
    # each entry: n products summed in another order, error <= n * eps * sum |g x| (< 1e-14 for n <= 6)
    grads = dense_backward(x, W, grad_out)
    np.testing.assert_allclose(grads.params["W"], outer_products, rtol=1e-13, atol=1e-14)
    np.testing.assert_array_equal(grads.params["b"], grad_out.sum(axis=0))
    np.testing.assert_array_equal(grads.x, grad_out @ W)


def test_he_initialisation_has_variance_two_over_fan_in_and_zero_bias(rng):
    layer = Dense(500, 400, rng=rng)
    # 2e5 samples: the sample std has relative standard error 1/sqrt(2 * 2e5) ~ 0.16%; allow 5 of them
    np.testing.assert_allclose(layer.params["W"].std(), np.sqrt(2 / 500), rtol=0.008)
    assert abs(layer.params["W"].mean()) < 5 * np.sqrt(2 / 500) / np.sqrt(2e5)
    assert not layer.params["b"].any()


def test_same_seed_gives_same_weights_and_float32_is_float64_rounded():
    w64 = Dense(6, 5, rng=np.random.default_rng(7)).params["W"]
    w32 = Dense(6, 5, rng=np.random.default_rng(7), dtype=np.float32).params["W"]
    np.testing.assert_array_equal(w64, Dense(6, 5, rng=np.random.default_rng(7)).params["W"])
    np.testing.assert_array_equal(w32, w64.astype(np.float32))


def test_float32_dense_keeps_float32_forward_and_backward(rng):
    layer = Dense(4, 3, rng=rng, dtype=np.float32)
    z = layer.forward(rng.normal(size=(2, 4)).astype(np.float32))
    grads = layer.backward(np.ones_like(z))
    assert {z.dtype, grads.x.dtype, grads.params["W"].dtype, grads.params["b"].dtype} == {np.dtype(np.float32)}


def test_dense_backward_before_forward_is_a_clear_error(rng):
    with pytest.raises(RuntimeError, match=r"Dense.backward\(\) was called before forward\(\)"):
        Dense(4, 3, rng=rng).backward(np.ones((2, 3)))


@pytest.mark.parametrize(
    ("x", "message"),
    [
        (np.ones(4), r"x must be 2-D of shape \(N, 4\), got shape \(4,\)"),
        (np.ones((2, 5)), r"x has 5 features per row but the layer expects 4 \(expected shape \(N, 4\)\)"),
        (np.ones((2, 4), dtype=int), r"x must be a floating-point array"),
    ],
    ids=["1-D", "wrong-features", "int"],
)
def test_dense_rejects_badly_shaped_or_typed_input(rng, x, message):
    with pytest.raises((ValueError, TypeError), match=message):
        Dense(4, 3, rng=rng).forward(x)


def test_dense_rejects_a_gradient_of_another_shape_than_the_last_output(rng):
    layer = Dense(4, 3, rng=rng)
    layer.forward(np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"grad_out has shape \(3, 3\) but the last forward pass returned shape \(2, 3\)"):
        layer.backward(np.ones((3, 3)))


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"in_features": 0}, ValueError, r"in_features must be a positive integer, got 0"),
        ({"out_features": 2.0}, TypeError, r"out_features must be a positive integer, got float 2.0"),
        ({"rng": 0}, TypeError, r"rng must be a numpy.random.Generator such as np.random.default_rng\(0\), got int"),
        ({"dtype": np.int64}, TypeError, r"dtype must be a floating dtype \(float32 or float64\), got int64"),
    ],
    ids=["zero-size", "float-size", "seed-not-generator", "int-dtype"],
)
def test_dense_constructor_rejects_bad_arguments(rng, kwargs, error, message):
    arguments = {"in_features": 4, "out_features": 3, "rng": rng, **kwargs}
    with pytest.raises(error, match=message):
        Dense(arguments.pop("in_features"), arguments.pop("out_features"), **arguments)


# --- MLP ------------------------------------------------------------------------------------

SIZES = [4, 16, 3]


@pytest.fixture
def batch(rng):
    """An MLP([4, 16, 3]) with non-zero biases, a batch of 6 inputs, and class targets."""
    mlp = MLP(SIZES, rng=rng)
    for name in ("b1", "b2"):
        mlp.params[name] = 0.1 * rng.normal(size=mlp.params[name].shape)  # zero biases would hide a b bug
    return mlp, rng.normal(size=(6, 4)), np.array([0, 2, 1, 1, 0, 2])


def test_params_have_stable_names_and_shapes(rng):
    mlp = MLP([4, 16, 8, 3], rng=rng)
    shapes = {name: value.shape for name, value in mlp.params.items()}
    assert shapes == {"W1": (16, 4), "b1": (16,), "W2": (8, 16), "b2": (8,), "W3": (3, 8), "b3": (3,)}
    assert list(mlp.params) == ["W1", "b1", "W2", "b2", "W3", "b3"] and mlp.n_layers == 3


def test_mlp_is_dense_relu_dense_ending_in_logits(batch):
    mlp, x, _ = batch
    p = mlp.params
    expected = dense(np.maximum(dense(x, p["W1"], p["b1"]), 0), p["W2"], p["b2"])  # no activation on the logits
    np.testing.assert_array_equal(mlp.forward(x), expected)


def test_backward_returns_one_gradient_per_parameter_with_its_shape(batch):
    mlp, x, targets = batch
    grads = mlp.backward(cross_entropy_grad(mlp.forward(x), targets))
    assert list(grads.params) == list(mlp.params)
    assert all(grads.params[name].shape == mlp.params[name].shape for name in grads.params)
    assert grads.x.shape == x.shape


@pytest.mark.parametrize("name", ["W1", "b1", "W2", "b2"])
def test_every_parameter_gradient_matches_the_complex_step_through_the_whole_network(batch, name):
    mlp, x, targets = batch
    grads = mlp.backward(cross_entropy_grad(mlp.forward(x), targets))
    check_grads(loss_of_param(mlp, name, x, lambda logits: cross_entropy(logits, targets)), grads.params[name], mlp.params[name])


def test_input_gradient_matches_the_complex_step_through_the_whole_network(batch):
    mlp, x, targets = batch
    grads = mlp.backward(cross_entropy_grad(mlp.forward(x), targets))
    check_grads(loss_of_input(mlp, lambda logits: cross_entropy(logits, targets)), grads.x, x)


def test_deeper_network_gradients_match_the_complex_step(rng):
    mlp, x, targets = MLP([5, 8, 6, 4], rng=rng), rng.normal(size=(3, 5)), np.array([3, 0, 1])
    grads = mlp.backward(cross_entropy_grad(mlp.forward(x), targets))
    for name in mlp.params:
        check_grads(loss_of_param(mlp, name, x, lambda logits: cross_entropy(logits, targets)), grads.params[name], mlp.params[name])


def test_gradients_match_an_identical_pytorch_model(batch):
    mlp, x, targets = batch
    grads = mlp.backward(cross_entropy_grad(mlp.forward(x), targets))

    torch_mlp = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3)).double()
    with torch.no_grad():
        for index, layer in ((0, 1), (2, 2)):
            torch_mlp[index].weight.copy_(torch.from_numpy(mlp.params[f"W{layer}"]))
            torch_mlp[index].bias.copy_(torch.from_numpy(mlp.params[f"b{layer}"]))
    inputs = torch.from_numpy(x).requires_grad_()
    torch.nn.functional.cross_entropy(torch_mlp(inputs), torch.from_numpy(targets)).backward()

    torch_grads = {
        "W1": torch_mlp[0].weight.grad, "b1": torch_mlp[0].bias.grad,
        "W2": torch_mlp[2].weight.grad, "b2": torch_mlp[2].bias.grad,
    }  # fmt: skip
    for name, expected in torch_grads.items():
        # the same float64 sums in another order: ~1e-15 relative; atol for entries that cancel to ~0
        np.testing.assert_allclose(grads.params[name], expected.numpy(), rtol=1e-10, atol=1e-14, err_msg=name)
    np.testing.assert_allclose(grads.x, inputs.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_complex_parameters_give_complex_logits_whose_real_part_is_the_real_forward(batch):
    mlp, x, _ = batch
    real_logits = mlp.forward(x)
    complex_mlp = copy.deepcopy(mlp)
    complex_mlp.params["W2"] = mlp.params["W2"] + 1e-20j
    complex_logits = complex_mlp.forward(x)
    assert complex_logits.dtype == np.complex128
    np.testing.assert_array_equal(complex_logits.real, real_logits)


def test_backward_differentiates_the_forward_that_ran_even_if_params_change_after(batch):
    mlp, x, targets = batch
    grad_logits = cross_entropy_grad(mlp.forward(x), targets)
    before = mlp.backward(grad_logits)
    for name in mlp.params:
        mlp.params[name] = mlp.params[name] + 1.0
    after = mlp.backward(grad_logits)
    for name in before.params:
        np.testing.assert_array_equal(before.params[name], after.params[name])
    np.testing.assert_array_equal(before.x, after.x)


def test_float32_mlp_keeps_float32(rng):
    mlp = MLP(SIZES, rng=rng, dtype=np.float32)
    logits = mlp.forward(rng.normal(size=(2, 4)).astype(np.float32))
    grads = mlp.backward(np.ones_like(logits))
    assert logits.dtype == grads.x.dtype == np.float32
    assert {g.dtype for g in grads.params.values()} == {np.dtype(np.float32)}


def test_he_normal_draws_are_reproducible_and_cast_after_drawing():
    w = he_normal(3, 2, rng=np.random.default_rng(1), dtype=np.float32)
    np.testing.assert_array_equal(w, he_normal(3, 2, rng=np.random.default_rng(1)).astype(np.float32))


def test_mlp_backward_before_forward_is_a_clear_error(rng):
    with pytest.raises(RuntimeError, match=r"MLP.backward\(\) was called before forward\(\); call forward\(x\) first"):
        MLP(SIZES, rng=rng).backward(np.ones((2, 3)))


def test_mlp_rejects_a_gradient_of_another_shape_than_the_logits(batch):
    mlp, x, _ = batch
    mlp.forward(x)
    with pytest.raises(ValueError, match=r"grad_out has shape \(6, 4\) but the last forward pass returned shape \(6, 3\)"):
        mlp.backward(np.ones((6, 4)))


def test_mlp_rejects_input_with_the_wrong_feature_count(batch):
    mlp, _, _ = batch
    with pytest.raises(ValueError, match=r"x has 3 features per row but the layer expects 4"):
        mlp.forward(np.ones((2, 3)))


def test_mlp_rejects_a_replaced_parameter_of_the_wrong_shape(batch):
    mlp, x, _ = batch
    mlp.params["W1"] = np.ones((4, 16))
    with pytest.raises(ValueError, match=r"params\['W1'\] has shape \(4, 16\) but the layer needs shape \(16, 4\)"):
        mlp.forward(x)


SIZES_MESSAGE = "sizes must be a sequence of at least two layer sizes such as [4, 16, 3], got "


@pytest.mark.parametrize(
    ("sizes", "error", "message"),
    [
        # not a sequence of sizes at all: the wrong kind
        ("43", TypeError, SIZES_MESSAGE + "str '43'"),  # not [4, 3]
        (4, TypeError, SIZES_MESSAGE + "int 4"),
        (None, TypeError, SIZES_MESSAGE + "NoneType None"),
        ([4, 2.0, 3], TypeError, "sizes[1] must be a positive integer, got float 2.0"),
        ([4, True], TypeError, "sizes[1] must be a positive integer, got bool True"),
        # a sequence with a wrong value
        ([4], ValueError, SIZES_MESSAGE + "[4]"),
        ([], ValueError, SIZES_MESSAGE + "[]"),
        ([4, 0, 3], ValueError, "sizes[1] must be a positive integer, got 0"),
    ],
    ids=["string", "int", "none", "float-entry", "bool-entry", "one-size", "empty", "zero-width"],
)
def test_mlp_rejects_bad_sizes_with_the_kind_of_error_the_rule_says(rng, sizes, error, message):
    with pytest.raises(error) as caught:
        MLP(sizes, rng=rng)
    assert type(caught.value) is error and str(caught.value) == message


@pytest.mark.parametrize("sizes", [[4, 16, 3], (4, 16, 3), range(4, 1, -1), np.array([4, 16, 3])], ids=["list", "tuple", "range", "array"])
def test_mlp_takes_any_sequence_of_sizes(rng, sizes):
    mlp = MLP(sizes, rng=rng)
    assert mlp.sizes == tuple(int(n) for n in sizes) and all(type(n) is int for n in mlp.sizes)
    assert mlp.forward(np.ones((2, mlp.sizes[0]))).shape == (2, mlp.sizes[-1])


def test_a_dtype_numpy_cannot_read_is_named_as_the_argument(rng):
    with pytest.raises(TypeError) as caught:
        MLP([4, 3], rng=rng, dtype="float33")
    assert str(caught.value) == "dtype must be a floating dtype (float32 or float64), got str 'float33'"


# --- one convention for the upstream gradient ----------------------------------------------


def test_every_backward_and_vjp_takes_the_upstream_gradient_last_as_grad_out():
    import inspect

    import chainrule as cr
    from chainrule.layers import dense_backward

    backward_passes = [cr.softmax_vjp, cr.log_softmax_vjp, dense_backward, cr.Dense.backward, cr.MLP.backward]
    for function in backward_passes:
        assert list(inspect.signature(function).parameters)[-1] == "grad_out", function.__qualname__
    # a JVP's direction is a tangent, not an upstream gradient
    assert list(inspect.signature(cr.softmax_jvp).parameters) == ["z", "tangent"]


# --- one backward convention; MLP built from Dense -------------------------------------------


def test_dense_and_mlp_backward_return_the_same_kind_of_result(batch, rng):
    import chainrule as cr

    mlp, x, targets = batch
    layer = Dense(4, 3, rng=rng)
    layer_grads = layer.backward(np.ones_like(layer.forward(x)))
    mlp_grads = mlp.backward(cross_entropy_grad(mlp.forward(x), targets))
    assert type(layer_grads) is type(mlp_grads) is cr.Grads
    assert list(layer_grads.params) == list(layer.params) == ["W", "b"]
    assert layer_grads.x.shape == mlp_grads.x.shape == x.shape


def test_backward_stores_nothing_on_the_object(batch):
    mlp, x, targets = batch
    grad_logits = cross_entropy_grad(mlp.forward(x), targets)
    state = [dict(vars(mlp))] + [dict(vars(layer)) for layer in mlp.layers]
    mlp.backward(grad_logits)
    after = [dict(vars(mlp))] + [dict(vars(layer)) for layer in mlp.layers]
    assert [list(d) for d in after] == [list(d) for d in state]
    assert all(d[k] is before[k] for d, before in zip(after, state) for k in d)
    assert not hasattr(mlp, "grad_x")


def test_mlp_is_a_list_of_dense_layers_drawn_in_order_from_the_rng():
    mlp = MLP([4, 16, 8, 3], rng=np.random.default_rng(3))
    assert all(isinstance(layer, Dense) for layer in mlp.layers) and len(mlp.layers) == mlp.n_layers == 3
    assert [(layer.in_features, layer.out_features) for layer in mlp.layers] == [(4, 16), (16, 8), (8, 3)]
    rng = np.random.default_rng(3)
    by_hand = [Dense(4, 16, rng=rng), Dense(16, 8, rng=rng), Dense(8, 3, rng=rng)]
    for layer, expected in zip(mlp.layers, by_hand):
        np.testing.assert_array_equal(layer.params["W"], expected.params["W"])


def test_mlp_forward_and_backward_are_its_layers_forward_and_backward_with_relu_between(batch):
    from chainrule import relu, relu_grad

    mlp, x, targets = batch
    logits = mlp.forward(x)
    first, second = mlp.layers
    z1 = first.forward(x)
    np.testing.assert_array_equal(logits, second.forward(relu(z1)))
    grad_logits = cross_entropy_grad(logits, targets)
    grads = mlp.backward(grad_logits)
    second_grads = second.backward(grad_logits)
    first_grads = first.backward(second_grads.x * relu_grad(z1))
    expected = {"W1": first_grads.params["W"], "b1": first_grads.params["b"], "W2": second_grads.params["W"], "b2": second_grads.params["b"]}
    for name, value in expected.items():
        np.testing.assert_array_equal(grads.params[name], value)
    np.testing.assert_array_equal(grads.x, first_grads.x)


def test_params_is_a_mutable_view_onto_the_layers(batch):
    mlp, x, _ = batch
    assert mlp.params["W2"] is mlp.layers[1].params["W"] and mlp.params["b1"] is mlp.layers[0].params["b"]
    new_W2 = np.zeros((3, 16))
    mlp.params["W2"] = new_W2
    assert mlp.layers[1].params["W"] is new_W2
    np.testing.assert_array_equal(mlp.forward(x), np.broadcast_to(mlp.params["b2"], (6, 3)))  # W2 = 0: logits are b2
    mlp.params["b2"] -= 1.0  # an optimiser's in-place step reaches the layer
    np.testing.assert_array_equal(mlp.layers[1].params["b"], mlp.params["b2"])
    mlp.params.update(b1=np.ones(16))
    np.testing.assert_array_equal(mlp.layers[0].params["b"], np.ones(16))
    assert len(mlp.params) == 4 and "W3" not in mlp.params and dict(mlp.params).keys() == {"W1", "b1", "W2", "b2"}


def test_params_keeps_its_keys(batch):
    mlp, _, _ = batch
    with pytest.raises(KeyError, match=r"params has no entry 'W3' \(expected one of 'W1', 'b1', 'W2' or 'b2'\)"):
        mlp.params["W3"] = np.ones((3, 3))
    with pytest.raises(KeyError, match=r"params has no entry 'w1'"):
        mlp.params["w1"]
    with pytest.raises(TypeError, match=r"params of an MLP cannot lose an entry, got del params\['W1'\]"):
        del mlp.params["W1"]
    with pytest.raises(AttributeError):
        mlp.params = {}


def test_params_repr_lists_names_dtypes_and_shapes(rng):
    mlp = MLP([4, 2, 3], rng=rng, dtype=np.float32)
    assert repr(mlp.params) == "LayerParams(W1: float32 (2, 4), b1: float32 (2,), W2: float32 (3, 2), b2: float32 (3,))"


def test_a_rejected_forward_runs_no_layer_so_backward_still_pairs_with_the_last_good_forward(batch, rng):
    mlp, x, targets = batch
    grad_logits = cross_entropy_grad(mlp.forward(x), targets)
    before = mlp.backward(grad_logits)
    W2 = mlp.params["W2"]
    mlp.params["W2"] = np.ones((5, 5))
    with pytest.raises(ValueError, match=r"params\['W2'\] has shape \(5, 5\)"):
        mlp.forward(rng.normal(size=(6, 4)))  # a new batch: had layer 1 run, its cache would hold it
    mlp.params["W2"] = W2
    after = mlp.backward(grad_logits)
    np.testing.assert_array_equal(after.params["W1"], before.params["W1"])
    np.testing.assert_array_equal(after.x, before.x)
