#!/usr/bin/env bash
# The sweeps behind docs/results.md's "paper's model" sections (resumable: rerun to finish).
# The paper's recipe: real-weight MLPs of equal width, no bias, no batch-norm, trained from
# scratch at each quantumness with SGD (lr 0.01, momentum 0.9, batch 64, 10 epochs) and the
# hard-tanh straight-through estimator, on 5,000 training images; validated on the whole test
# split with 15 shots per image (averaged logits, one 15-shot vote, single shots).
#   examples/paper_sweeps.sh [OUT_DIR] [WORKERS]
set -euo pipefail
OUT=${1:-docs/sweeps}
WORKERS=${2:-1}
BNN2Q=${BNN2Q:-bnn2q}
COMMON=(--family paper --optimizer sgd --epochs 10 --shots 15 --vote 15 --seeds 5 --workers "$WORKERS")
GS=0.01,0.02,0.03,0.05,0.07,0.1,0.14,0.2,0.3,0.45,0.7,1,pi/2

# Finding 1: error vs the paper's a (= 2τ), rotation, both surrogate gradients.
$BNN2Q sweep 784-512-512-10 --dataset fashion-mnist --train-sizes 5000 "${COMMON[@]}" \
  --gradient htanh,expected --a 0,0.1,0.2,0.5,1,1.5,2 -o "$OUT/paper-fashion-rotation"
$BNN2Q sweep 64-64-64-10 --dataset digits --train-sizes 500,1437 "${COMMON[@]}" \
  --gradient htanh,expected --a 0,0.1,0.2,0.5,1,1.5,2 -o "$OUT/paper-digits-rotation"

# Finding 2: error vs g with memory (ancilla) and without (ancilla-reset), 2 and 3 hidden layers.
$BNN2Q sweep 784-512-512-10 --dataset fashion-mnist --train-sizes 5000 "${COMMON[@]}" \
  --gradient htanh --activation ancilla,ancilla-reset --g "$GS" -o "$OUT/paper-fashion-ancilla-2"
$BNN2Q sweep 784-512-512-512-10 --dataset fashion-mnist --train-sizes 5000 "${COMMON[@]}" \
  --gradient htanh --activation ancilla,ancilla-reset --g "$GS" -o "$OUT/paper-fashion-ancilla-3"
$BNN2Q sweep 64-64-64-10 --dataset digits --train-sizes 1437 "${COMMON[@]}" \
  --gradient htanh --activation ancilla,ancilla-reset --g "$GS" -o "$OUT/paper-digits-ancilla-2"
$BNN2Q sweep 64-64-64-64-10 --dataset digits --train-sizes 1437 "${COMMON[@]}" \
  --gradient htanh --activation ancilla,ancilla-reset --g "$GS" -o "$OUT/paper-digits-ancilla-3"
