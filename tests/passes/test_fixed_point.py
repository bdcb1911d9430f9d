"""Weights as integer multiples of one unit: the form integer feed-forward sums need."""

from __future__ import annotations

import warnings

import numpy as np

from bnn2q.passes.fixed_point import integer_weights


def test_zero_weights_take_no_part_in_the_unit():
    """A sum that drops a term (a zero weight, e.g. a pruned or cancelled input) keeps the unit
    of the others, and nothing divides by zero on the way."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        k, unit, rounding = integer_weights(np.array([0.0, 0.75, -1.5, 0.0, 2.25]), 32)
    assert unit == 0.75 and rounding == 0.0
    assert k.tolist() == [0, 1, -2, 0, 3]


def test_no_common_unit_falls_back_to_a_power_of_two_scale_and_says_its_rounding():
    w = np.array([0.5, 0.3])  # 0.3 is no multiple of 0.5 and needs 54 bits as a dyadic fraction
    k, unit, rounding = integer_weights(w, 32)
    assert np.log2(unit) == np.round(np.log2(unit)) and unit < 2.0 ** -20
    assert 0.0 < rounding and np.abs(k * unit - w).max() <= rounding
