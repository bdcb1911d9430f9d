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

from . import budget
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
        return int(max((y.max() for y in (self.y_train, self.y_test) if y.size), default=0)) + 1

    def split(self, which: str) -> tuple[np.ndarray, np.ndarray]:
        """(images, labels) of the ``train`` or ``test`` split; an empty split is refused."""
        if which not in ("train", "test"):
            raise InputError(f"unknown split {which!r}: use 'train' or 'test'")
        x, y = (self.x_train, self.y_train) if which == "train" else (self.x_test, self.y_test)
        if len(y) == 0:
            raise InputError(f"the {which} split of dataset {self.name!r} is empty; give x_{which} and y_{which} "
                             "at least one sample (or use the other split)")
        return x, y


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
    if path.is_dir():
        raise InputError(f"dataset {str(path)!r} is a directory; give an .npz file")
    keys = ("x_train", "y_train", "x_test", "y_test")
    try:
        f = np.load(path, allow_pickle=False)
        if not hasattr(f, "files"):
            raise InputError(f"{str(path)!r} holds one array, not an .npz archive of {', '.join(keys)}")
        with f:
            missing = [k for k in keys if k not in f.files]
            if missing:
                raise InputError(
                    f"{str(path)!r} lacks array {missing[0]!r}; expected {', '.join(keys)} "
                    "(the Keras mnist.npz layout)"
                )
            # A compressed member may unpack to far more than the file: bound it before reading.
            budget.check(sum(f.zip.getinfo(f"{k}.npy").file_size for k in keys), f"the arrays of {str(path)!r}",
                         "use a smaller dataset file")
            arrays = {k: f[k] for k in keys}
    except InputError:
        raise
    except Exception as exc:  # BadZipFile, a pickled (object) array, a damaged member, ...
        raise InputError(f"cannot read {str(path)!r} as an .npz file: {_first_line(exc)}") from None
    return _scaled(path.stem, {k: _checked(path, k, a) for k, a in arrays.items()})


def _checked(path: Path, key: str, a: np.ndarray) -> np.ndarray:
    """One array of an .npz: numbers, finite images, integer labels ≥ 0, lengths that agree."""
    where = f"{str(path)!r}: {key}"
    if key.startswith("y"):
        if a.dtype.kind not in "iub" and not (a.dtype.kind == "f" and np.all(np.isfinite(a)) and np.all(a == np.round(a))):
            what = f"{a.dtype} labels" if a.dtype.kind != "f" else "labels that are not whole numbers"
            raise InputError(f"{where} holds {what}; bnn2q needs integer class labels 0..K-1")
        if a.size and a.min() < 0:
            raise InputError(f"{where} holds the negative label {int(a.min())}; class labels run 0..K-1")
        return a
    if a.dtype.kind not in "iufb":
        raise InputError(f"{where} holds {a.dtype} values; images must be numbers")
    if a.ndim < 2:
        raise InputError(f"{where} has shape {a.shape}; images are [samples, ...]")
    if a.dtype.kind == "f" and a.size and not (np.all(np.isfinite(a)) and np.abs(a).max() <= np.finfo(np.float32).max):
        bad = np.abs(np.nan_to_num(a.reshape(len(a), -1), nan=np.inf)) > np.finfo(np.float32).max
        raise InputError(f"{where} holds NaN, inf or values beyond float32 (first in sample "
                         f"{int(np.argmax(bad.any(axis=1)))}); clean the data")
    return a


def _first_line(exc: Exception) -> str:
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    return (lines[0] if lines else type(exc).__name__)[:200]


def _scaled(name: str, arrays: dict) -> Dataset:
    for split in ("train", "test"):
        n_x, n_y = len(arrays[f"x_{split}"]), np.asarray(arrays[f"y_{split}"]).size
        if n_x != n_y:
            raise InputError(f"dataset {name!r}: x_{split} holds {n_x:,} samples but y_{split} {n_y:,} labels; "
                             "give one label per sample")

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
