r"""Evaluate parsed equations numerically and compare their sides.

A check binds the symbols of an equation with a few lines of Python (see
:mod:`chainrule_site.equations.source`); :class:`Context` runs those lines and
remembers which line computes which name from which, so that a derivative
``\\partial A/\\partial v`` is taken the way the page means it: perturb ``v``
by a complex step, recompute everything computed from ``v``, hold the rest
fixed, and read the change of ``A``.  A complex step has no subtraction, so
derivatives are exact to a few units of rounding and the comparison can be
tight.

Conventions
-----------
* Vectors are columns, shape ``(n, 1)``; :func:`randn` and :func:`col` make them.
* Indices in formulas count from 1.
* A chain ``a = b = c`` is compared link by link, for every value of every
  free index (names declared with :func:`ranges`), and for both signs when
  it contains ``\\pm``.
* ``only = lambda i, j: i != j`` restricts the index values (a case of a derivation).
* A symbol indexed by a sample, ``x_s`` with ``x = Indexed(lambda s: ...)``,
  may be transposed before its subscript (``a^{\ell-1\top}_s``); a composite
  name bound to an ``Indexed`` (``L_s`` beside a scalar ``L``) is called with
  the subscript's value.
* ``\begin{cases}`` whose conditions compare arrays is evaluated entry by
  entry (``\operatorname{ReLU}'(z)`` for a vector ``z``).
* Tolerances: ``rtol = 1e-9`` and ``atol = 1e-12`` unless the check sets
  ``rtol``/``atol``.  Both sides are computed in float64 from O(1) inputs in a
  few dozen operations, so they agree to ~1e-14; any edit of the formula
  (a sign, an index, a factor) changes the value by O(1).
"""

from __future__ import annotations

import ast
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import chainrule as cr
from chainrule_site.equations.latex import Chain, Node

__all__ = ["CheckError", "Context", "Indexed", "Layered", "compare_chain", "evaluate"]

#: The complex step used for every derivative (see the module docstring).
COMPLEX_STEP = 1e-30


class CheckError(AssertionError):
    """An equation's sides disagree, or it cannot be evaluated with the check's bindings."""


class Indexed:
    """A symbol whose subscript calls a function: ``x_s`` with ``x = Indexed(lambda s: ...)``."""

    def __init__(self, fn: Callable[..., Any]):
        self.fn = fn

    def __call__(self, *indices: int) -> Any:
        return self.fn(*indices)


class FunctionAt:
    """A function that also stands for its value at a point.

    Taylor expansions write ``L`` for the value and ``L(z + h e_k)`` for the
    function: ``L = FunctionAt(f, z)`` binds both.
    """

    def __init__(self, fn: Callable[..., Any], point: Any):
        self.fn, self.point = fn, point

    def __call__(self, *args: Any) -> Any:
        return self.fn(*args)

    def value(self) -> Any:
        """The function's value at its point."""
        return self.fn(self.point)


class Layered(dict):
    """A symbol with one value per layer: ``W^\\ell`` with ``W = Layered({1: W1, 2: W2})``."""


class _Kronecker:
    """The default meaning of ``\\delta_{ij}``."""


class _Identity:
    """What ``\\cdots`` stands for when a check binds it to an empty product."""


KRONECKER = _Kronecker()
IDENTITY = _Identity()


@dataclass(frozen=True)
class _Reals:
    shape: tuple[int, ...]


# -- helpers offered to the checks ---------------------------------------------

def col(values: Any) -> np.ndarray:
    """``values`` as a float column vector of shape ``(n, 1)``."""
    return np.asarray(values, dtype=float).reshape(-1, 1)


def _axis(x: np.ndarray) -> int:
    """0 for a column (one vector), -1 for a batch of rows; a single row is neither."""
    x = np.asarray(x)
    if x.ndim == 2 and x.shape[0] == 1 and x.shape[1] > 1:
        raise CheckError(f"a row vector of shape {x.shape} where the pages use columns")
    return 0 if x.ndim == 2 and x.shape[1] == 1 else -1


def softmax(z: np.ndarray) -> np.ndarray:
    """``chainrule.softmax`` over a column, or over each row of a matrix."""
    z = np.asarray(z)
    return cr.softmax(z.T).T if _axis(z) == 0 else cr.softmax(z)


def log_softmax(z: np.ndarray) -> np.ndarray:
    """``chainrule.log_softmax`` over a column, or over each row of a matrix."""
    z = np.asarray(z)
    return cr.log_softmax(z.T).T if _axis(z) == 0 else cr.log_softmax(z)


def logsumexp(z: np.ndarray) -> Any:
    """``chainrule.logsumexp`` of a column (a scalar)."""
    z = np.asarray(z)
    return cr.logsumexp(z.ravel()) if _axis(z) == 0 else cr.logsumexp(z)


def diag(v: np.ndarray) -> np.ndarray:
    """The diagonal matrix of a column vector."""
    v = np.asarray(v)
    if v.ndim != 2 or v.shape[1] != 1:
        raise CheckError(f"diag of shape {v.shape}: expected a column vector")
    return np.diag(v.ravel())


def relu(z: Any) -> Any:
    """max(z, 0), safe for a complex step."""
    z = np.asarray(z)
    return np.where(z.real > 0, z, 0 * z)


def relu_prime(z: Any) -> Any:
    """The ReLU derivative with ReLU'(0) = 0."""
    return (np.asarray(z).real > 0).astype(float)


def sigmoid(z: Any) -> Any:
    """The logistic function."""
    return 1 / (1 + np.exp(-z))


def base_env(seed: int) -> dict[str, Any]:
    """The names every check starts with."""
    rng = np.random.default_rng(seed)
    env: dict[str, Any] = {
        "np": np, "cr": cr, "math": math, "rng": rng, "col": col, "Indexed": Indexed, "Layered": Layered,
        "FunctionAt": FunctionAt,
        "randn": lambda *shape: rng.standard_normal(shape if len(shape) > 1 else (shape[0], 1)),
        "simplex": lambda n: col(rng.dirichlet(np.ones(n))),
        "onehot": lambda n, k: col(np.eye(n)[k - 1]),
        "ones": lambda *shape: np.ones(shape if len(shape) > 1 else (shape[0], 1)),
        "eye": np.eye,
        "log": np.log, "exp": np.exp, "sin": np.sin, "cos": np.cos, "tanh": np.tanh, "Im": np.imag,
        "softmax": softmax, "log_softmax": log_softmax, "logsumexp": logsumexp, "lse": logsumexp,
        "diag": diag, "ReLU": relu, "ReLU_prime": relu_prime,
        "delta": KRONECKER, "i": 1j, "cdots": IDENTITY,
        "__ranges__": {}, "__layers__": {},
    }

    def ranges(**sizes: int) -> None:
        """Declare the range 1..n of each index letter: ``ranges(i=C, j=C)``."""
        env["__ranges__"].update(sizes)

    def layers(**values: int) -> None:
        """Values of names inside superscripts of layered symbols: ``layers(L=2, ell=1)``."""
        env["__layers__"].update(values)

    env["ranges"], env["layers"] = ranges, layers
    return env


# -- the bindings of one check ---------------------------------------------------

@dataclass
class _Statement:
    code: Any
    targets: set[str]
    uses: set[str]


class Context:
    """The Python lines of a check, run once, re-run in part for derivatives.

    Parameters
    ----------
    source : str
        Python statements, one binding per line (``p = softmax(z)``).
    seed : int
        Seed of the check's random number generator.
    """

    def __init__(self, source: str, seed: int):
        self.statements: list[_Statement] = []
        for node in ast.parse(source).body:
            targets = set()
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                for target in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                    targets |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
            elif isinstance(node, (ast.FunctionDef,)):
                targets = {node.name}
            uses = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
            module = ast.Module(body=[node], type_ignores=[])
            self.statements.append(_Statement(compile(module, "<check>", "exec"), targets, uses - targets))
        self.env = base_env(seed)
        self.env["__ctx__"] = self
        assigned: set[str] = set()
        for statement in self.statements:
            exec(statement.code, self.env)
            for name in statement.targets & assigned:  # a check overriding a setup's binding:
                self.env = self.rerun(self.env, name)  # recompute what the setup computed from it
            assigned |= statement.targets

    def rerun(self, env: dict[str, Any], changed: str) -> dict[str, Any]:
        """A copy of ``env`` in which everything computed from ``changed`` is recomputed."""
        env = dict(env)
        dirty = {changed}
        started = False
        for statement in self.statements:
            if changed in statement.targets:  # never recompute the changed name itself
                started = True
                continue
            if started and statement.uses & dirty:
                exec(statement.code, env)
                dirty |= statement.targets
        return env


# -- evaluation -------------------------------------------------------------------

def _int(value: Any, what: str) -> int:
    value = complex(value).real if np.iscomplexobj(value) else value
    if not float(value).is_integer():
        raise CheckError(f"{what} is {value}, not a whole number")
    return int(value)


def _element(value: Any, indices: list[int], what: str) -> tuple[int, ...]:
    """The NumPy index of the element ``value_{indices}`` (indices count from 1)."""
    shape = np.shape(value)
    if len(indices) == 1 and len(shape) == 2 and 1 in shape:
        indices = [indices[0], 1] if shape[1] == 1 else [1, indices[0]]
    if len(indices) != len(shape):
        raise CheckError(f"{what} has shape {shape} but is given {len(indices)} indices")
    for n, (k, size) in enumerate(zip(indices, shape)):
        if not 1 <= k <= size:
            raise CheckError(f"index {k} of {what} is outside 1..{size} (axis {n})")
    return tuple(k - 1 for k in indices)


def _is_array(x: Any) -> bool:
    return isinstance(x, np.ndarray) and x.ndim > 0


def _same_shape(a: Any, b: Any, op: str) -> None:
    if _is_array(a) and _is_array(b) and a.shape != b.shape and not (a.size == 1 or b.size == 1):
        raise CheckError(f"{op} of shapes {a.shape} and {b.shape}")


def _jux(a: Any, b: Any) -> Any:
    if a is IDENTITY:
        return b
    if b is IDENTITY:
        return a
    if callable(a) or callable(b):
        raise CheckError("a function used as a number (missing argument?)")
    if _is_array(a) and _is_array(b) and a.ndim == 2 and b.ndim == 2 and a.size > 1 and b.size > 1:
        if a.shape[1] != b.shape[0]:
            raise CheckError(f"matrix product of shapes {a.shape} and {b.shape}")
        return a @ b
    if _is_array(a) and _is_array(b) and a.ndim == 2 and b.ndim == 2:
        return a @ b if a.shape[1] == b.shape[0] else a * b
    return a * b


def _names(node: Any) -> set[str]:
    if isinstance(node, Node):
        found = {node.args[0]} if node.op == "name" else set()
        if node.op == "sum":
            found.add(node.args[0])
        for arg in node.args:
            found |= _names(arg)
        return found
    if isinstance(node, (list, tuple)):
        return set().union(*(_names(a) for a in node)) if node else set()
    return set()


def _target(node: Node, env: dict[str, Any]) -> tuple[str, tuple[int, ...] | None]:
    """Which bound name (and which element of it) a derivative is taken with respect to."""
    if node.op == "name":
        if node.args[0] not in env:
            raise CheckError(f"derivative with respect to unbound {node.args[0]!r}")
        return node.args[0], None
    if node.op == "index":
        base, indices, key = node.args
        if base.op == "name" and f"{base.args[0]}_{key}" in env:
            return f"{base.args[0]}_{key}", None
        name, sub = _target(base, env)
        if sub is not None:
            raise CheckError("derivative with respect to an element of an element")
        ks = [_int(evaluate(i, env), "an index") for i in indices]
        return name, _element(env[name], ks, name)
    value = evaluate(node, env)
    for name, bound in env.items():
        if bound is value and isinstance(value, np.ndarray):
            return name, None
    raise CheckError("cannot tell which bound symbol a derivative is taken with respect to")


def _derivative(expr: Node, target: Node, env: dict[str, Any], gradient: bool) -> Any:
    ctx: Context = env["__ctx__"]
    name, element = _target(target, env)
    base = np.asarray(env[name])
    if np.iscomplexobj(base):
        raise CheckError("a derivative of a derivative is not supported")
    elements = [element] if element is not None else list(np.ndindex(base.shape)) if base.ndim else [()]
    values = []
    for el in elements:
        bumped = base.astype(complex)
        bumped[el] += 1j * COMPLEX_STEP
        env2 = ctx.rerun({**env, name: bumped if base.ndim else bumped[()]}, name)
        values.append(np.imag(evaluate(expr, env2)) / COMPLEX_STEP)
    if element is not None or base.ndim == 0:
        return values[0]
    first = np.asarray(values[0])
    if first.size == 1:  # scalar numerator
        grad = np.array([float(np.asarray(v).ravel()[0]) for v in values]).reshape(base.shape)
        if not gradient and base.ndim == 2 and base.shape[1] == 1:
            return grad.T  # d(scalar)/d(column) is a row in numerator layout
        return grad
    if gradient:
        raise CheckError("\\nabla of a non-scalar")
    if first.ndim == 2 and first.shape[1] == 1 and base.ndim == 2 and base.shape[1] == 1:
        return np.hstack([np.asarray(v).reshape(-1, 1) for v in values])  # Jacobian, m x n
    raise CheckError(f"derivative of shape {first.shape} with respect to shape {base.shape}")


def _remainder_order(node: Node | None, env: dict[str, Any]) -> tuple[str, float]:
    if node is None:
        if "order" not in env:
            raise CheckError("\\dots needs the check to set `order` (and `small`, default 'h')")
        return env.get("small", "h"), env["order"]
    if node.op == "sup" and node.args[0].op == "name":
        return node.args[0].args[0], evaluate(node.args[1], env)
    if node.op == "name":
        return node.args[0], 1
    raise CheckError("O(...) of something other than a power of a name")


def evaluate(node: Any, env: dict[str, Any]) -> Any:
    """The value of an expression tree with the names in ``env``."""
    op, args = node.op, node.args
    if op == "num":
        return args[0]
    if op == "name":
        name = args[0]
        if name in env["__ranges__"] and name not in env:
            raise CheckError(f"index {name} is used outside a loop over it")
        if name not in env:
            raise CheckError(f"symbol {name!r} is not bound by the check")
        value = env[name]
        return value.value() if isinstance(value, FunctionAt) else value
    if op == "neg":
        return -evaluate(args[0], env)
    if op in ("add", "sub"):
        a, b = evaluate(args[0], env), evaluate(args[1], env)
        _same_shape(a, b, "sum" if op == "add" else "difference")
        return a + b if op == "add" else a - b
    if op == "pm":
        a, b = evaluate(args[0], env), evaluate(args[1], env)
        _same_shape(a, b, "\\pm")
        return a + args[2] * env.get("__pm__", 1) * b
    if op == "jux":
        return _jux(evaluate(args[0], env), evaluate(args[1], env))
    if op in ("odot", "oslash"):
        a, b = evaluate(args[0], env), evaluate(args[1], env)
        if np.shape(a) != np.shape(b):
            raise CheckError(f"elementwise operation of shapes {np.shape(a)} and {np.shape(b)}")
        return a * b if op == "odot" else a / b
    if op == "div":
        a, b = evaluate(args[0], env), evaluate(args[1], env)
        _same_shape(a, b, "quotient")
        return a / b
    if op == "increment":  # \\Delta t: the bound increment Delta_t, else the product Delta t
        key = f"Delta_{args[1].args[0]}"
        return env[key] if key in env else _jux(evaluate(args[0], env), evaluate(args[1], env))
    if op == "exp":
        return np.exp(evaluate(args[0], env))
    if op == "T":
        value = evaluate(args[0], env)
        if isinstance(value, Indexed):  # a^{\top}_s: transpose what the subscript picks
            return Indexed(lambda *k, f=value: np.transpose(f(*k)))
        return value.T if _is_array(value) else value
    if op == "sup":
        base = evaluate(args[0], env)
        if isinstance(base, Layered):
            layer = _int(evaluate(args[1], {**env, **env["__layers__"]}), "a layer")
            if layer not in base:
                raise CheckError(f"no layer {layer} (layers {sorted(base)})")
            return base[layer]
        power = evaluate(args[1], env)
        if _is_array(base) and base.ndim == 2 and base.shape[0] == base.shape[1] and base.size > 1:
            raise CheckError("power of a square matrix is ambiguous")
        return base ** power
    if op == "index":
        base_node, indices, key = args
        if base_node.op == "name" and f"{base_node.args[0]}_{key}" in env:
            value = env[f"{base_node.args[0]}_{key}"]
            if isinstance(value, Indexed) and indices:  # L_s beside a scalar L: L_s = Indexed(...)
                return value(*[_int(evaluate(i, env), "an index") for i in indices])
            return value
        base = evaluate(base_node, env)
        if not indices:
            raise CheckError(f"symbol {base_node.args[0] if base_node.op == 'name' else ''}_{key} is not bound")
        if base is KRONECKER:
            ks = [_int(evaluate(i, env), "an index") for i in indices]
            if len(ks) != 2:
                raise CheckError("\\delta needs two indices")
            return 1.0 if ks[0] == ks[1] else 0.0
        if isinstance(base, Indexed):
            return base(*[_int(evaluate(i, env), "an index") for i in indices])
        if isinstance(base, dict):
            return base[_int(evaluate(indices[0], env), "a key")]
        if callable(base) or not isinstance(base, np.ndarray):
            raise CheckError(f"cannot index {type(base).__name__} (is {base_node} bound?)")
        ks = [_int(evaluate(i, env), "an index") for i in indices]
        return base[_element(base, ks, str(base_node))]
    if op in ("call", "callor"):
        fn = env.get(args[0].args[0]) if args[0].op == "name" else None
        fn = fn if isinstance(fn, FunctionAt) else evaluate(args[0], env)
        if op == "callor":
            return evaluate(args[1] if callable(fn) else args[2], env)
        arg = args[1]
        values = [evaluate(a, env) for a in arg.args] if arg.op == "tuple" else [evaluate(arg, env)]
        if not callable(fn):
            raise CheckError(f"{args[0]} is not a function")
        return fn(*values)
    if op == "tuple":
        raise CheckError("a tuple outside a function call")
    if op == "sum":
        index, lower, upper, body = args
        if lower is None or upper is None:
            if index not in env["__ranges__"]:
                raise CheckError(f"\\sum over {index} needs its bounds or ranges({index}=...)")
            lo, hi = 1, env["__ranges__"][index]
        else:
            lo, hi = _int(evaluate(lower, env), "a lower bound"), _int(evaluate(upper, env), "an upper bound")
        total: Any = 0.0
        for k in range(lo, hi + 1):
            total = total + evaluate(body, {**env, index: k})
        return total
    if op == "deriv":
        return _derivative(args[0], args[1], env, gradient=False)
    if op == "nabla":
        return _derivative(args[1], args[0], env, gradient=True)
    if op == "iverson":
        return 1.0 if evaluate(args[0], env) == evaluate(args[1], env) else 0.0
    if op == "abs":
        return np.abs(evaluate(args[0], env))
    if op == "inner":
        a, b = evaluate(args[0], env), evaluate(args[1], env)
        if np.shape(a) != np.shape(b):
            raise CheckError(f"inner product of shapes {np.shape(a)} and {np.shape(b)}")
        return np.sum(a * b)
    if op == "matrix":
        rows = [[evaluate(cell, env) for cell in row] for row in args]
        if len({len(r) for r in rows}) != 1:
            raise CheckError("matrix rows of different lengths")
        return np.array([[complex(c) if np.iscomplexobj(c) else float(c) for c in row] for row in rows])
    if op == "cases":
        conditions = [(evaluate(left, env), rel, evaluate(right, env)) for _, left, rel, right in args]
        if any(_is_array(a) and a.size > 1 for a, _, _ in conditions):  # entry by entry
            return _cases_elementwise(args, conditions, env)
        for value, left, rel, right in args:
            if _holds(rel, evaluate(left, env), evaluate(right, env), env):
                return evaluate(value, env)
        raise CheckError("no case applies")
    if op == "labelled":  # \underbrace{X}_{formula}: X, which must equal the formula
        value, label = evaluate(args[0], env), evaluate(args[1], env)
        if not _holds("=", value, label, env):
            raise CheckError(f"the underbrace says {_fmt(label)}, the value is {_fmt(value)}")
        return value
    if op == "shape":
        value = evaluate(args[0], env)
        try:
            dims = tuple(_int(evaluate(d, {**env, **env["__layers__"]}), "a dimension") for d in args[1])
        except CheckError as error:  # a shape the check cannot evaluate is an error, never a skipped check
            raise CheckError(f"the shape under a brace cannot be evaluated ({error}): bind its dimensions") from None
        shape = np.shape(value)
        expected = dims if len(dims) == 2 else (dims[0], 1)
        if shape != expected and not (len(dims) == 1 and shape == dims):
            raise CheckError(f"the equation says shape {'x'.join(map(str, dims))}, the value has shape {shape}")
        return value
    if op == "reals":
        dims = tuple(_int(evaluate(d, env), "a dimension") for d in args)
        return _Reals(dims)
    if op == "remainder":
        small, order = _remainder_order(args[0], env)
        env["__remainder__"].append((small, order))
        return 0.0
    raise CheckError(f"cannot evaluate {op}")


def _cases_elementwise(args: list[Any], conditions: list[tuple[Any, str, Any]], env: dict[str, Any]) -> Any:
    """A ``cases`` whose conditions compare arrays: each entry takes the first branch it satisfies."""
    compare = {">": np.greater, "<": np.less, "≥": np.greater_equal, "≤": np.less_equal,
               "=": np.equal, "≠": np.not_equal}
    shape = np.broadcast_shapes(*(np.shape(a) for a, _, b in conditions), *(np.shape(b) for a, _, b in conditions))
    result, done = np.zeros(shape, dtype=complex), np.zeros(shape, dtype=bool)
    for (value, *_), (left, rel, right) in zip(args, conditions):
        if rel not in compare:
            raise CheckError(f"an entrywise case with the relation {rel}")
        mask = np.broadcast_to(compare[rel](np.real(left), np.real(right)), shape) & ~done
        result[mask] = np.broadcast_to(evaluate(value, env), shape)[mask]
        done |= mask
    if not done.all():
        raise CheckError("no case applies to some entries")
    return result if np.iscomplexobj(result) and np.any(result.imag) else result.real


def _holds(rel: str, a: Any, b: Any, env: dict[str, Any]) -> bool:
    rtol, atol = env.get("rtol", 1e-9), env.get("atol", 1e-12)
    if rel == "∈":
        if not isinstance(b, _Reals):
            raise CheckError("∈ needs \\mathbb R on its right")
        shape = np.shape(a)
        want = b.shape if len(b.shape) != 1 else (b.shape[0], 1)
        return shape in (want, b.shape) and not np.any(np.imag(a))
    if isinstance(a, (_Reals,)) or callable(a) or callable(b):
        raise CheckError("cannot compare a function or a set")
    a, b = np.asarray(a), np.asarray(b)
    if a.size == 1 and b.size == 1:
        a, b = a.reshape(()), b.reshape(())
    elif a.shape != b.shape:
        raise CheckError(f"the sides have shapes {a.shape} and {b.shape}")
    if rel == "=":
        return bool(np.allclose(a, b, rtol=rtol, atol=atol))
    if rel == "≠":
        return not np.allclose(a, b, rtol=rtol, atol=atol)
    if rel == "≈":
        if "approx_rtol" not in env:
            raise CheckError("≈ needs the check to set approx_rtol (how close, and why)")
        return bool(np.allclose(a, b, rtol=env["approx_rtol"], atol=env.get("approx_atol", atol)))
    if np.any(np.abs(np.imag(a)) > atol) or np.any(np.abs(np.imag(b)) > atol):
        raise CheckError("an inequality between complex values")
    a, b = np.real(a), np.real(b)
    slack = atol + rtol * np.maximum(np.abs(a), np.abs(b))
    return bool({"≤": np.all(a <= b + slack), "≥": np.all(a >= b - slack),
                 "<": np.all(a < b), ">": np.all(a > b)}[rel])


def _fmt(value: Any) -> str:
    return np.array2string(np.asarray(value), precision=6, threshold=12).replace("\n", "")


def compare_chain(chain: Chain, env: dict[str, Any]) -> list[str]:
    """Compare every link of ``chain`` for every free index and sign; return the mismatches.

    Parameters
    ----------
    chain : Chain
        A parsed relation chain.
    env : dict
        The bindings of the check (``Context.env``).

    Returns
    -------
    list of str
        One message per failing link (empty when the chain holds), naming the
        link, the index values and both sides' values.
    """
    names = _names(chain.sides)
    free = [k for k in env["__ranges__"] if k in names]
    signs = (1, -1) if "\\pm" in chain.source or "\\mp" in chain.source else (1,)
    failures: list[str] = []
    loops = [range(1, env["__ranges__"][k] + 1) for k in free]
    only = env.get("only")  # a check may restrict the indices: only = lambda i, j: i != j
    for values in itertools.product(*loops):
        if only is not None and not only(**{k: v for k, v in zip(free, values) if k in only.__code__.co_varnames}):
            continue
        for sign in signs:
            local = {**env, **dict(zip(free, values)), "__pm__": sign, "__remainder__": []}
            where = ", ".join(f"{k}={v}" for k, v in zip(free, values))
            if len(signs) > 1:
                where += (", " if where else "") + ("upper sign" if sign == 1 else "lower sign")
            sides = [evaluate(side, local) for side in chain.sides]
            remainder = local["__remainder__"]
            for n, rel in enumerate(chain.relations):
                left, right = chain.side_sources[n], chain.side_sources[n + 1]
                if remainder:
                    message = _check_order(chain, n, local, remainder)
                    if message:
                        failures.append(f"{left} {rel} {right}{' at ' + where if where else ''}: {message}")
                    continue
                if not _holds(rel, sides[n], sides[n + 1], local):
                    failures.append(f"{left} {rel} {right}{' at ' + where if where else ''}: "
                                    f"{_fmt(sides[n])} vs {_fmt(sides[n + 1])}")
    return failures


def _check_order(chain: Chain, link: int, env: dict[str, Any], remainder: list[tuple[str, float]]) -> str | None:
    """Check a relation with ``O(h^k)`` or ``\\dots``: the dropped part shrinks like h^k."""
    small, order = remainder[0]
    ctx: Context = env["__ctx__"]
    h0 = env[small]
    diffs = []
    for h in (h0, h0 / 2, h0 / 4):
        local = ctx.rerun({**env, small: h}, small)
        local["__remainder__"] = []
        a = evaluate(chain.sides[link], local)
        b = evaluate(chain.sides[link + 1], local)
        diffs.append(float(np.max(np.abs(np.asarray(a) - np.asarray(b)))))
    floor = 1e-13  # below this, round-off of the two sides (~1e-15 each) muddies the rate
    rates = [math.log2(big / small_) for big, small_ in zip(diffs, diffs[1:]) if small_ > floor]
    if not rates:
        return None if diffs[0] < 1e-12 else f"the rest did not shrink: {diffs}"
    if all(rate > order - 0.25 for rate in rates):  # as fast as claimed, or faster
        return None
    shown = ", ".join(f"{small}^{rate:.2f}" for rate in rates)
    return f"the difference shrinks like {shown}, not like {small}^{order:g} or faster"
