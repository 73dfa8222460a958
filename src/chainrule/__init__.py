"""chainrule: the mathematics of backpropagation, executable.

A small NumPy package whose every function is derived, line by line, on the
pages of the chainrule site. This module only re-exports the public API.
"""

from chainrule import datasets
from chainrule.activations import relu, relu_grad, sigmoid, sigmoid_grad
from chainrule.engine import Tensor
from chainrule.fused import cross_entropy_value_and_grad
from chainrule.gradcheck import (
    GradientCheckError,
    GradientCheckReport,
    check_gradient,
    check_grads,
    numerical_gradient,
    numerical_jacobian,
)
from chainrule.layers import MLP, Dense, Grads
from chainrule.losses import cross_entropy, cross_entropy_grad
from chainrule.softmax import (
    log_softmax,
    log_softmax_vjp,
    logsumexp,
    softmax,
    softmax_jacobian,
    softmax_jvp,
    softmax_vjp,
)

__all__ = [
    "datasets",
    "MLP",
    "Dense",
    "Grads",
    "Tensor",
    "GradientCheckError",
    "GradientCheckReport",
    "check_gradient",
    "check_grads",
    "cross_entropy",
    "cross_entropy_grad",
    "cross_entropy_value_and_grad",
    "log_softmax",
    "log_softmax_vjp",
    "logsumexp",
    "numerical_gradient",
    "numerical_jacobian",
    "relu",
    "relu_grad",
    "sigmoid",
    "sigmoid_grad",
    "softmax",
    "softmax_jacobian",
    "softmax_jvp",
    "softmax_vjp",
]

__version__ = "0.1.0"
