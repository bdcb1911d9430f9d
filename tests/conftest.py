"""Shared fixtures: datasets and small Larq BNNs trained once per test session (per worker)."""

from __future__ import annotations

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bnn2q.datasets import FASHION_DIR, load_dataset  # noqa: E402


@pytest.fixture(scope="session")
def ray_address():
    """A local Ray runtime with 2 CPUs, started in this process once; its GCS address. Tests that
    use it carry ``pytest.mark.xdist_group("ray")`` so that one pytest worker starts it.

    Ray 2.60's raylet gives its Python agents a fixed 15 s to report their ports and aborts past
    that; on a heavily loaded machine they can miss it five times running (``ray_runtime.init``
    retries): then these tests skip, saying so, rather than fail for the machine's load."""
    import tempfile

    from bnn2q.errors import InputError
    from bnn2q.ray_runtime import init

    ray = pytest.importorskip("ray")
    temp = tempfile.mkdtemp(prefix="bnn2q-ray-", dir="/tmp")  # Ray's socket paths must stay short
    try:
        init(ray, attempts=5, num_cpus=2, include_dashboard=False, log_to_driver=False, _temp_dir=temp)
    except InputError as exc:
        pytest.skip(f"{exc} (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


@pytest.fixture(scope="session")
def digits():
    return load_dataset("digits")


@pytest.fixture(scope="session")
def digits_all(digits):
    """All 1,797 digits samples (train then test) with labels."""
    return np.concatenate([digits.x_train, digits.x_test]), np.concatenate([digits.y_train, digits.y_test])


@pytest.fixture(scope="session")
def fashion():
    if not (FASHION_DIR / "t10k-images-idx3-ubyte.gz").exists():
        pytest.skip("dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist)")
    return load_dataset("fashion-mnist")


def train_dense(digits, hidden=(64, 32), epochs=8, seed=0, **kwargs):
    """A small Larq dense BNN on digits, trained briefly so its predictions are not constant."""
    from bnn2q.train.models import dense_bnn, train_classical

    model = dense_bnn(digits.image_shape, list(hidden), 10, seed=seed, **kwargs)
    train_classical(model, digits.x_train, digits.y_train, epochs=epochs)
    return model


@pytest.fixture(scope="session")
def digits_model(digits):
    """64-64-32-10 Larq BNN (ste_sign, BN without scale), ~90% test accuracy."""
    return train_dense(digits, hidden=(64, 32), epochs=10)


@pytest.fixture(scope="session")
def digits_model_path(digits_model, tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "digits_bnn.h5"
    digits_model.save(path)
    return path
