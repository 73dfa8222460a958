r"""Benchmarks behind the Performance page: ``python -m chainrule_site.bench`` (``make bench``).

Four measurements, all in one run, written to ``docs/performance/results.json``
with the date, the machine (CPU model, cores, load average before and after)
and the library versions:

``frameworks``
    Cross-entropy forward + backward at N = 512, C = 32000, float32 and float64:
    :func:`chainrule.fused.cross_entropy_value_and_grad` (all cores and one core),
    the reference ``cross_entropy`` + ``cross_entropy_grad``,
    ``torch.nn.functional.cross_entropy`` + ``.backward()`` on the CPU, and
    ``jax.jit(jax.value_and_grad(loss))`` on the CPU when JAX is installed.
    ``np.exp`` alone is timed beside them, as many calls as there are logits but over
    one block that stays in cache: the arithmetic floor of every exact method.
    The contenders run interleaved, one call each per round, so a change of the
    machine's load during the run touches all of them alike; each gets the
    median wall-clock time and the median CPU time (``time.process_time``,
    summed over its threads). Peak extra memory of the NumPy routes is measured
    with :mod:`tracemalloc`, which sees every NumPy allocation.
``jacobian_vs_fused``
    The gradient through the explicit softmax Jacobian (``softmax_jacobian``,
    :math:`C\times C` per row, then a matrix-vector product) against the fused
    call, for C from 10 to 4096: time and peak memory.
``modes``
    Forward- versus reverse-mode gradient of a scalar loss as the number of
    inputs n grows, with the functions of :mod:`chainrule_site.figures.modes`.
``backward_forward``
    What the gradient adds to the loss: loss alone versus loss and gradient,
    for the fused NumPy code, PyTorch and JAX, at the frameworks' shape.

Nothing here runs in ``make test``; the site's figures and the page's blocks
only read the committed results file.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

import chainrule
from chainrule_site.paths import RESULTS
from chainrule.fused import cross_entropy_value_and_grad
from chainrule.losses import cross_entropy, cross_entropy_grad
from chainrule.softmax import softmax, softmax_jacobian

FRAMEWORK_SHAPE = (512, 32000)
JACOBIAN_CLASSES = (10, 32, 100, 316, 1000, 2048, 4096)
JACOBIAN_ROWS = 2  # the C = 4096 Jacobians are 2 x 4096 x 4096 float64: 268 MB


# ---------------------------------------------------------------------------
# timing and memory
# ---------------------------------------------------------------------------


def _interleaved(contenders: dict[str, Callable[[], object]], repeats: int) -> dict[str, dict]:
    """Median wall and CPU seconds of each contender, one call of each per round (after one warm-up)."""
    for run in contenders.values():
        run()
    wall: dict[str, list[float]] = {name: [] for name in contenders}
    cpu: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, run in contenders.items():
            gc.collect()
            start_wall, start_cpu = time.perf_counter(), time.process_time()
            run()
            cpu[name].append(time.process_time() - start_cpu)
            wall[name].append(time.perf_counter() - start_wall)
    return {
        name: {
            "wall_s": statistics.median(wall[name]),
            "cpu_s": statistics.median(cpu[name]),
            "wall_min_s": min(wall[name]),
            "repeats": repeats,
        }
        for name in contenders
    }


def _peak_extra_bytes(run: Callable[[], object]) -> int:
    """Peak bytes allocated (NumPy arrays included) during `run`, above what was live before it."""
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        result = run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak - before


# ---------------------------------------------------------------------------
# the contenders
# ---------------------------------------------------------------------------


def _torch_contenders(logits: np.ndarray, labels: np.ndarray) -> dict[str, Callable[[], object]]:
    import torch

    logits_t, labels_t = torch.from_numpy(logits), torch.from_numpy(labels)

    def value_and_grad():
        z = logits_t.detach().requires_grad_()
        loss = torch.nn.functional.cross_entropy(z, labels_t)
        loss.backward()
        return loss.item(), z.grad

    def loss_only():
        with torch.no_grad():
            return torch.nn.functional.cross_entropy(logits_t, labels_t).item()

    return {"value_and_grad": value_and_grad, "loss": loss_only}


def _jax_contenders(logits: np.ndarray, labels: np.ndarray) -> dict[str, Callable[[], object]] | None:
    try:
        import jax
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)  # float64 logits stay float64
    import jax.numpy as jnp

    def loss(z, k):
        log_probs = jax.nn.log_softmax(z, axis=-1)
        return -jnp.mean(jnp.take_along_axis(log_probs, k[:, None], axis=-1))

    cpu = jax.devices("cpu")[0]
    logits_j, labels_j = jax.device_put(logits, cpu), jax.device_put(labels, cpu)
    value_and_grad = jax.jit(jax.value_and_grad(loss))
    loss_jit = jax.jit(loss)
    return {
        "value_and_grad": lambda: jax.block_until_ready(value_and_grad(logits_j, labels_j)),
        "loss": lambda: jax.block_until_ready(loss_jit(logits_j, labels_j)),
    }


def _exp_in_cache(logits: np.ndarray) -> None:
    """As many exps as `logits` has entries, over one cached 512 KiB block: their arithmetic cost alone."""
    n_rows, n_classes = logits.shape
    block = max(1, (512 * 1024) // (n_classes * logits.itemsize))
    source, out = logits[:block], np.empty((block, n_classes), dtype=logits.dtype)
    for _ in range(0, n_rows, block):
        np.exp(source, out=out)


def _blocked_loss(logits: np.ndarray, labels: np.ndarray) -> np.floating:
    """The mean cross-entropy alone, blocked like the fused code, into one block-sized scratch.

    The forward half of :func:`~chainrule.fused.cross_entropy_value_and_grad`:
    max, subtract, exp, sum per block of rows, and no gradient to write.
    """
    n_rows, n_classes = logits.shape
    block = max(1, (512 * 1024) // (n_classes * logits.itemsize))
    scratch = np.empty((block, n_classes), dtype=logits.dtype)
    losses = np.empty(n_rows, dtype=logits.dtype)
    for start in range(0, n_rows, block):
        stop = min(start + block, n_rows)
        z, s = logits[start:stop], scratch[: stop - start]
        np.subtract(z, np.max(z, axis=1, keepdims=True), out=s)
        s_target = s[np.arange(stop - start), labels[start:stop]]
        np.exp(s, out=s)
        losses[start:stop] = np.log(np.sum(s, axis=1)) - s_target
    return np.sum(losses) / n_rows


def _jacobian_route(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    r"""Mean cross-entropy gradient through the explicit softmax Jacobian: :math:`J^\top (\partial L/\partial p)`."""
    n_rows = logits.shape[0]
    probs = softmax(logits)
    rows = np.arange(n_rows)
    grad_probs = np.zeros_like(probs)
    grad_probs[rows, labels] = -1.0 / (n_rows * probs[rows, labels])  # dL/dp = -y / (N p)
    jacobian = softmax_jacobian(logits)  # (N, C, C)
    return (jacobian.transpose(0, 2, 1) @ grad_probs[:, :, None])[:, :, 0]


# ---------------------------------------------------------------------------
# the four measurements
# ---------------------------------------------------------------------------


def bench_frameworks(repeats: int) -> dict:
    """Fused chainrule vs reference vs PyTorch vs JAX at N = 512, C = 32000, both dtypes."""
    n_rows, n_classes = FRAMEWORK_SHAPE
    out: dict = {"shape": [n_rows, n_classes], "threads": len(os.sched_getaffinity(0)), "dtypes": {}}
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        logits = rng.standard_normal((n_rows, n_classes)).astype(dtype)
        labels = rng.integers(0, n_classes, n_rows)
        contenders = {
            # the arithmetic floor of any exact method: one exp per logit, with no memory traffic
            "numpy_exp": lambda: _exp_in_cache(logits),
            "chainrule_fused": lambda: cross_entropy_value_and_grad(logits, labels),
            "chainrule_fused_1thread": lambda: cross_entropy_value_and_grad(logits, labels, threads=1),
            "chainrule_reference": lambda: (
                cross_entropy(logits, labels),
                cross_entropy_grad(logits, labels),
            ),
            "torch": _torch_contenders(logits, labels)["value_and_grad"],
        }
        jax_runs = _jax_contenders(logits, labels)
        if jax_runs is not None:
            contenders["jax_jit"] = jax_runs["value_and_grad"]

        # every contender computes the same loss and gradient
        loss, grad = cross_entropy_value_and_grad(logits, labels)
        torch_loss, torch_grad = contenders["torch"]()
        tolerance = 1e-5 if dtype == np.float32 else 1e-12  # rounding of C-term sums
        assert abs(float(loss) - torch_loss) <= tolerance * abs(torch_loss)
        assert np.allclose(grad, torch_grad.numpy(), rtol=tolerance, atol=tolerance / n_rows)

        times = _interleaved(contenders, repeats)
        fused = times["chainrule_fused"]["wall_s"]
        entry = {
            "times": times,
            "ratio_fused_to_torch": fused / times["torch"]["wall_s"],
            "ratio_fused_to_torch_cpu": times["chainrule_fused"]["cpu_s"] / times["torch"]["cpu_s"],
            "ratio_fused_to_reference": fused / times["chainrule_reference"]["wall_s"],
            "ratio_exp_to_fused_1thread": times["numpy_exp"]["wall_s"] / times["chainrule_fused_1thread"]["wall_s"],
            "logits_bytes": logits.nbytes,
            "peak_extra_bytes": {
                "chainrule_fused": _peak_extra_bytes(lambda: cross_entropy_value_and_grad(logits, labels)),
                "chainrule_reference": _peak_extra_bytes(
                    lambda: (cross_entropy(logits, labels), cross_entropy_grad(logits, labels))
                ),
            },
        }
        if jax_runs is not None:
            entry["ratio_fused_to_jax"] = fused / times["jax_jit"]["wall_s"]
            entry["ratio_fused_to_jax_cpu"] = times["chainrule_fused"]["cpu_s"] / times["jax_jit"]["cpu_s"]
        out["dtypes"][np.dtype(dtype).name] = entry
        print(
            f"  {np.dtype(dtype).name}: fused {1e3 * fused:.1f} ms, torch {1e3 * times['torch']['wall_s']:.1f} ms"
            + (f", jax {1e3 * times['jax_jit']['wall_s']:.1f} ms" if jax_runs else ""),
            flush=True,
        )
    return out


def bench_jacobian_vs_fused(repeats: int) -> dict:
    """Explicit-Jacobian gradient against the fused one as C grows (float64, 2 rows)."""
    rng = np.random.default_rng(1)
    rows: dict[str, list] = {"classes": [], "jacobian_s": [], "fused_s": [], "jacobian_peak_bytes": [], "fused_peak_bytes": []}
    for n_classes in JACOBIAN_CLASSES:
        logits = rng.standard_normal((JACOBIAN_ROWS, n_classes))
        labels = rng.integers(0, n_classes, JACOBIAN_ROWS)
        assert np.allclose(_jacobian_route(logits, labels), cross_entropy_grad(logits, labels), atol=1e-15)
        times = _interleaved(
            {
                "jacobian": lambda: _jacobian_route(logits, labels),
                "fused": lambda: cross_entropy_value_and_grad(logits, labels),
            },
            repeats,
        )
        rows["classes"].append(n_classes)
        rows["jacobian_s"].append(times["jacobian"]["wall_s"])
        rows["fused_s"].append(times["fused"]["wall_s"])
        rows["jacobian_peak_bytes"].append(_peak_extra_bytes(lambda: _jacobian_route(logits, labels)))
        rows["fused_peak_bytes"].append(_peak_extra_bytes(lambda: cross_entropy_value_and_grad(logits, labels)))
    rows["rows"] = JACOBIAN_ROWS
    rows["dtype"] = "float64"
    return rows


def bench_modes(repeats: int) -> dict:
    """Forward- vs reverse-mode gradient of the tanh chain of :mod:`chainrule_site.figures.modes`."""
    from chainrule_site.figures.modes import modes_cost_data

    data = modes_cost_data(repeats=repeats, budget=2.0)
    return {key: (value.tolist() if isinstance(value, np.ndarray) else value) for key, value in data.items()}


def bench_backward_forward(repeats: int) -> dict:
    """Loss alone versus loss and gradient, float32 at the frameworks' shape."""
    n_rows, n_classes = FRAMEWORK_SHAPE
    rng = np.random.default_rng(2)
    logits = rng.standard_normal((n_rows, n_classes)).astype(np.float32)
    labels = rng.integers(0, n_classes, n_rows)
    assert np.isclose(_blocked_loss(logits, labels), cross_entropy(logits, labels), rtol=1e-6, atol=0)
    torch_runs = _torch_contenders(logits, labels)
    contenders = {
        # one thread for both halves, so the ratio counts work rather than parallelism
        "chainrule_loss": lambda: _blocked_loss(logits, labels),
        "chainrule_value_and_grad": lambda: cross_entropy_value_and_grad(logits, labels, threads=1),
        "torch_loss": torch_runs["loss"],
        "torch_value_and_grad": torch_runs["value_and_grad"],
    }
    jax_runs = _jax_contenders(logits, labels)
    if jax_runs is not None:
        contenders["jax_loss"] = jax_runs["loss"]
        contenders["jax_value_and_grad"] = jax_runs["value_and_grad"]
    times = _interleaved(contenders, repeats)
    ratios = {}
    for library in ("chainrule", "torch", "jax"):
        if f"{library}_loss" in times:
            forward = times[f"{library}_loss"]["wall_s"]
            ratios[library] = (times[f"{library}_value_and_grad"]["wall_s"] - forward) / forward
    return {"shape": [n_rows, n_classes], "dtype": "float32", "times": times, "backward_over_forward": ratios}


# ---------------------------------------------------------------------------
# the machine and the run
# ---------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "numpy": np.__version__, "chainrule": chainrule.__version__}
    for name in ("torch", "jax", "jaxlib"):
        try:
            versions[name] = __import__(name).__version__
        except ImportError:
            pass
    return versions


def machine_info() -> dict:
    """CPU model, core counts, NumPy's SIMD level and the load average (1, 5, 15 min)."""
    simd = np.__config__.CONFIG.get("SIMD Extensions", {}).get("found", [])
    info = {
        "cpu_model": _cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "numpy_simd": list(simd),
        "platform": platform.platform(),
        "load_average_start": list(os.getloadavg()),
    }
    try:
        import torch

        info["torch_threads"] = torch.get_num_threads()
    except ImportError:
        pass
    return info


def run(repeats: int, output: Path) -> dict:
    """Run all four measurements and write them to `output` as JSON."""
    results = {
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "command": "make bench",
        "machine": machine_info(),
        "versions": _versions(),
    }
    print(f"load average {results['machine']['load_average_start']}", flush=True)
    print("frameworks ...", flush=True)
    results["frameworks"] = bench_frameworks(repeats)
    print("jacobian vs fused ...", flush=True)
    results["jacobian_vs_fused"] = bench_jacobian_vs_fused(repeats)
    print("forward vs reverse mode ...", flush=True)
    results["modes"] = bench_modes(repeats)
    print("backward / forward ...", flush=True)
    results["backward_forward"] = bench_backward_forward(repeats)
    results["machine"]["load_average_end"] = list(os.getloadavg())
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=1) + "\n")
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m chainrule_site.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=11, help="timed rounds per measurement (median reported)")
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"results file (default {RESULTS})")
    args = parser.parse_args(argv)
    results = run(args.repeats, args.output)
    for dtype, entry in results["frameworks"]["dtypes"].items():
        line = f"{dtype}: fused / torch = {entry['ratio_fused_to_torch']:.2f}"
        if "ratio_fused_to_jax" in entry:
            line += f", fused / jax = {entry['ratio_fused_to_jax']:.2f}"
        line += f", peak extra = {entry['peak_extra_bytes']['chainrule_fused'] / entry['logits_bytes']:.3f} x logits"
        print(line)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    sys.exit(main())
