"""Fixtures shared by the package tests. Append new fixtures; keep each one small."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    """A freshly seeded generator, so every test draws the same numbers on every run."""
    return np.random.default_rng(20261126)
