# Front door to the test sessions of noxfile.py (run `.venv/nox/bin/nox --list` for all of them).
#
#   make test                         everything, on every ansible-core release in ANSIBLE_MATRIX
#   make sanity|units|integration     one ansible-test command (ANSIBLE_MATRIX=2.19 for one release)
#   make lint                         ansible-lint, antsibull-docs, antsibull-changelog, docs/bad-input.md
#   make emulator-test                the emulator's own tests (every pytest file under tests/emulator)
#   make browser-test                 the subscriber's page view in headless Chromium
#   make docs                         the documentation site, offline, into docs/build/html
#   make packaging-test               Galaxy build/install, galaxy-importer, ansible-builder, AWX-style job
#   make demo [KEEP=1]                a deploy wrapped in a maintenance window, against the emulator
#   make bench [RUNS=3]               request counts and timings against the emulator (prints a table)
#   make nox SESSIONS="a b" [ARGS=]   any nox sessions, e.g. SESSIONS=ansible-test-units-2.19 ARGS=-v
#   make mutation                     mutation testing (mutmut) of plugins/ with the unit tests; ~20 min, not in test
#   make venvs                        only build the virtual environments of the sessions
#   make lock                         re-pin tests/utils/*.txt from tests/utils/*.in
#   make clean                        remove .venv/, .nox/, tests/output/ and caches
#
# Variables:
#   ANSIBLE_MATRIX   ansible-core releases to test, default "2.19 2.21 2.22" (2.19 runs on Python 3.11,
#                    2.21 on 3.12, 2.22 on 3.13); integration runs on the oldest and the newest only
#                    (INTEGRATION_RELEASES, default "2.19 2.22")
#   JOBS             sessions `make test` runs at the same time, default 2 (one per core)
#   TARGETS          extra ansible-test arguments, e.g. TARGETS=status_page_incident or
#                    TARGETS="--test pylint" or TARGETS="-v tests/unit/plugins/modules/test_x.py"
#   BOOTSTRAP_PYTHON Python 3.11 that builds .venv/nox (the runner), default pyenv's

ANSIBLE_MATRIX ?= 2.19 2.21 2.22
INTEGRATION_RELEASES ?= 2.19 2.22
JOBS ?= 2
TARGETS ?=
SESSIONS ?=
ARGS ?=

PYENV_VERSIONS := $(or $(PYENV_ROOT),$(HOME)/.pyenv)/versions
# nox runs the sessions without a Python of their own (the lint tools) on this interpreter, and an ansible-test
# session on it when it suits the release: 3.11, the only one that runs both 2.19 and the tools' pins.
# pyenv's shims fail without PYENV_VERSION: its versions directory comes first.
BOOTSTRAP_PYTHON ?= $(or $(lastword $(wildcard $(PYENV_VERSIONS)/3.11*/bin/python3.11)),$(shell command -v python3.11))
NOX_VENV := .venv/nox
NOX := $(NOX_VENV)/bin/nox
LINT_SESSIONS := ansible-lint docs-check changelog-lint bad-input-table
matrix = $(foreach release,$(if $(filter integration,$(1)),$(filter $(INTEGRATION_RELEASES),$(ANSIBLE_MATRIX)),$(ANSIBLE_MATRIX)),ansible-test-$(1)-$(release))

.PHONY: all test sanity units integration lint emulator-test browser-test docs packaging-test demo bench nox mutation venvs lock clean help

all: test

# The runner itself: nox and antsibull-nox, pinned, rebuilt when the pins change.
$(NOX_VENV)/.installed: tests/utils/nox.txt
	@test -n "$(BOOTSTRAP_PYTHON)" || { echo "no Python 3.11 found (set BOOTSTRAP_PYTHON)"; exit 2; }
	rm -rf $(NOX_VENV)
	$(BOOTSTRAP_PYTHON) -m venv $(NOX_VENV)
	$(NOX_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r tests/utils/nox.txt
	touch $@

# The sessions are independent (each integration session starts its own emulator), so JOBS of them run at once,
# each in a nox process of its own; the longest start first. nox prints each session's output when it ends, and
# every session's outcome and wall time at the end.
test: $(NOX_VENV)/.installed
	$(NOX) --parallel $(JOBS) --allow-parallel --sessions $(call matrix,integration) \
	  $(call matrix,sanity) $(call matrix,units) packaging emulator browser docs $(LINT_SESSIONS)

sanity units integration: $(NOX_VENV)/.installed
	$(NOX) --sessions $(call matrix,$@) -- $(TARGETS)

lint: $(NOX_VENV)/.installed
	$(NOX) --sessions $(LINT_SESSIONS)

emulator-test browser-test packaging-test: $(NOX_VENV)/.installed
	$(NOX) --sessions $(patsubst %-test,%,$@)

docs: $(NOX_VENV)/.installed
	$(NOX) --sessions docs

demo: $(NOX_VENV)/.installed
	@$(NOX) --sessions demo -- $(if $(filter 1 yes true,$(KEEP)),--keep)

RUNS ?= 3
bench: $(NOX_VENV)/.installed
	@$(NOX) --sessions bench -- --runs $(RUNS)

mutation: $(NOX_VENV)/.installed
	$(NOX) --sessions mutation

nox: $(NOX_VENV)/.installed
	$(NOX) --sessions $(SESSIONS) -- $(ARGS)

venvs: $(NOX_VENV)/.installed
	$(NOX) --install-only

lock: $(NOX_VENV)/.installed
	$(NOX) --sessions lock lock-emulator-test

clean:
	rm -rf .venv .nox tests/output .ansible .pytest_cache docs/build
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +

help:
	@sed -n '1,/^$$/p' Makefile | sed -n 's/^# \{0,1\}//p'
