"""Open a Keras model file as data before Keras reads it: nothing in it runs, nothing it
declares is allocated past the memory budget.

Keras rebuilds a model by importing and calling what the file's config names: tf-keras'
legacy ``.h5`` loader runs a Lambda layer's marshaled bytecode whatever safe mode says, the
``.keras`` loader imports any module that a ``{"module": …, "class_name": "function"}`` entry
names, and a ``TFOpLambda`` layer calls any TensorFlow function by its name. So the config —
the ``.h5`` root attribute ``model_config``, the ``.keras`` archive's ``config.json`` — is
parsed here as plain JSON and walked, nested models included. Any object outside
``keras_allowed`` is refused in one line naming the layer and why, and the sizes the file
declares (archive members, weight arrays) are checked against the budget. Only then does
Keras load the file — the very ``h5py.File`` that was checked, or the archive by the same rule
Keras uses to pick its loader — in safe mode, so a Python ``lambda`` is refused twice."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from .. import budget
from ..errors import FrontendError
from . import keras_allowed as allowed

#: The members of a ``.keras`` archive Keras reads its model from.
CONFIG_MEMBER = "config.json"
WEIGHT_MEMBERS = ("model.weights.h5", "model.weights.npz")


def load_keras_file(path: Path):
    """The tf.keras model in ``path`` (.h5/.hdf5/.keras), checked first (module docstring)."""
    from .tf_env import import_tf

    _tf, keras, _ = import_tf()
    path = Path(path)
    source = str(path)
    if path.suffix.lower() == ".keras" and zipfile.is_zipfile(path):  # Keras' own rule
        check_config(_archive_config(path, source), source)
        return _keras_load(keras, str(path), source)
    import h5py

    try:
        f = h5py.File(path, "r")
    except Exception as exc:  # OSError for truncated or foreign files, among others
        raise _unreadable(source, exc) from None
    with f:
        check_config(_h5_config(f, source), source)
        _check_h5_sizes(f, f"the weight arrays in {source!r}")
        return _keras_load(keras, f, source)


def _keras_load(keras, where, source: str):
    try:
        from tf_keras.src.saving.serialization_lib import SafeModeScope
    except ImportError:  # another tf-keras layout: load_model's own safe_mode still applies
        import contextlib

        SafeModeScope = contextlib.nullcontext  # noqa: N806
    try:
        with SafeModeScope(True):
            return keras.models.load_model(where, compile=False, safe_mode=True)
    except Exception as exc:  # Keras raises many types for corrupt or foreign files
        raise _unreadable(source, exc) from None


def _unreadable(source: str, exc: BaseException) -> FrontendError:
    text = [line for line in str(exc).strip().splitlines() if line.strip()]
    line = text[0].strip() if text else type(exc).__name__
    line = line if len(line) <= 200 else line[:197] + "..."
    return FrontendError(f"cannot read Keras model {source!r}: {line}; is it a complete Larq/Keras model file?")


# --------------------------------------------------------------------------- reading the config


def _h5_config(f, source: str):
    raw = f.attrs.get("model_config")
    if raw is None:
        raise FrontendError(f"cannot read Keras model {source!r}: it holds no model config (weights only?); "
                            "save the whole model with model.save")
    if hasattr(raw, "decode"):
        raw = raw.decode("utf-8", errors="replace")
    return _parse(str(raw), source)


def _archive_config(path: Path, source: str):
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            names = [m.filename for m in members]
            if CONFIG_MEMBER not in names or not any(w in names for w in WEIGHT_MEMBERS):
                raise FrontendError(f"cannot read Keras model {source!r}: the zip archive holds no "
                                    f"{CONFIG_MEMBER} and model weights; it is not a .keras model")
            # Keras unpacks every member (to memory or a temporary folder): bound the total first.
            budget.check(sum(m.file_size for m in members), f"the {len(members)} members of {source!r} unpacked",
                         "this archive is not a model bnn2q can read on this machine")
            raw = zf.read(CONFIG_MEMBER)
            if "model.weights.h5" in names:
                _check_inner_h5(zf, source)
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError) as exc:
        raise _unreadable(source, exc) from None
    return _parse(raw.decode("utf-8", errors="replace"), source)


def _check_inner_h5(zf, source: str) -> None:
    import h5py

    with zf.open("model.weights.h5") as member, h5py.File(member, "r") as f:
        _check_h5_sizes(f, f"the weight arrays in {source!r}")


def _check_h5_sizes(f, what: str) -> None:
    """The bytes every array in the HDF5 file declares, against the budget (a compressed or
    unwritten array may declare far more than the file holds)."""
    import h5py

    total = 0

    def add(_name, obj):
        nonlocal total
        if isinstance(obj, h5py.Dataset):
            total += int(obj.size or 0) * int(obj.dtype.itemsize)

    f.visititems(add)
    budget.check(total, what, "the file declares arrays larger than this machine can hold; it is not a "
                              "model bnn2q can read here")


def _parse(text: str, source: str):
    try:
        config = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise FrontendError(f"cannot read Keras model {source!r}: its model config is not JSON ({exc})") from None
    if not isinstance(config, dict) or "class_name" not in config:
        raise FrontendError(f"cannot read Keras model {source!r}: its model config names no model class")
    # compile=False: Keras drops the top-level compile_config (optimizer, losses) unread.
    config.pop("compile_config", None)
    return config


# --------------------------------------------------------------------------- walking it


def check_config(config, source: str) -> None:
    """Refuse, in one line, the first object in ``config`` Keras would run code for."""
    try:
        _walk(config, source, None, ())
    except RecursionError:
        raise FrontendError(f"{source}: the model config is nested too deeply to be a model bnn2q reads") from None


def _walk(obj, source: str, layer: str | None, where: tuple) -> None:
    if isinstance(obj, list):
        for item in obj:
            _walk(item, source, layer, where)
        return
    if not isinstance(obj, dict):
        return
    if "class_name" in obj:
        inner = obj.get("config")
        name = inner.get("name") if isinstance(inner, dict) else None
        if obj.get("class_name") in allowed.KERAS_LAYERS | allowed.LARQ_OBJECTS | allowed.ZOO_OBJECTS \
                | {"Lambda", *allowed.TF_OP_LAYERS} and isinstance(name, str):
            layer, where = name, ()
        _check_object(obj, source, layer, where)
    for key, value in obj.items():
        _walk(value, source, layer, where + (str(key),) if isinstance(value, (dict, list)) else where)


def _check_object(obj: dict, source: str, layer: str | None, where: tuple) -> None:
    cls = obj["class_name"]
    inner = obj.get("config")
    module = obj.get("module")
    registered = obj.get("registered_name")

    def refuse(why: str, fix: str = "bnn2q opens model files as data and runs no code from them"):
        place = f"layer {layer!r}" if layer else "the model"
        if where and where[-1] != "layers":
            place += f" ({'.'.join(k for k in where if k != 'config')})"
        raise FrontendError(f"{source}: {place} {why}; {fix}")

    if not isinstance(cls, str):
        refuse(f"names a class that is not a string ({type(cls).__name__})")
    if module is not None and (not isinstance(module, str) or module.split(".")[0] not in allowed.TRUSTED_PACKAGES):
        refuse(f"names {cls!r} from module {module!r}, which is not Keras, Larq or larq-zoo")
    if cls in allowed.DATA:
        return
    if cls == "Lambda":
        refuse("is a Lambda layer, which carries Python code",
               "bnn2q runs no code from a model file: rebuild the model with Keras layers (Add, Concatenate, ...)")
    if cls in ("__lambda__", "__typespec__", "TypeSpec", "CompositeTensor"):
        refuse(f"holds a serialized {cls.strip('_')} (Python code or an importable type)")
    if cls == "function":
        fn = inner if isinstance(inner, str) else None
        if fn not in allowed.FUNCTIONS or registered not in (None, "function", fn):
            refuse(f"names the function {_dotted(module, inner)}, which is not a Keras or Larq built-in")
        return
    if cls in allowed.TF_OP_LAYERS:
        op = inner.get("function") if isinstance(inner, dict) else None
        if op not in allowed.TF_OPS:
            refuse(f"calls the TensorFlow function {op!r} ({cls}), which is not one of the tensor ops "
                   f"bnn2q admits ({', '.join(sorted(allowed.TF_OPS))})")
        return
    if cls not in allowed.CLASSES or registered not in (None, cls):
        shown = cls if registered in (None, cls) else f"{cls} (registered as {registered!r})"
        refuse(f"names the class {shown}, which is not a Keras, Larq or larq-zoo built-in bnn2q admits",
               "bnn2q runs no code from a model file: use built-in layers (a custom class would run its "
               "author's code)")


def _dotted(module, name) -> str:
    text = name if isinstance(name, str) else json.dumps(name)[:60]
    return repr(f"{module}.{text}" if isinstance(module, str) else text)
