"""The classical controller: what the host computes between measurements.

- ``kernels``: NumPy evaluation of every deterministic op (everything but a neuron's
  measurement), batched over any leading axes; ``classical`` evaluates the general nonlinear
  steps (``ir.nonlinear``: clips, max/min, products, multi-bit quantizers) it dispatches to;
- ``forward``: a network's steps on the host — the encoder of one sample, and a forward pass
  measured layer by layer (what the layerwise strategy runs between circuits);
- ``inputs``: the samples a network reads, shaped and checked.

The simulator, the passes that bake inputs in, and the targets' runners all call these, so
host, simulator and compiler cannot disagree on the glue between measurements."""
