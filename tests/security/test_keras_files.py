"""Keras model files from strangers run no code: each attack is built here as a real file, and
every way bnn2q opens a model (load, info, run, compile, finetune, sweep, the training loader)
refuses it in one line before Keras deserializes anything — the marker its code would write
never appears, the module it names is never imported."""

from __future__ import annotations

import json
import sys
import zipfile

import numpy as np
import pytest

import bnn2q
from bnn2q.errors import Bnn2qError, FrontendError, InputError

from .conftest import one_line_error, run_cli, run_cli_process

pytestmark = pytest.mark.xdist_group("larq-models")


def _keras():
    from bnn2q.frontends.tf_env import import_tf

    return import_tf()


def _with_lambda(marker):
    """A BNN whose middle layer is a Lambda that writes ``marker`` whenever it runs."""
    _, keras, lq = _keras()
    evil = lambda x, m=str(marker): (open(m, "w").close(), x)[1]  # noqa: E731
    return keras.Sequential([keras.Input((4,)), lq.layers.QuantDense(4, kernel_quantizer="ste_sign", name="quant_dense"),
                             keras.layers.Lambda(evil, name="evil"),
                             lq.layers.QuantDense(3, input_quantizer="ste_sign", kernel_quantizer="ste_sign",
                                                  name="quant_dense_out")])


def _plain(name="plain"):
    _, keras, lq = _keras()
    x = keras.Input((4,))
    h = lq.layers.QuantDense(4, kernel_quantizer="ste_sign", name="d1")(x)
    h = h + lq.layers.QuantDense(4, input_quantizer="ste_sign", kernel_quantizer="ste_sign", name="d2")(h)
    y = lq.layers.QuantDense(3, input_quantizer="ste_sign", kernel_quantizer="ste_sign", name="d3")(h)
    return keras.Model(x, y, name=name)


def _rewrite_archive(src, dst, edit):
    """Copy the .keras archive ``src`` to ``dst`` with ``edit(config)`` applied to config.json."""
    with zipfile.ZipFile(src) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    config = json.loads(members["config.json"])
    edit(config)
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(dst, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return dst


def _zip(path, members: dict):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def _layer(config, name):
    for layer in config["config"]["layers"]:
        if layer["config"].get("name") == name:
            return layer
    raise KeyError(name)


@pytest.fixture(scope="module")
def lambda_files(tmp_path_factory):
    """evil.h5 and evil.keras (marshaled bytecode) and the marker their Lambda would write."""
    folder = tmp_path_factory.mktemp("evil")
    marker = folder / "marker"
    model = _with_lambda(marker)
    model.save(folder / "evil.h5")
    model.save(folder / "evil.keras")
    marker.unlink()  # building the model ran the Lambda once, here, on purpose
    return folder, marker


@pytest.mark.parametrize("name", ["evil.h5", "evil.keras"])
def test_a_lambdas_bytecode_never_runs(lambda_files, name):
    folder, marker = lambda_files
    for load in (bnn2q.load, _training_loader):
        with pytest.raises(FrontendError, match=r"layer 'evil' is a Lambda layer, which carries Python code; "
                                                r"bnn2q runs no code from a model file") as info:
            load(folder / name)
        assert "\n" not in str(info.value)
        assert not marker.exists()


def _training_loader(path):
    from bnn2q.train.keras_io import load_keras_model

    return load_keras_model(path)


@pytest.mark.parametrize("argv", [
    ["info", "{m}"],
    ["run", "{m}", "--dataset", "digits", "--samples", "2", "--shots", "2"],
    ["compile", "{m}", "-o", "{o}/out.qasm"],
    ["finetune", "{m}", "--dataset", "digits", "--epochs", "1", "--train-size", "20", "-o", "{o}/tuned.h5"],
    ["sweep", "{m}", "--dataset", "digits", "--workers", "0", "--epochs", "1", "--seeds", "1",
     "--train-sizes", "20", "--val-size", "10", "-o", "{o}/sweep"],
])
def test_every_command_refuses_the_lambda_before_it_runs(lambda_files, tmp_path, capsys, argv):
    folder, marker = lambda_files
    argv = [a.replace("{m}", str(folder / "evil.h5")).replace("{o}", str(tmp_path)) for a in argv]
    code, _, err = run_cli(capsys, *argv)
    one_line_error(code, err, "layer 'evil' is a Lambda layer")
    assert not marker.exists()
    assert not any(p.suffix in (".qasm", ".h5", ".csv") for p in tmp_path.rglob("*"))


def test_the_console_script_refuses_the_h5_lambda(lambda_files):
    """As a user runs it: a separate process, one line, exit 1, no marker."""
    folder, marker = lambda_files
    proc = run_cli_process("info", folder / "evil.h5")
    assert proc.returncode == 1
    one_line_error(proc.returncode, proc.stderr, r"evil\.h5: layer 'evil' is a Lambda layer")
    assert not marker.exists()


@pytest.mark.parametrize("function, why", [
    ({"module": "this", "class_name": "function", "config": "function", "registered_name": "function"},
     r"names 'function' from module 'this', which is not Keras, Larq or larq-zoo"),
    ({"module": "builtins", "class_name": "function", "config": "print", "registered_name": "function"},
     r"names the function 'builtins.print', which is not a Keras or Larq built-in"),
])
def test_a_keras_archive_imports_and_calls_nothing(lambda_files, tmp_path, capsys, function, why):
    """The .keras loader resolves such references even in safe mode; bnn2q refuses them first —
    as a Lambda's function, and as a Dense layer's activation."""
    folder, _ = lambda_files

    def as_lambda(config):
        layer = _layer(config, "evil")
        layer["config"].update(function=function, function_type="function")

    def as_activation(config):
        _layer(config, "quant_dense")["config"]["activation"] = function

    for k, edit in enumerate((as_lambda, as_activation)):
        path = _rewrite_archive(folder / "evil.keras", tmp_path / f"m{k}.keras", edit)
        with pytest.raises(FrontendError, match=why if k else "layer 'evil'") as info:
            bnn2q.load(path)
        assert "\n" not in str(info.value)
    out, _ = capsys.readouterr()
    assert "Beautiful is better than ugly" not in out and "this" not in sys.modules


def test_a_tensorflow_op_outside_the_tensor_math_is_refused(tmp_path):
    """``x + y`` saves as a TFOpLambda naming '__operators__.add' (admitted); one naming
    'io.write_file' would write a file when Keras rebuilds the model."""
    model = _plain()
    model.save(tmp_path / "plain.keras")
    model.save(tmp_path / "plain.h5")
    for name in ("plain.keras", "plain.h5"):
        assert bnn2q.load(tmp_path / name).n_neurons == 8

    def write_file(config):
        op = next(layer for layer in config["config"]["layers"] if layer["class_name"] == "TFOpLambda")
        op["config"]["function"] = "io.write_file"

    path = _rewrite_archive(tmp_path / "plain.keras", tmp_path / "writes.keras", write_file)
    with pytest.raises(FrontendError, match=r"calls the TensorFlow function 'io.write_file' \(TFOpLambda\), "
                                            r"which is not one of the tensor ops bnn2q admits"):
        bnn2q.load(path)


@pytest.mark.parametrize("entry, why", [
    ({"module": "os", "class_name": "system", "config": {}}, r"names 'system' from module 'os'"),
    ({"module": "keras.layers", "class_name": "Evil", "config": {"name": "e"}, "registered_name": "Custom>Evil"},
     r"names the class Evil \(registered as 'Custom>Evil'\), which is not a Keras, Larq or larq-zoo built-in"),
    ({"class_name": "__lambda__", "config": {"value": "4wEAAAA"}}, r"holds a serialized lambda"),
    ({"class_name": "__typespec__", "spec_name": "X", "module": "tensorflow", "registered_name": None,
      "config": []}, r"names '__typespec__' from module 'tensorflow'"),
])
def test_classes_outside_the_allow_list_are_refused_by_name(lambda_files, tmp_path, entry, why):
    folder, _ = lambda_files

    def inject(config):
        _layer(config, "quant_dense")["config"]["kernel_initializer"] = entry

    with pytest.raises(FrontendError, match=r"layer 'quant_dense' \(kernel_initializer\) " + why):
        bnn2q.load(_rewrite_archive(folder / "evil.keras", tmp_path / "m.keras", inject))


def test_a_lambda_inside_a_nested_model_is_found(tmp_path):
    _, keras, lq = _keras()
    inner = _with_lambda(tmp_path / "marker")
    outer = keras.Sequential([keras.Input((4,)), inner], name="outer")
    outer.save(tmp_path / "nested.h5")
    (tmp_path / "marker").unlink()  # building the models ran the Lambda, here, on purpose
    with pytest.raises(FrontendError, match="layer 'evil' is a Lambda layer"):
        bnn2q.load(tmp_path / "nested.h5")
    assert not (tmp_path / "marker").exists()


def test_declared_sizes_are_checked_before_anything_is_unpacked(lambda_files, tmp_path, monkeypatch):
    """A weight array that declares 4 GB but stores nothing (HDF5 chunks never written), and a
    .keras archive whose members unpack to 200 MB: refused against the budget, not allocated."""
    import h5py

    _plain().save(tmp_path / "big.h5")
    with h5py.File(tmp_path / "big.h5", "a") as f:
        f["model_weights"]["d1"].create_dataset("bomb", shape=(10**9,), dtype="float32", chunks=(1 << 20,),
                                                compression="gzip")
    assert (tmp_path / "big.h5").stat().st_size < 1 << 20
    monkeypatch.setenv("BNN2Q_MEMORY", "1G")
    with pytest.raises(InputError, match=r"the weight arrays in '.*big\.h5' need about 4 GB, more than the 1\.07 GB "
                                         r"available \(BNN2Q_MEMORY=1G\)"):
        bnn2q.load(tmp_path / "big.h5")
    folder, _ = lambda_files
    with zipfile.ZipFile(folder / "evil.keras") as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    with zipfile.ZipFile(tmp_path / "bomb.keras", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        zf.writestr("assets/zeros", bytes(200 << 20))
    monkeypatch.setenv("BNN2Q_MEMORY", "100M")
    with pytest.raises(InputError, match=r"members of '.*bomb\.keras' unpacked need about 210 MB"):
        bnn2q.load(tmp_path / "bomb.keras")


@pytest.mark.parametrize("make, match", [
    (lambda p: p.write_bytes(b"PK\x05\x06" + bytes(18)), r"cannot read Keras model .*: the zip archive holds no "
                                                          r"config\.json and model weights; it is not a \.keras model"),
    (lambda p: _zip(p, {"notes.txt": b"hello"}), r"it is not a \.keras model"),
    (lambda p: p.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(100)), r"cannot read Keras model"),
    (lambda p: p.mkdir(), r"is a directory; give a \.h5, \.keras or \.onnx model file"),
])
def test_damaged_or_foreign_keras_files_are_one_line(tmp_path, capsys, make, match):
    path = tmp_path / "m.keras"
    make(path)
    code, _, err = run_cli(capsys, "info", path)
    one_line_error(code, err, match)


def test_a_truncated_model_and_a_weights_only_file(tmp_path, capsys):
    model = _plain()
    model.save(tmp_path / "m.h5")
    (tmp_path / "cut.h5").write_bytes((tmp_path / "m.h5").read_bytes()[:3000])
    model.save_weights(tmp_path / "w.h5")
    one_line_error(*run_cli(capsys, "info", tmp_path / "cut.h5")[::2], r"cannot read Keras model .*cut\.h5")
    one_line_error(*run_cli(capsys, "info", tmp_path / "w.h5")[::2], r"holds no model config \(weights only\?\)")


def test_models_that_name_only_built_ins_still_load(digits_model_path, tmp_path):
    """The allow-list admits what bnn2q's own, Larq's and the zoo's models are made of."""
    net = bnn2q.load(digits_model_path)
    _, keras, _ = _keras()
    model = keras.models.load_model(digits_model_path, compile=False)
    model.save(tmp_path / "digits.keras")
    x = np.random.default_rng(0).uniform(-1, 1, (50, 64))
    a = bnn2q.simulate(net, x, shots=1).predictions
    b = bnn2q.simulate(bnn2q.load(tmp_path / "digits.keras"), x, shots=1).predictions
    np.testing.assert_array_equal(a, b)
    assert isinstance(FrontendError("x"), Bnn2qError)
