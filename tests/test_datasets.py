"""The iris package data and the stratified split used by the training notebooks."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest

from chainrule.datasets import IRIS_FEATURES, IRIS_SPECIES, load_iris, stratified_split


def test_iris_has_150_rows_of_4_float64_features_and_int64_labels() -> None:
    features, labels = load_iris()
    assert features.shape == (150, 4) and features.dtype == np.float64
    assert labels.shape == (150,) and labels.dtype == np.int64
    assert len(IRIS_FEATURES) == 4 and len(IRIS_SPECIES) == 3


def test_iris_has_50_flowers_of_each_species_sorted_by_species() -> None:
    _, labels = load_iris()
    assert np.bincount(labels).tolist() == [50, 50, 50]
    assert np.all(np.diff(labels) >= 0)


def test_iris_values_are_finite_and_match_fishers_summary_statistics() -> None:
    features, _ = load_iris()
    assert not np.isnan(features).any() and np.isfinite(features).all()
    # Fisher (1936) as summarised in the UCI description: per-feature min, max and mean (to 2 decimals).
    assert features.min(axis=0).tolist() == [4.3, 2.0, 1.0, 0.1]
    assert features.max(axis=0).tolist() == [7.9, 4.4, 6.9, 2.5]
    np.testing.assert_allclose(features.mean(axis=0), [5.84, 3.06, 3.76, 1.20], atol=0.005)


def test_iris_rows_35_and_38_follow_fishers_paper_not_the_uci_errata() -> None:
    features, _ = load_iris()
    assert features[34].tolist() == [4.9, 3.1, 1.5, 0.2]
    assert features[37].tolist() == [4.9, 3.6, 1.4, 0.1]


def test_iris_csv_and_its_licence_note_ship_as_package_data() -> None:
    data = resources.files("chainrule.data")
    assert data.joinpath("iris.csv").is_file()
    note = data.joinpath("README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in note and "Fisher" in note


@pytest.mark.parametrize("seed", [0, 5, 123])
@pytest.mark.parametrize(("test_fraction", "test_per_class"), [(0.2, 10), (0.3, 15), (0.5, 25)])
def test_stratified_split_keeps_the_class_proportions_of_iris(seed: int, test_fraction: float, test_per_class: int) -> None:
    _, labels = load_iris()
    train, test = stratified_split(labels, test_fraction, rng=np.random.default_rng(seed))
    assert np.bincount(labels[test]).tolist() == [test_per_class] * 3
    assert np.bincount(labels[train]).tolist() == [50 - test_per_class] * 3
    assert train.dtype == np.int64 and test.dtype == np.int64


def test_stratified_split_is_a_partition_of_the_indices(rng: np.random.Generator) -> None:
    labels = rng.integers(0, 4, size=97)
    train, test = stratified_split(labels, 0.25, rng=rng)
    assert np.intersect1d(train, test).size == 0
    assert np.array_equal(np.sort(np.concatenate([train, test])), np.arange(97))


def test_stratified_split_rounds_each_class_share_to_the_nearest_sample(rng: np.random.Generator) -> None:
    labels = np.repeat([0, 1, 2], [7, 13, 30])  # unbalanced: 20% is 1.4, 2.6 and 6 samples
    _, test = stratified_split(labels, 0.2, rng=rng)
    assert np.bincount(labels[test], minlength=3).tolist() == [1, 3, 6]


def test_stratified_split_is_deterministic_given_the_seed() -> None:
    _, labels = load_iris()
    first = stratified_split(labels, 0.2, rng=np.random.default_rng(7))
    second = stratified_split(labels, 0.2, rng=np.random.default_rng(7))
    other = stratified_split(labels, 0.2, rng=np.random.default_rng(8))
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    assert not np.array_equal(first[1], other[1])


@pytest.mark.parametrize(
    ("labels", "test_fraction", "error", "message"),
    [
        (np.array([0.0, 1.0]), 0.5, TypeError, "integer class indices"),
        (np.zeros((2, 2), dtype=int), 0.5, ValueError, "1-D"),
        (np.array([0, 0, 1, 1]), 0.0, ValueError, "strictly between 0 and 1"),
        (np.array([0, 0, 1, 1]), 1.0, ValueError, "strictly between 0 and 1"),
        (np.array([0, 0, 0, 0, 1]), 0.2, ValueError, "class 1 has 1 samples"),
    ],
)
def test_stratified_split_rejects_bad_arguments_with_a_sentence(labels, test_fraction, error, message) -> None:
    with pytest.raises(error, match=message):
        stratified_split(labels, test_fraction, rng=np.random.default_rng(0))


@pytest.mark.parametrize(
    ("test_fraction", "error", "message"),
    [
        ("0.2", TypeError, "test_fraction must be a number strictly between 0 and 1, got str '0.2'"),
        (True, TypeError, "test_fraction must be a number strictly between 0 and 1, got bool True"),  # not 1
        (None, TypeError, "test_fraction must be a number strictly between 0 and 1, got NoneType None"),
        (0.0, ValueError, "test_fraction must be strictly between 0 and 1, got 0.0"),
        (1, ValueError, "test_fraction must be strictly between 0 and 1, got 1.0"),
        (-0.5, ValueError, "test_fraction must be strictly between 0 and 1, got -0.5"),
        (float("nan"), ValueError, "test_fraction must be strictly between 0 and 1, got nan"),
    ],
    ids=["string", "bool", "none", "zero", "one", "negative", "nan"],
)
def test_a_test_fraction_of_the_wrong_kind_is_a_type_error_and_out_of_range_a_value_error(
    test_fraction, error, message
) -> None:
    with pytest.raises(error) as caught:
        stratified_split(np.array([0, 0, 1, 1]), test_fraction, rng=np.random.default_rng(0))
    assert type(caught.value) is error and str(caught.value) == message


def test_a_numpy_test_fraction_gives_the_split_of_the_same_python_float() -> None:
    labels = np.repeat([0, 1], 10)
    from_numpy = stratified_split(labels, np.float32(0.25), rng=np.random.default_rng(3))
    from_python = stratified_split(labels, 0.25, rng=np.random.default_rng(3))
    assert all(np.array_equal(a, b) for a, b in zip(from_numpy, from_python))


def test_stratified_split_needs_a_generator() -> None:
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        stratified_split(np.array([0, 0, 1, 1]), 0.5, rng=0)
