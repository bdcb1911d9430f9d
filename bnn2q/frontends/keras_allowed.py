"""What a Keras model file may name: the classes and functions Keras is allowed to rebuild.

Everything a model's config names by ``class_name`` (layers, quantizers, initializers, nested
models) must appear here, or the file is refused before Keras reads it (``keras_file``). The
lists hold built-ins only — tf-keras', Larq's and the few larq-zoo registers — so loading a file
imports nothing and calls nothing its author chose. Lambda layers are absent on purpose: they
carry Python code (marshaled bytecode or a module/function reference)."""

from __future__ import annotations

#: tf-keras layers and models. Left out: Lambda (code), recurrent cells and wrappers (their
#: configs may hold code too), text/lookup layers (read files), attention and embeddings.
KERAS_LAYERS = frozenset("""
    InputLayer Sequential Functional Model
    Dense EinsumDense Conv1D Conv2D Conv3D Convolution1D Convolution2D Convolution3D
    Conv1DTranspose Conv2DTranspose Conv3DTranspose DepthwiseConv1D DepthwiseConv2D
    SeparableConv1D SeparableConv2D LocallyConnected1D LocallyConnected2D
    BatchNormalization LayerNormalization GroupNormalization UnitNormalization Normalization
    Activation ReLU LeakyReLU PReLU ELU ThresholdedReLU Softmax
    Dropout SpatialDropout1D SpatialDropout2D SpatialDropout3D GaussianNoise GaussianDropout
    AlphaDropout ActivityRegularization Masking Identity
    Flatten Reshape Permute RepeatVector Rescaling CenterCrop Resizing
    ZeroPadding1D ZeroPadding2D ZeroPadding3D Cropping1D Cropping2D Cropping3D
    UpSampling1D UpSampling2D UpSampling3D
    MaxPooling1D MaxPooling2D MaxPooling3D MaxPool1D MaxPool2D MaxPool3D
    AveragePooling1D AveragePooling2D AveragePooling3D AvgPool1D AvgPool2D AvgPool3D
    GlobalAveragePooling1D GlobalAveragePooling2D GlobalAveragePooling3D
    GlobalAvgPool1D GlobalAvgPool2D GlobalAvgPool3D
    GlobalMaxPooling1D GlobalMaxPooling2D GlobalMaxPooling3D GlobalMaxPool1D GlobalMaxPool2D GlobalMaxPool3D
    Add Subtract Multiply Average Maximum Minimum Concatenate Dot
""".split())

#: tf-keras initializers, regularizers and constraints (their classes; functions are below).
KERAS_OBJECTS = frozenset("""
    Constant GlorotNormal GlorotUniform HeNormal HeUniform Identity LecunNormal LecunUniform Ones
    Orthogonal RandomNormal RandomUniform TruncatedNormal VarianceScaling Zeros
    L1 L1L2 L2 OrthogonalRegularizer
    MaxNorm MinMaxNorm NonNeg RadialConstraint UnitNorm
""".split())

#: Larq's registered layers, quantizers and constraints.
LARQ_OBJECTS = frozenset("""
    QuantDense QuantConv1D QuantConv2D QuantConv3D QuantDepthwiseConv2D QuantSeparableConv1D
    QuantSeparableConv2D QuantConv2DTranspose QuantConv3DTranspose QuantLocallyConnected1D
    QuantLocallyConnected2D
    SteSign ApproxSign SteHeaviside SwishSign MagnitudeAwareSign SteTern DoReFa DoReFaQuantizer
    NoOp NoOpQuantizer WeightClip
""".split())

#: larq-zoo's registered objects (resolved only where larq-zoo is imported).
ZOO_OBJECTS = frozenset({"BinaryDenseNet"})

#: Functions a config may name as ``{"class_name": "function", "config": NAME}``: Keras
#: activations, initializer/regularizer/constraint aliases, Larq's and larq-zoo's functions.
FUNCTIONS = frozenset("""
    elu exponential gelu hard_sigmoid linear mish relu relu6 selu sigmoid silu softmax softplus
    softsign swish tanh
    constant glorot_normal glorot_uniform he_normal he_uniform identity lecun_normal
    lecun_uniform ones orthogonal random_normal random_uniform truncated_normal variance_scaling zeros
    l1 l1_l2 l2 orthogonal_regularizer max_norm min_max_norm non_neg radial_constraint unit_norm
    ste_sign approx_sign ste_heaviside swish_sign magnitude_aware_sign ste_tern dorefa_quantizer
    weight_clip hard_tanh leaky_tanh
    blurpool_initializer xnor_weight_scale
""".split())

#: TensorFlow ops a ``TFOpLambda``/``SlicingOpLambda`` layer may name (what ``tf.split(x)``,
#: ``x + y`` or ``x[..., :k]`` on a Keras tensor becomes): pure tensor math, no I/O.
TF_OPS = frozenset("""
    split concat reshape identity transpose pad clip_by_value
    __operators__.add __operators__.getitem
    math.add math.subtract math.multiply math.truediv math.negative math.maximum math.minimum
    math.abs math.sign math.reduce_mean math.reduce_sum math.reduce_max nn.relu nn.relu6
""".split())
TF_OP_LAYERS = ("TFOpLambda", "SlicingOpLambda")

#: Plain data that Keras' JSON encodings wrap in ``class_name`` (nothing is imported for them).
DATA = frozenset({"__tuple__", "__ellipsis__", "TensorShape", "__tensor__", "__numpy__", "__bytes__"})

#: Packages a ``module`` entry may name (Keras imports that module to find the class): only
#: installed libraries, and only the names above are looked up in them.
TRUSTED_PACKAGES = frozenset({"keras", "tf_keras", "larq", "larq_zoo", "builtins"})

#: Larq registers its quantizers and constraints under lower-case aliases too ("weight_clip"),
#: and older Keras files name initializers by alias: a function name may stand as a class.
CLASSES = KERAS_LAYERS | KERAS_OBJECTS | LARQ_OBJECTS | ZOO_OBJECTS | FUNCTIONS
