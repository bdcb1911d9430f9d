"""larq-zoo's architectures, as users bring them: built with ``weights=None`` at the smallest
input size each accepts, with batch-norm statistics re-drawn so the signs are not trivial.

larq-zoo imports zookeeper, whose dataset helpers import ``tensorflow_datasets`` at module level;
the tfds releases zookeeper allows (< 4.9) do not import beside TensorFlow 2.21's protobuf, and
model building never touches them. ``import_zoo`` therefore registers an empty
``tensorflow_datasets`` module carrying the two names zookeeper's type annotations read —
nothing of larq-zoo's models is replaced."""

from __future__ import annotations

import sys
import types

import numpy as np

#: name → (larq_zoo module, smallest input shape that builds: the first multiple of 32, as in larq-zoo's
#: own examples; some build from odd smaller sizes, e.g. QuickNet from 29×29, with degenerate maps).
MODELS = {
    "BinaryAlexNet": ("literature", (64, 64, 3)),
    "XNORNet": ("literature", (224, 224, 3)),
    "BiRealNet": ("literature", (32, 32, 3)),
    "BinaryResNetE18": ("literature", (32, 32, 3)),
    "BinaryDenseNet28": ("literature", (32, 32, 3)),
    "BinaryDenseNet37": ("literature", (32, 32, 3)),
    "BinaryDenseNet37Dilated": ("literature", (32, 32, 3)),
    "BinaryDenseNet45": ("literature", (32, 32, 3)),
    "MeliusNet22": ("literature", (32, 32, 3)),
    "RealToBinaryNet": ("literature", (32, 32, 3)),
    "DoReFaNet": ("literature", (64, 64, 3)),
    "QuickNetSmall": ("sota", (32, 32, 3)),
    "QuickNet": ("sota", (32, 32, 3)),
    "QuickNetLarge": ("sota", (32, 32, 3)),
}
#: Models whose larq-zoo build holds Python Lambdas (larq-zoo's ``TFOpLayer`` wraps ``tf.split``
#: and ``tf.concat`` in one; Real-to-Binary Net names each block's output with an identity
#: Lambda): ``build(name, tf_ops=True)`` builds the same network with those written as TensorFlow
#: ops on Keras tensors (TFOpLambda layers, readable as data) — larq-zoo's own factory, only
#: those methods replaced.
TF_OP_VARIANTS = ("MeliusNet22", "RealToBinaryNet")


def import_zoo():
    if "tensorflow_datasets" not in sys.modules:
        stub = types.ModuleType("tensorflow_datasets")
        stub.decode = types.SimpleNamespace(Decoder=type("Decoder", (), {}), SkipDecoding=type("SkipDecoding", (), {}))
        sys.modules["tensorflow_datasets"] = stub
    import larq_zoo

    return larq_zoo


def build(name: str, seed: int = 1234, tf_ops: bool = False):
    """The model and 20 inputs (N(0, 1), channels-last); ``tf_ops``: the TF-op variant (see
    TF_OP_VARIANTS)."""
    from bnn2q.frontends.tf_env import import_tf

    tf, keras, _ = import_tf()
    zoo = import_zoo()
    module, shape = MODELS[name]
    keras.utils.set_random_seed(seed)
    kwargs = dict(input_shape=shape, weights=None, include_top=True, num_classes=10)
    if tf_ops:
        model = _tf_op_factory(name, tf)(input_tensor=None, **kwargs).build()
    else:
        model = getattr(getattr(zoo, module), name)(**kwargs)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(20,) + shape).astype(np.float32)
    _redraw_batchnorm(model, x[:16], rng, keras)
    for layer in model.layers:
        bias = getattr(layer, "bias", None)
        if bias is not None and not np.any(bias.numpy()):
            bias.assign(0.1 * rng.normal(size=bias.shape).astype(np.float32))
    return model, x


def _tf_op_factory(name: str, tf):
    """larq-zoo's factory of ``name`` with its Lambda-building methods rewritten as TF ops."""
    from zookeeper import factory

    import_zoo()
    if name == "MeliusNet22":
        from larq_zoo.literature.meliusnet import MeliusNet22Factory

        @factory
        class MeliusNet22TfOps(MeliusNet22Factory):
            def group_conv(self, x, filters, kernel, groups, name=None):
                parts = tf.split(x, groups, axis=-1)
                convs = [tf.keras.layers.Conv2D(filters // groups, kernel, padding="same", use_bias=False,
                                                kernel_initializer=self.kernel_initializer, name=f"{name}_conv{i}")(p)
                         for i, p in enumerate(parts)]
                return tf.concat(convs, axis=-1)

            def dense_block(self, x, name=None):
                w = self.quant_conv(self.norm(x, name=f"{name}_bn"), 64, 3, name=f"{name}_binconv")
                return tf.concat([x, w], axis=-1)

            def improvement_block(self, x, name=None):
                w = self.quant_conv(self.norm(x, name=f"{name}_bn"), 64, 3, name=f"{name}_binconv")
                return x + tf.pad(w, [[0, 0], [0, 0], [0, 0], [int(x.shape[-1]) - 64, 0]])

        return MeliusNet22TfOps
    from larq_zoo.literature.real_to_bin_nets import RealToBinNetBNNFactory

    @factory
    class RealToBinaryNetTfOps(RealToBinNetBNNFactory):
        def block(self, x, downsample=False, name=""):
            x = self.half_binary_block(x, downsample=downsample, name=f"{name}a")
            return self.half_binary_block(x, downsample=False, name=f"{name}b")  # no identity Lambda

    return RealToBinaryNetTfOps


def _redraw_batchnorm(model, x, rng, keras):
    """Statistics near the ones each batch-norm really sees (one pass with identity
    batch-norms), perturbed: mean + 0.2 sd · N(0, 1), variance · U(0.5, 2), γ = ±U(0.5, 1.5)
    (a quarter negative), β = 0.2 · N(0, 1)."""
    bns = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    probe = keras.Model(model.inputs, [layer.input for layer in bns])
    outs = probe.predict(x, verbose=0)
    for layer, v in zip(bns, outs if isinstance(outs, list) else [outs]):
        axes = tuple(range(v.ndim - 1))
        mean, var = v.mean(axis=axes), v.var(axis=axes) + 1e-3
        n = mean.shape[0]
        layer.moving_mean.assign((mean + 0.2 * np.sqrt(var) * rng.normal(size=n)).astype(np.float32))
        layer.moving_variance.assign((var * rng.uniform(0.5, 2.0, n)).astype(np.float32))
        if layer.scale:
            layer.gamma.assign((rng.uniform(0.5, 1.5, n) * np.where(rng.random(n) < 0.25, -1, 1)).astype(np.float32))
        if layer.center:
            layer.beta.assign((0.2 * rng.normal(size=n)).astype(np.float32))
