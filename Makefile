# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
STAMP := $(VENV)/.installed
RASA_ENV := RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=3
TRAIN := $(RASA_ENV) $(RASA) train --data bot/data --domain domain.yml --config config.yml --out bot/models

.PHONY: setup run train validate test test-unit test-e2e test-rasa test-integration nlu-report clean

setup: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml scripts/make_venv.sh
	scripts/make_venv.sh
	touch $@

# Trains only when config, domain, training data or the NLU components
# changed since the newest model in bot/models (scripts/train_if_changed.py).
train: setup
	$(PY) scripts/train_if_changed.py -- env $(TRAIN)

validate: setup
	$(RASA_ENV) $(RASA) data validate --data bot/data --domain domain.yml --config config.yml --fail-on-warnings

run: setup train
	scripts/run_all.sh

test-unit: setup
	$(PY) -m pytest -q -m "not e2e and not integration" tests

test-e2e: setup train
	scripts/ensure_chromium.sh
	$(PY) -m pytest -q -m e2e tests

# Dialogue and NLU evaluation on the held-out sets in tests/.
test-rasa: setup train
	scripts/rasa_test.sh

# Refresh the committed held-out NLU scores (docs/reports/).
nlu-report: setup train
	$(RASA_ENV) $(RASA) test nlu --model bot/models --nlu tests/nlu --out results/nlu --no-plot
	$(PY) scripts/nlu_report.py results/nlu

test: validate test-unit train test-rasa test-e2e

test-integration: setup
	$(PY) -m pytest -q -m integration tests

# Quality, speed and cost against a stock-Rasa baseline: bench/report.md.
bench: setup train
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .rasa results var bot/models/*.tar.gz

# Bounded soak run of the full stack on loopback (issue 7): bench/soak.md, bench/soak.json.
# `make soak SOAK_SECONDS=120` for a shorter run.
SOAK_SECONDS ?= 180
.PHONY: soak
soak: setup train
	$(PY) bench/soak.py --duration $(SOAK_SECONDS)

# Turn latency over one 1,000-turn conversation, session window off and on
# (bench/long_conversation.md).
.PHONY: bench-long
bench-long: setup train
	$(PY) bench/long_conversation.py
