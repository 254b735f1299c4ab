# Two commands for a new user: `make lab` and `make test`. Both create .venv and install
# the tested versions (constraints.txt) the first time. Without make, the README's
# "Set up with Python alone" section does the same on Windows, macOS and Linux.
#
# `make help` lists every target: each one's `## ` comment is its line there.
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

.PHONY: help setup lab test test-fast test-own-data test-student test-seeds test-python \
        test-pythons test-floors test-classroom notebooks lint own-data bench student site \
        classroom browser lock clean

help: ## list every target with what it does
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "make %-14s %s\n", $$1, $$2}'

setup: $(STAMP) ## create .venv and install the tested versions (constraints.txt)

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

lab: $(STAMP) ## set up if needed, open JupyterLab on notebooks/
	$(BIN)/python -m jupyter lab --notebook-dir=notebooks $(LAB_ARGS)

test: $(STAMP) ## set up if needed; unit tests, doctests and every lesson (nbval), as plain pytest
	$(BIN)/python -m pytest

test-fast: $(STAMP) ## unit tests and doctests only: no lesson, kernel, server or browser
	$(BIN)/python -m pytest -m "not slow"

test-own-data: $(STAMP) ## every own-data lesson run to the end on the CSVs in tests/data (CI)
	$(BIN)/python -m pytest tests/test_own_data.py -m own_data_run

test-student: $(STAMP) ## every student notebook executed with its answers empty (CI); LESSONS='01_'
	$(BIN)/python -m pytest tests/test_editions.py -m student_edition $(if $(LESSONS),-k "$(LESSONS)")

test-seeds: $(STAMP) ## every lesson at three further seeds; its claims about the method must hold (CI)
	$(BIN)/python -m pytest tests/test_seeds.py -m seeds
	$(BIN)/python -m tools.seed_report outputs/seeds

# Another supported Python in its own venv (.venv-3.12, ...) with the same locked versions: the
# unit tests, doctests and notebook checks (the fast loop: the kernels, servers and browser run
# on 3.11 in make test), then the student notebooks named by LESSONS, executed.
# A pyenv shim that is not the global version fails to run, hence the fallback to its folder.
find_python = $(shell for p in python$(1) $$HOME/.pyenv/versions/$(1)*/bin/python$(1); do \
  $$p -c "" >/dev/null 2>&1 && { command -v $$p; break; }; done)

test-python: ## unit tests on another Python in .venv-V: make test-python V=3.12 [LESSONS='00_']
	@test -n "$(V)" || { echo "usage: make test-python V=3.12 [LESSONS='00_ or 01_']"; exit 2; }
	@test -n "$(call find_python,$(V))" || { echo "Python $(V) not found"; exit 2; }
	$(MAKE) --no-print-directory setup VENV=.venv-$(V) PYTHON=$(call find_python,$(V))
	.venv-$(V)/bin/python -m pytest helpers tests tools -m "not slow" -p no:cacheprovider
	$(if $(LESSONS),$(MAKE) --no-print-directory test-student VENV=.venv-$(V) LESSONS="$(LESSONS)")

test-pythons: ## what CI runs on Python 3.12 and 3.13 (unit tests, lessons 00-01 as students get them)
	$(MAKE) --no-print-directory test-python V=3.12 LESSONS="00_ or 01_"
	$(MAKE) --no-print-directory test-python V=3.13 LESSONS="00_ or 01_"

notebooks: $(STAMP) ## re-execute every lesson in place (stored outputs from one clean run)
	$(BIN)/python -m tools.execute $(NOTEBOOKS)

lint: $(STAMP) ## ruff over helpers/, tools/, tests/, benchmarks/ and the notebooks
	$(BIN)/python -m ruff check helpers tools tests benchmarks notebooks
	$(BIN)/python -m ruff format --check helpers tools tests benchmarks

own-data: $(STAMP) ## lessons 02-10 on your CSV: make own-data CSV=... TIME=... TARGET=... (README)
	@test -n "$(CSV)" -a -n "$(TIME)" -a -n "$(TARGET)" || { \
	  echo "usage: make own-data CSV=my.csv TIME=date TARGET=sales [FEATURES=sales,price]"; \
	  echo "       [SEASONAL=12] [WINDOW=24] [HORIZON=1] [EPOCHS=30] [SEED=42] [LESSONS=02,04]"; \
	  echo "       [SERIES=store] (a long CSV with many series: the column naming each one)"; \
	  exit 2; }
	$(BIN)/python -m tools.own_data "$(CSV)" --time-column "$(TIME)" --target-column "$(TARGET)" \
	  $(if $(FEATURES),--feature-columns "$(FEATURES)") $(if $(SEASONAL),--seasonal-period $(SEASONAL)) \
	  $(if $(WINDOW),--window $(WINDOW)) $(if $(HORIZON),--horizon $(HORIZON)) \
	  $(if $(EPOCHS),--epochs $(EPOCHS)) $(if $(SEED),--seed $(SEED)) $(if $(LESSONS),--lessons $(LESSONS)) \
	  $(if $(SERIES),--series-column "$(SERIES)")

bench: $(STAMP) ## measure the performance budget; writes benchmarks/results.json
	$(BIN)/python benchmarks/run.py

student: $(STAMP) ## write student/NN_*.ipynb: the lessons without their solutions
	$(BIN)/python -m tools.editions student

# The nbgrader course: classroom/nbgrader_config.py and classroom/source/NN_topic/NN_topic.ipynb,
# converted from the stored lessons; the README's "For instructors" says what to run next.
classroom: $(STAMP) ## write classroom/: the nbgrader course of lessons 01-10 (answers, hidden tests)
	$(BIN)/python -m tools.classroom

# For every lesson: nbgrader generate_assignment, then autograde the release with the worked
# answers typed in (full marks) and untouched (fewer), then generate_feedback. Two executions of
# each lesson, one lesson per worker.
test-classroom: $(STAMP) ## nbgrader's round trip on every lesson from 01 on (CI)
	$(BIN)/python -m pytest tests/test_classroom.py -m classroom

site: $(STAMP) ## write site/: every lesson as an offline web page (open site/index.html)
	$(BIN)/python -m tools.editions site

# The site's test opens every page in Debian's chromium. make test never installs anything on
# the system: CI runs this first, as root; elsewhere the test is skipped and says how to install.
browser: ## install Debian's chromium for the site's browser test (root, apt-get; CI runs it)
	@command -v chromium >/dev/null 2>&1 || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The lowest versions pyproject.toml allows, on Python 3.11 in .venv-floors: the unit tests and
# lessons 00 and 01. tools/floors.py writes the pins from pyproject's lower bounds. Other versions
# train other networks, so the lessons' claims about the stored run are recorded there, not
# asserted (helpers.claims); their claims about the method are asserted as everywhere.
test-floors: $(STAMP) ## unit tests and lessons 00-01 at the lowest versions pyproject.toml allows (CI)
	@test -x .venv-floors/bin/python || $(PYTHON) -m venv .venv-floors
	$(BIN)/python tools/floors.py pyproject.toml -o .venv-floors/floors.txt
	.venv-floors/bin/python -m pip install --quiet --upgrade "pip>=24"
	.venv-floors/bin/python -m pip install --quiet -c .venv-floors/floors.txt -e ".[dev]"
	.venv-floors/bin/python -m pytest -p no:cacheprovider -m "not slow"
	HELPERS_NOT_THE_STORED_RUN=1 .venv-floors/bin/python -m pytest -p no:cacheprovider -n 0 \
	  notebooks/00_start_here.ipynb notebooks/01_lstm_gates_from_scratch.ipynb

# constraints.txt, regenerated: the newest versions pyproject.toml allows, resolved on Python
# 3.11 in a fresh venv and frozen; then `make test-pythons` checks the lock on 3.12 and 3.13.
lock: ## regenerate constraints.txt from pyproject.toml's ranges (then run make test-pythons)
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade "pip>=24"
	.venv-lock/bin/python -m pip install --quiet -e ".[dev]"
	.venv-lock/bin/python -m pip freeze --exclude-editable | sort -f > constraints.txt
	rm -rf .venv-lock

clean: ## remove what the targets wrote (outputs/, student/, site/, classroom/)
	rm -rf outputs .pytest_cache student site classroom
