"""Datasets of SPEC §6, read from what ships on the machine; nothing is downloaded.

- ``digits``: scikit-learn's bundled 8×8 digits, x = value/8 − 1, train = first 1,437, test = last 360.
- ``fashion-mnist``: Debian's ``dataset-fashion-mnist`` IDX files, x = value/127.5 − 1.
- a path to an ``.npz`` in the Keras ``mnist.npz`` layout (x_train, y_train, x_test, y_test).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import InputError

FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
DIGITS_TRAIN = 1437
NAMES = ("digits", "fashion-mnist", "mnist")


@dataclass(frozen=True)
class Dataset:
    """Images (float32, channels-last [n, H, W, 1], scaled to [−1, 1]) and integer labels."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def image_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])

    @property
    def n_classes(self) -> int:
        return int(max(self.y_train.max(), self.y_test.max())) + 1

    def split(self, which: str) -> tuple[np.ndarray, np.ndarray]:
        if which == "train":
            return self.x_train, self.y_train
        if which == "test":
            return self.x_test, self.y_test
        raise InputError(f"unknown split {which!r}: use 'train' or 'test'")


def load_dataset(name: str) -> Dataset:
    """Load ``digits``, ``fashion-mnist`` or an ``.npz`` path (``mnist`` needs its path)."""
    key = str(name)
    if key == "digits":
        return _digits()
    if key in ("fashion-mnist", "fashion_mnist", "fashion"):
        return _fashion()
    if key == "mnist":
        raise InputError(
            "mnist is not bundled: pass the path of your Keras mnist.npz (e.g. --dataset ~/mnist.npz)"
        )
    path = Path(key).expanduser()
    if path.suffix == ".npz" or path.exists():
        return _npz(path)
    raise InputError(f"unknown dataset {key!r}: use digits, fashion-mnist or a path to an .npz file")


def _digits() -> Dataset:
    from sklearn.datasets import load_digits

    d = load_digits()
    x = (d.images.astype(np.float32) / 8.0 - 1.0)[..., None]
    y = d.target.astype(np.int64)
    return Dataset("digits", x[:DIGITS_TRAIN], y[:DIGITS_TRAIN], x[DIGITS_TRAIN:], y[DIGITS_TRAIN:])


def _read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def _fashion() -> Dataset:
    files = {
        "x_train": "train-images-idx3-ubyte.gz",
        "y_train": "train-labels-idx1-ubyte.gz",
        "x_test": "t10k-images-idx3-ubyte.gz",
        "y_test": "t10k-labels-idx1-ubyte.gz",
    }
    missing = [f for f in files.values() if not (FASHION_DIR / f).exists()]
    if missing:
        raise InputError(
            f"Fashion-MNIST not found in {FASHION_DIR}; install it with "
            "'sudo apt-get install dataset-fashion-mnist'"
        )
    arrays = {k: _read_idx(FASHION_DIR / f) for k, f in files.items()}
    return _scaled("fashion-mnist", arrays)


def _npz(path: Path) -> Dataset:
    if not path.exists():
        raise InputError(f"dataset file {str(path)!r} not found; check the path")
    keys = ("x_train", "y_train", "x_test", "y_test")
    try:
        with np.load(path, allow_pickle=False) as f:
            missing = [k for k in keys if k not in f.files]
            if missing:
                raise InputError(
                    f"{str(path)!r} lacks array {missing[0]!r}; expected {', '.join(keys)} "
                    "(the Keras mnist.npz layout)"
                )
            arrays = {k: f[k] for k in keys}
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"cannot read {str(path)!r} as an .npz file: {exc}") from None
    return _scaled(path.stem, arrays)


def _scaled(name: str, arrays: dict) -> Dataset:
    def images(a):
        a = np.asarray(a)
        x = a.astype(np.float32) / 127.5 - 1.0 if a.dtype == np.uint8 else a.astype(np.float32)
        return x[..., None] if x.ndim == 3 else x

    return Dataset(
        name,
        images(arrays["x_train"]),
        np.asarray(arrays["y_train"]).astype(np.int64).reshape(-1),
        images(arrays["x_test"]),
        np.asarray(arrays["y_test"]).astype(np.int64).reshape(-1),
    )
