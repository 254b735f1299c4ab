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

.PHONY: help setup lab test test-own-data test-fast test-student test-python test-pythons notebooks lint own-data bench student site browser clean

help:
	@echo "make lab        set up .venv if needed, open JupyterLab on notebooks/"
	@echo "make test       set up if needed, run unit tests, doctests and every notebook (nbval)"
	@echo "make notebooks  re-execute every notebook in place (stored outputs from one clean run)"
	@echo "make lint       ruff over helpers/, tests/, benchmarks/ and the notebooks"
	@echo "make own-data   run lessons 02-09 on your CSV with papermill (see README)"
	@echo "make bench      measure the performance budget, write benchmarks/results.json"
	@echo "make student    write student/NN_*.ipynb: the lessons without their solution cells"
	@echo "make site       write site/: every lesson as an offline web page (open site/index.html)"
	@echo "make test-own-data  every own-data lesson run on the test CSVs (as CI)"
	@echo "make test-pythons  unit tests and the student notebooks on Python 3.12 and 3.13 (as CI)"

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --no-compile -c constraints.txt -e ".[dev]"
	@# pip compiles the modules one at a time (half the install); compileall uses every core.
	@# Like pip, a file that does not compile is listed and skipped, not fatal.
	-$(BIN)/python -m compileall -q -j 0 "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"
	@touch $@

# Jupyter refuses to run as root unless told; containers and CI machines often are root.
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_ARGS)

test: $(STAMP) browser
	$(BIN)/python -m pytest -m "not student_edition and not own_data_run"

# Every own-data lesson run to the end on each CSV in tests/data (make test checks only that
# they refuse bad input); CI runs this after make test.
test-own-data: $(STAMP)
	$(BIN)/python -m pytest tests/test_own_data.py -m own_data_run

# The site's test opens every page in Debian's chromium. Installed here when it is missing and
# this user may (root with apt-get, as on CI); elsewhere that one test says how to install it.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the site's browser test"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "note: no chromium: the site's browser test will be skipped (apt-get install chromium)"; fi; }

# The student edition and the website, built from the stored lessons (nothing is re-executed).
student: $(STAMP)
	$(BIN)/python -m helpers._editions student

site: $(STAMP)
	$(BIN)/python -m helpers._editions site

# Every student notebook executed top to bottom with its answer cells empty.
test-student: $(STAMP)
	$(BIN)/python -m pytest tests/test_editions.py -m student_edition $(if $(LESSONS),-k "$(LESSONS)")

# Another supported Python in its own venv (.venv-3.12, ...) with the same locked versions: the
# unit tests, doctests and notebook checks, then the student notebooks named by LESSONS.
# A pyenv shim that is not the global version fails to run, hence the fallback to its folder.
find_python = $(shell for p in python$(1) $$HOME/.pyenv/versions/$(1)*/bin/python$(1); do \
  $$p -c "" >/dev/null 2>&1 && { command -v $$p; break; }; done)

test-python:
	@test -n "$(V)" || { echo "usage: make test-python V=3.12 [LESSONS='00_ or 01_']"; exit 2; }
	@test -n "$(call find_python,$(V))" || { echo "Python $(V) not found"; exit 2; }
	$(MAKE) --no-print-directory setup VENV=.venv-$(V) PYTHON=$(call find_python,$(V))
	.venv-$(V)/bin/python -m pytest helpers tests --ignore=tests/test_own_data.py \
	  -m "not student_edition" -p no:cacheprovider
	$(if $(LESSONS),$(MAKE) --no-print-directory test-student VENV=.venv-$(V) LESSONS="$(LESSONS)")

# What CI runs after `make test` and `make test-student`: on 3.12 and 3.13 the unit tests and
# lessons 00 and 01 as students get them.
test-pythons:
	$(MAKE) --no-print-directory test-python V=3.12 LESSONS="00_ or 01_"
	$(MAKE) --no-print-directory test-python V=3.13 LESSONS="00_ or 01_"

# Unit tests and doctests only, without executing the notebooks.
test-fast: $(STAMP)
	$(BIN)/python -m pytest helpers tests -m "not slow"

notebooks: $(STAMP)
	$(BIN)/python -m helpers._execute $(NOTEBOOKS)

lint: $(STAMP)
	$(BIN)/ruff check helpers tests benchmarks notebooks
	$(BIN)/ruff format --check helpers tests benchmarks

# Your own CSV through lessons 02-09 (see README, "Use your own data").
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
	rm -rf outputs .pytest_cache student site
