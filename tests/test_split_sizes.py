"""helpers._split_sizes: the rows of each part, counted once for every split of the package.

Expected counts are worked out here with exact fractions, so a float product
a hair below an integer cannot hide a row lost or gained.
"""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import data
from helpers._split_sizes import part_sizes

shares = st.integers(1, 99).map(lambda percent: percent / 100)


@given(
    n_obs=st.integers(0, 5000), train=shares, validation=st.integers(0, 99).map(lambda p: p / 100)
)
def test_fractions_floor_each_part_as_on_paper(n_obs, train, validation):
    if train + validation >= 1:
        with pytest.raises(ValueError, match="train \\+ validation must be below 1"):
            part_sizes(n_obs, train=train, validation=validation)
        return
    n_train, n_val, n_test = part_sizes(n_obs, train=train, validation=validation)
    assert n_train == math.floor(n_obs * Fraction(str(train)))
    assert n_val == math.floor(n_obs * Fraction(str(validation)))
    assert n_train + n_val + n_test == n_obs


@given(
    n_obs=st.integers(0, 500), test_size=st.integers(0, 500), validation_size=st.integers(0, 500)
)
def test_rows_at_the_end_leave_training_every_row_before_them(n_obs, test_size, validation_size):
    sizes = part_sizes(n_obs, test_size=test_size, validation_size=validation_size)
    assert sizes == (n_obs - validation_size - test_size, validation_size, test_size)


def test_the_defaults_and_a_validation_share_beside_rows():
    assert part_sizes(100) == (70, 15, 15)
    assert part_sizes(100, test_size=10) == (75, 15, 10)  # 15 % of all rows, then 10 test rows
    assert part_sizes(20, test_size=4, validation=0.1) == (14, 2, 4)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"train": 0.5, "test_size": 2}, ValueError, "either train .* or test_size"),
        ({"validation_size": 2}, ValueError, "validation_size needs test_size"),
        ({"test_size": -1}, ValueError, "test_size must be a non-negative integer, got -1"),
        ({"test_size": 2.0}, TypeError, "test_size must be a non-negative integer, got float"),
        ({"train": 1.0}, ValueError, r"train must be a number in \(0, 1\), got 1.0"),
        ({"train": "0.7"}, TypeError, r"train must be a number in \(0, 1\), got str"),
        ({"validation": -0.1}, ValueError, r"validation must be a number in \[0, 1\)"),
    ],
)
def test_each_fault_has_its_type_and_message(kwargs, error, message):
    with pytest.raises(error, match=message):
        part_sizes(20, **kwargs)


@given(
    n_obs=st.integers(30, 400),
    train=st.integers(30, 70),
    validation=st.sampled_from([0, 10, 15, 20]),
)
def test_every_split_of_the_package_counts_the_same_rows(n_obs, train, validation):
    sizes = {"train": train / 100, "validation": validation / 100}
    expected = part_sizes(n_obs, **sizes)
    assert data.chronological_split(np.arange(n_obs), **sizes).lengths == expected
    if min(expected[0], expected[2]) > 3:
        assert data.split_windows(np.arange(float(n_obs)), 1, **sizes).rows == expected
