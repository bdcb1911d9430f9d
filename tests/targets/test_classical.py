"""At τ = 0 and g = π/2 every shot of a compiled program is the Larq model's hidden signs,
and the host readout is the model's prediction (SPEC §3), on each backend."""

import math

import numpy as np
import pytest

import bnn2q


def larq_hidden_bits(model, x):
    """Sign bits of every hidden BatchNormalization output of a dense Larq model."""
    from bnn2q.frontends.tf_env import import_tf

    _, keras, _ = import_tf()
    bns = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)][:-1]
    probe = keras.Model(model.inputs, [layer.output for layer in bns])
    outs = probe(x[None].astype(np.float32), training=False)
    return np.concatenate([(np.asarray(o)[0] >= 0).astype(np.uint8) for o in outs])


@pytest.mark.parametrize("backend,activation", [("braket-local", "rotation"), ("aer", "rotation"),
                                                ("braket-local", "ancilla"), ("aer", "ancilla"),
                                                ("braket-local", "ancilla-reset"), ("quantinuum-local", "rotation"),
                                                ("quantinuum-local", "ancilla"), ("quantinuum-local", "ancilla-reset")])
def test_classical_program_is_the_larq_model(small_model, small_net, digits, backend, activation):
    xs = digits.x_test[:3]
    result = bnn2q.targets.execute(small_net, xs, backend=backend, activation=activation,
                                   quantumness=0.0, g=math.pi / 2, shots=4, seed=0)
    predictions = np.argmax(small_model.predict(xs, verbose=0), axis=-1)
    np.testing.assert_array_equal(result.predictions, predictions)
    for i, x in enumerate(xs):
        bits = np.concatenate([b[i] for b in result.bits], axis=1)
        assert (bits == larq_hidden_bits(small_model, x)).all()
