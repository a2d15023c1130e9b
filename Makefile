# Test entry points for the incident_io.status_page collection.
#
#   make test                         everything, on every ansible-core release in ANSIBLE_MATRIX
#   make sanity|units|integration     one ansible-test command (ANSIBLE_MATRIX=2.19 for one release)
#   make lint                         ansible-lint (production), antsibull-docs and antsibull-changelog lint
#   make emulator-test                the emulator's contract tests
#   make browser-test                 the subscriber's page view in headless Chromium
#   make docs                         the documentation site, offline, into docs/build/html
#   make packaging-test               Galaxy build/install, galaxy-importer, ansible-builder, AWX-style job
#   make demo [KEEP=1]                a deploy wrapped in a maintenance window, against the emulator
#   make bench [RUNS=3]               request counts and timings against the emulator (prints a table)
#   make mutation                     mutation testing (mutmut) of plugins/ with the unit tests; ~30 min, not in test
#   make venvs                        only build the pinned virtual environments under .venv/
#   make lock                         re-pin tests/utils/*.txt from tests/utils/*.in
#   make clean                        remove .venv/, tests/output/ and caches
#
# Variables:
#   ANSIBLE_MATRIX   ansible-core releases to test, default "2.19 2.21" (2.19 runs on Python 3.11,
#                    2.21 on Python 3.13 or 3.12)
#   TARGETS          extra ansible-test arguments, e.g. TARGETS=status_page_incident or
#                    TARGETS="--test pylint" or TARGETS="-v tests/unit/plugins/modules/test_x.py"
#   KEEP_TREE=1      keep the temporary ansible_collections/incident_io/status_page copies
#   PYTHON           interpreter that runs the harness (any Python 3.9+), default python3

PYTHON ?= python3
ANSIBLE_MATRIX ?= 2.19 2.21
TARGETS ?=
KEEP_TREE ?=

HARNESS = $(PYTHON) tests/utils/harness.py --matrix "$(ANSIBLE_MATRIX)" $(if $(KEEP_TREE),--keep-tree)

.PHONY: all test sanity units integration lint emulator-test browser-test docs packaging-test venvs lock mutation demo bench clean help

all: test

test:
	$(HARNESS) test

sanity units integration:
	$(HARNESS) $@ -- $(TARGETS)

lint emulator-test browser-test docs packaging-test venvs lock mutation:
	$(HARNESS) $@

demo:
	@$(PYTHON) tests/utils/harness.py --matrix "$(firstword $(ANSIBLE_MATRIX))" demo -- $(if $(filter 1 yes true,$(KEEP)),--keep)

RUNS ?= 3
bench:
	@$(PYTHON) tests/utils/harness.py --matrix "$(firstword $(ANSIBLE_MATRIX))" bench -- --runs $(RUNS)

clean:
	rm -rf .venv tests/output .ansible .pytest_cache docs/build
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +

help:
	@sed -n '1,/^$$/p' Makefile | sed -n 's/^# \{0,1\}//p'
