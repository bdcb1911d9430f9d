"""A peer's side of bench/lce.py, in a process of its own: Larq Compute Engine (run by
``.venv-lce/bin/python``: LCE 0.16, TensorFlow 2.16, tf_keras) or Keras ``predict`` (the main
environment's TensorFlow). It never imports bnn2q, and no peer's thread pools share a process
with the simulator.

Reads one JSON command per line on stdin, answers one JSON line on stdout:

    {"op": "load", "model": "m.h5", "batch": B, "engine": "lce" | "keras"}
                                                      lce: convert the .h5 at a fixed batch B with
                                                      lce.convert_keras_model; one Interpreter per
                                                      configuration (2 threads); keras: the model,
                                                      predict at batch_size B (config "predict")
    {"op": "run", "x": "x.npy", "config": NAME, "out": "y.npy"}   predict every row, B at a
                                                      time; answers wall and process-CPU seconds
    {"op": "quit"}

Configurations: use_indirect_bgemm on/off × use_xnnpack on/off (the float layers through
XNNPack or TFLite's own kernels)."""

from __future__ import annotations

import json
import os
import sys
import time

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

CONFIGS = {
    "bgemm": dict(use_indirect_bgemm=False, use_xnnpack=False),
    "indirect-bgemm": dict(use_indirect_bgemm=True, use_xnnpack=False),
    "bgemm+xnnpack": dict(use_indirect_bgemm=False, use_xnnpack=True),
    "indirect-bgemm+xnnpack": dict(use_indirect_bgemm=True, use_xnnpack=True),
}
THREADS = int(os.environ.get("LCE_THREADS", "2"))


def _load(path: str, batch: int, engine: str) -> dict:
    import larq  # noqa: F401  (registers Larq's layers for deserialization)
    import tensorflow as tf

    if engine == "keras":
        model = tf.keras.models.load_model(path, compile=False)
        return {"predict": lambda x: model.predict(x, batch_size=batch, verbose=0)}
    import larq_compute_engine as lce

    class InputLayer(tf.keras.layers.InputLayer):
        """Reads the InputLayer of tf_keras ≥ 2.17 (its ``optional`` flag, always False here)."""

        def __init__(self, *args, optional=False, **kwargs):
            super().__init__(*args, **kwargs)

    model = tf.keras.models.load_model(path, compile=False, custom_objects={"InputLayer": InputLayer})
    fixed = tf.keras.models.clone_model(model, input_tensors=tf.keras.Input(batch_shape=(batch,) + model.input_shape[1:]))
    fixed.set_weights(model.get_weights())
    flatbuffer = lce.convert_keras_model(fixed)
    from larq_compute_engine.tflite.python.interpreter import Interpreter

    return {name: lambda x, i=Interpreter(flatbuffer, num_threads=THREADS, **flags): _run(i, x, batch)
            for name, flags in CONFIGS.items()}


def _run(interpreter, x: np.ndarray, batch: int) -> np.ndarray:
    outs = []
    for lo in range(0, len(x), batch):
        chunk = x[lo: lo + batch]
        if len(chunk) < batch:  # the converted model has a fixed batch: pad the last chunk
            chunk = np.concatenate([chunk, np.zeros((batch - len(chunk),) + chunk.shape[1:], chunk.dtype)])
        outs.append(interpreter.interpreter.predict([chunk])[0][: len(x) - lo])
    return np.concatenate(outs)


def main() -> None:
    interpreters, batch = {}, 1
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["op"] == "quit":
            break
        if cmd["op"] == "load":
            batch = int(cmd["batch"])
            interpreters = _load(cmd["model"], batch, cmd.get("engine", "lce"))
            reply = {"configs": list(interpreters)}
        else:
            x = np.load(cmd["x"]).astype(np.float32)
            wall, cpu = time.perf_counter(), time.process_time()
            y = interpreters[cmd["config"]](x)
            reply = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
            if cmd.get("out"):
                np.save(cmd["out"], y)
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
