# Two commands for a new user: `make lab` and `make test`. Both create .venv
# and install the tested versions (constraints.txt) the first time.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))

# Quiet TensorFlow's C++ logs in every kernel these targets start.
export TF_CPP_MIN_LOG_LEVEL ?= 3
export KERAS_BACKEND ?= tensorflow
# Plots render to files, never to a window.
export MPLBACKEND ?= Agg
export PYTHONHASHSEED ?= 0

.PHONY: help setup lab test test-fast notebooks lint own-data bench clean

help:
	@echo "make lab        set up .venv if needed, open JupyterLab on notebooks/"
	@echo "make test       set up if needed, run unit tests, doctests and every notebook (nbval)"
	@echo "make notebooks  re-execute every notebook in place (stored outputs from one clean run)"
	@echo "make lint       ruff over helpers/, tests/, benchmarks/ and the notebooks"
	@echo "make own-data   run lessons 02-05 on your CSV with papermill (see README)"
	@echo "make bench      measure the performance budget, write benchmarks/results.json"

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $@

# Jupyter refuses to run as root unless told; containers and CI machines often are root.
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest

# Unit tests and doctests only, without executing the notebooks.
test-fast: $(STAMP)
	$(BIN)/python -m pytest helpers tests -m "not slow"

notebooks: $(STAMP)
	$(BIN)/python -m helpers._execute $(NOTEBOOKS)

lint: $(STAMP)
	$(BIN)/ruff check helpers tests benchmarks notebooks
	$(BIN)/ruff format --check helpers tests benchmarks

# Your own CSV through lessons 02-05 (see README, "Use your own data").
own-data: $(STAMP)
	@test -n "$(CSV)" -a -n "$(TIME)" -a -n "$(TARGET)" || { \
	  echo "usage: make own-data CSV=my.csv TIME=date TARGET=sales [FEATURES=sales,price]"; \
	  echo "       [SEASONAL=12] [WINDOW=24] [HORIZON=1] [EPOCHS=30] [SEED=42] [LESSONS=02,04]"; \
	  exit 2; }
	$(BIN)/python -m helpers.own_data "$(CSV)" --time-column "$(TIME)" --target-column "$(TARGET)" \
	  $(if $(FEATURES),--feature-columns "$(FEATURES)") $(if $(SEASONAL),--seasonal-period $(SEASONAL)) \
	  $(if $(WINDOW),--window $(WINDOW)) $(if $(HORIZON),--horizon $(HORIZON)) \
	  $(if $(EPOCHS),--epochs $(EPOCHS)) $(if $(SEED),--seed $(SEED)) $(if $(LESSONS),--lessons $(LESSONS))

# The performance budget, measured side by side; writes benchmarks/results.json.
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf outputs .pytest_cache
