"""The data behind the MLP page's figure shows what its caption and alt text say."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule_site.figures.mlp import relu_central_difference_data, relu_kink_central_difference


@pytest.mark.parametrize("h", [1e-6, 1e-3, 0.5])
def test_relu_central_difference_is_a_ramp_across_the_kink(h):
    data = relu_central_difference_data(h=h)
    ratio, estimate = data["offset_over_h"], data["estimate"]
    assert estimate[ratio == 0.0].item() == 0.5
    # (relu(z + h) - relu(z - h)) / 2h with |z| <= 2h: rounding ~ a few eps, whatever h
    assert np.allclose(estimate[ratio <= -1], 0.0, rtol=0, atol=1e-9)
    assert np.allclose(estimate[ratio >= 1], 1.0, rtol=0, atol=1e-9)
    inside = np.abs(ratio) < 1
    assert np.allclose(estimate[inside], (1 + ratio[inside]) / 2, rtol=0, atol=1e-9)


def test_relu_kink_figure_builds_with_labelled_axes():
    fig = relu_kink_central_difference()
    ax = fig.axes[0]
    assert ax.get_xlabel() and ax.get_ylabel()
