"""A model trained on [0, 1] inputs reads bnn2q's [-1, 1] datasets wrongly but still runs: `run`
and `info` say so in one line (a paired comparison on the same samples), and stay quiet for a
model trained on bnn2q's own scaling."""

from __future__ import annotations

import pytest

from bnn2q import cli
from bnn2q.commands.input_range import check_input_range

pytestmark = pytest.mark.xdist_group("larq-models")


@pytest.fixture(scope="module")
def unit_range_model_path(digits, tmp_path_factory):
    """The digits BNN trained on pixels in [0, 1] (value/16), as many users' pipelines do."""
    from bnn2q.train.models import dense_bnn, train_classical

    model = dense_bnn(digits.image_shape, [64, 32], 10, seed=0)
    train_classical(model, (digits.x_train + 1) / 2, digits.y_train, epochs=10)
    path = tmp_path_factory.mktemp("unit") / "unit_range.h5"
    model.save(path)
    return path


def test_a_model_trained_on_0_1_is_flagged_and_a_model_trained_on_bnn2qs_scaling_is_not(
        digits, digits_model_path, unit_range_model_path):
    import bnn2q

    message = check_input_range(bnn2q.load(unit_range_model_path), digits.x_test, digits.y_test, "digits")
    assert message is not None and "probably trained on [0, 1]" in message and "Rescaling" in message
    assert check_input_range(bnn2q.load(digits_model_path), digits.x_test, digits.y_test, "digits") is None


def test_run_warns_in_one_line_and_still_runs(capsys, unit_range_model_path):
    code = cli.run(["run", str(unit_range_model_path), "--dataset", "digits", "--samples", "50", "--shots", "5"])
    out, err = capsys.readouterr()
    assert code == 0 and "accuracy" in out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bnn2q: warning: the model scores"), err
