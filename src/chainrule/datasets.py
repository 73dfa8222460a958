r"""Small data sets shipped with the package, and a stratified train/test split.

The training notebooks (``docs/notebooks/``) need data that is on disk, not
downloaded: [`load_iris`][chainrule.datasets.load_iris] reads Fisher's 150 iris flowers from the package
data (``chainrule/data/iris.csv``; source and licence in
``chainrule/data/README.md``). [`stratified_split`][chainrule.datasets.stratified_split] divides any labelled
set into a training and a test part that keep the class proportions.

```python
import numpy as np
from chainrule.datasets import load_iris, stratified_split

features, labels = load_iris()
train, test = stratified_split(labels, test_fraction=0.2, rng=np.random.default_rng(0))
assert features.shape == (150, 4) and len(train) == 120 and len(test) == 30
assert np.bincount(labels[test]).tolist() == [10, 10, 10]
```
"""

from __future__ import annotations

import csv
from importlib import resources

import numpy as np
from numpy.typing import ArrayLike

from chainrule._validation import as_class_indices, check_open_fraction, check_rng

__all__ = ["IRIS_FEATURES", "IRIS_SPECIES", "load_iris", "stratified_split"]

IRIS_FEATURES: tuple[str, ...] = ("sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm")
"""Column names of the iris features, in the order of the columns of ``load_iris()[0]``."""
IRIS_SPECIES: tuple[str, ...] = ("setosa", "versicolor", "virginica")
"""Species names; label ``k`` of ``load_iris()[1]`` is ``IRIS_SPECIES[k]``."""


def load_iris() -> tuple[np.ndarray, np.ndarray]:
    """Fisher's iris data: 150 flowers, 4 measurements, 3 species (50 of each).

    Returns
    -------
    features : ndarray of shape (150, 4), float64
        Sepal length, sepal width, petal length and petal width in cm, in the
        order of [`IRIS_FEATURES`][chainrule.datasets.IRIS_FEATURES].
    labels : ndarray of shape (150,), int64
        Species index 0, 1 or 2, naming [`IRIS_SPECIES`][chainrule.datasets.IRIS_SPECIES] (setosa,
        versicolor, virginica); rows are sorted by species.

    Notes
    -----
    The values are those printed in Fisher (1936), *The use of multiple
    measurements in taxonomic problems*, Annals of Eugenics 7(2), 179-188,
    measured by Edgar Anderson. The UCI Machine Learning Repository copy
    (licence CC BY 4.0) differs from the paper in two entries (rows 35 and
    38); this file follows the paper. See ``chainrule/data/README.md``.
    """
    text = resources.files("chainrule.data").joinpath("iris.csv").read_text(encoding="utf-8")
    reader = csv.reader(text.splitlines())
    header = next(reader)
    expected = [*IRIS_FEATURES, "species"]
    if header != expected:
        raise ValueError(f"iris.csv has columns {header} but the loader expects {expected}")
    rows = list(reader)
    features = np.array([row[:4] for row in rows], dtype=np.float64)
    labels = np.array([IRIS_SPECIES.index(row[4]) for row in rows], dtype=np.int64)
    return features, labels


def stratified_split(
    labels: ArrayLike, test_fraction: float = 0.2, *, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    r"""Shuffle and split sample indices so that each class keeps its share in both parts.

    Parameters
    ----------
    labels : array_like of shape (N,), integer
        Class index of each sample.
    test_fraction : float, default 0.2
        Share of each class put in the test part, rounded to the nearest whole
        sample per class; strictly between 0 and 1.
    rng : numpy.random.Generator
        The only source of randomness: the same seed gives the same split.

    Returns
    -------
    train_index, test_index : ndarray of shape (N_train,) and (N_test,), int64
        Disjoint indices into `labels` that together cover every sample,
        each in random order.

    Raises
    ------
    TypeError
        If `labels` are not integers, `test_fraction` is not a real number (a
        string, a bool), or `rng` is not a Generator.
    ValueError
        If `labels` is not 1-D, `test_fraction` is not strictly between 0 and
        1, or a class would end up with no sample in one of the two parts.

    Notes
    -----
    A class \(c\) with \(N_c\) samples contributes
    \(\operatorname{round}(f N_c)\) samples to the test part (\(f\) =
    `test_fraction`), so the class proportions of both parts equal those of
    the whole set up to one sample per class. A plain random split of iris (50 per class, 30 test samples) can
    easily give 6 of one species and 14 of another; this one gives 10 of each.
    """
    labels = as_class_indices(labels, "labels")
    check_rng(rng)
    test_fraction = check_open_fraction(test_fraction, "test_fraction")
    train_parts, test_parts = [], []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        n_test = int(round(test_fraction * len(members)))
        if n_test == 0 or n_test == len(members):
            raise ValueError(
                f"class {label} has {len(members)} samples, so test_fraction={test_fraction} leaves "
                f"{n_test} of them in the test part (expected at least one sample in each part)"
            )
        test_parts.append(members[:n_test])
        train_parts.append(members[n_test:])
    train_index = rng.permutation(np.concatenate(train_parts)).astype(np.int64)
    test_index = rng.permutation(np.concatenate(test_parts)).astype(np.int64)
    return train_index, test_index
