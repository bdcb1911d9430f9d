# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make demo   # builds .venv from requirements.lock, trains/loads the digits BNN, prints the quantumness table
#   make test   # the test suite (what CI runs)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
UV_VERSION := 0.13.9
STAMP  := $(VENV)/.installed

# The optional Helios environment (Guppy, Selene, qnexus) needs Python 3.12: python3.12 on PATH,
# else pyenv's 3.12.
PYTHON312 ?= $(shell for p in python3.12 $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12*/bin/python 2>/dev/null); do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && { command -v $$p; break; }; done)
HELIOS := .venv-helios
HELIOS_STAMP := $(HELIOS)/.installed
# The optional Larq Compute Engine environment (LCE 0.16 needs TensorFlow 2.16): bench/lce.py only.
LCE := .venv-lce
LCE_STAMP := $(LCE)/.installed

.PHONY: demo test lock data clean bench helios helios-lock bench-quantinuum lce lce-lock bench-lce docs

$(STAMP): requirements.lock requirements-zoo.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --isolated --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync -q --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps --require-hashes -r requirements-zoo.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $@

demo: $(STAMP)
	$(BIN)/python examples/demo.py

# Fashion-MNIST comes from Debian's dataset-fashion-mnist; installed when we may, else its tests skip.
data:
	@test -d /usr/share/datasets/fashion-mnist || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  (apt-get install -y -q dataset-fashion-mnist >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q dataset-fashion-mnist >/dev/null 2>&1)) ; } || \
	  echo "note: dataset-fashion-mnist not installed; its tests will be skipped (apt-get install dataset-fashion-mnist)"

test: $(STAMP) data
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup

bench: $(STAMP)
	$(BIN)/python bench/simulator.py

# README.md's tables from the code and the committed results (docs/readme_tables.py), and the
# images docs/ shows redrawn from the committed CSVs (docs/replot.py); no training.
docs: $(STAMP)
	$(BIN)/python docs/readme_tables.py
	$(BIN)/python docs/replot.py

lock: $(STAMP)
	$(BIN)/uv pip compile -q --python-version 3.11 --generate-hashes requirements.in -o requirements.lock
	$(BIN)/uv pip compile -q --python-version 3.11 --no-deps --generate-hashes requirements-zoo.in -o requirements-zoo.lock

# Helios (Guppy → HUGR, Selene emulator, qnexus): optional; tests that need it skip without it.
helios: $(HELIOS_STAMP)

$(HELIOS_STAMP): requirements-helios.lock $(STAMP)
	@test -n "$(PYTHON312)" || { echo "make helios: needs Python 3.12 (python3.12 on PATH or pyenv's 3.12; PYTHON312=...)"; exit 1; }
	$(PYTHON312) -m venv $(HELIOS)
	$(BIN)/uv pip sync -q --python $(HELIOS)/bin/python --require-hashes requirements-helios.lock
	touch $@

helios-lock: $(STAMP)
	$(BIN)/uv pip compile -q --python-version 3.12 --generate-hashes requirements-helios.in -o requirements-helios.lock

bench-quantinuum: $(STAMP)
	$(BIN)/python bench/quantinuum.py

# Larq Compute Engine 0.16 (TensorFlow 2.16, tf_keras) beside bnn2q: optional, for bench/lce.py.
lce: $(LCE_STAMP)

$(LCE_STAMP): requirements-lce.lock $(STAMP)
	$(PYTHON) -m venv $(LCE)
	$(BIN)/uv pip sync -q --python $(LCE)/bin/python --require-hashes requirements-lce.lock
	touch $@

lce-lock: $(STAMP)
	$(BIN)/uv pip compile -q --python-version 3.11 --generate-hashes requirements-lce.in -o requirements-lce.lock

bench-lce: $(STAMP) $(LCE_STAMP)
	$(BIN)/python bench/lce.py

clean:
	rm -rf $(VENV) $(HELIOS) $(LCE) build .pytest_cache
