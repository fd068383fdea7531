# newsclaims — every target installs what it needs into .venv on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
CORPUS ?= corpus
STORE  ?= store
JOBS   ?=
PEERS  ?= ../shared/peers/recognizers-text

.PHONY: extract test conformance eval check-annotations bench report review clean-store help

help:
	@echo "make extract      corpus/ -> store/ (JSONL claims store)"
	@echo "make test         the test suite (what CI runs)"
	@echo "make conformance  pass rates on ../shared/peers suites (skips without ../shared)"
	@echo "make eval         store vs annotations/gold: P/R/F1"
	@echo "make report       store/ -> reports/ledger.html (claims across articles) + claims.jsonld"
	@echo "make bench        throughput, memory, scaling figures"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

extract: $(STAMP)
	$(VENV)/bin/newsclaims extract --corpus $(CORPUS) --store $(STORE) $(if $(JOBS),--jobs $(JOBS))

test: $(STAMP)
	$(PY) -m pytest -q

conformance: $(STAMP)
	@if [ -d "$(PEERS)" ]; then \
		mkdir -p reports && $(VENV)/bin/newsclaims conformance --suites $(PEERS) --json reports/conformance.json --failures reports/conformance-failures.jsonl; \
	else echo "conformance: $(PEERS) not found; skipping"; fi

clean-store:
	rm -rf $(STORE)

eval: $(STAMP)
	@test -f $(STORE)/articles.jsonl || $(MAKE) --no-print-directory extract
	$(VENV)/bin/newsclaims eval --store $(STORE) --gold annotations/gold --json reports/eval.json

check-annotations: $(STAMP)
	$(VENV)/bin/newsclaims check-annotations --gold annotations/gold --corpus $(CORPUS)

BENCH_MB ?= 2
$(VENV)/.bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,bench]'
	@touch $@

bench: $(VENV)/.bench
	$(PY) -m newsclaims.bench --mb $(BENCH_MB) --json reports/bench.json

report: $(STAMP)
	@test -f $(STORE)/claims.jsonl || $(MAKE) --no-print-directory extract
	$(VENV)/bin/newsclaims report --store $(STORE) --out reports/ledger.html --jsonl reports/ledger.jsonl
	$(VENV)/bin/newsclaims export-jsonld --store $(STORE) --out reports/claims.jsonld

review: $(STAMP)
	@test -f $(STORE)/claims.jsonl || $(MAKE) --no-print-directory extract
	$(VENV)/bin/newsclaims review --store $(STORE) --annotations annotations
