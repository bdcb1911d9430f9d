"""SPEC §6 datasets: embedded digits, Debian's Fashion-MNIST, a user .npz."""

from __future__ import annotations

import numpy as np
import pytest

from bnn2q.datasets import load_dataset
from bnn2q.errors import InputError


def test_digits_split_and_scaling(digits):
    assert digits.x_train.shape == (1437, 8, 8, 1) and digits.x_test.shape == (360, 8, 8, 1)
    assert digits.x_train.min() == -1.0 and digits.x_train.max() == 1.0
    np.testing.assert_array_equal(np.unique(digits.x_train * 8 + 8), np.arange(17))
    assert digits.n_classes == 10


def test_fashion_mnist(fashion):
    assert fashion.x_train.shape == (60000, 28, 28, 1) and fashion.x_test.shape == (10000, 28, 28, 1)
    assert fashion.x_train.min() == -1.0 and fashion.x_train.max() == 1.0
    assert set(np.unique(fashion.y_test)) == set(range(10))


def test_user_npz_in_keras_mnist_layout(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=rng.integers(0, 256, (20, 28, 28), dtype=np.uint8), y_train=rng.integers(0, 10, 20),
             x_test=rng.integers(0, 256, (5, 28, 28), dtype=np.uint8), y_test=rng.integers(0, 10, 5))
    data = load_dataset(str(path))
    assert data.x_test.shape == (5, 28, 28, 1)
    assert -1.0 <= data.x_test.min() and data.x_test.max() <= 1.0


def test_dataset_errors(tmp_path):
    with pytest.raises(InputError, match="unknown dataset 'cifar'"):
        load_dataset("cifar")
    with pytest.raises(InputError, match="mnist is not bundled"):
        load_dataset("mnist")
    with pytest.raises(InputError, match="not found"):
        load_dataset(str(tmp_path / "missing.npz"))
    bad = tmp_path / "bad.npz"
    np.savez(bad, x=np.zeros(3))
    with pytest.raises(InputError, match="lacks array 'x_train'"):
        load_dataset(str(bad))
