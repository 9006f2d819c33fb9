#!/usr/bin/env bash
# The optional peer frameworks for `python -m rag bench --peers` (Haystack 2.x, LlamaIndex), in a
# virtualenv of their own so the project's .venv is never changed:
#   bash scripts/setup_bench.sh [VENV]      default VENV: .venv-bench
# then:  VENV/bin/python -m rag bench --peers
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${1:-.venv-bench}"
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
"$VENV/bin/pip" install -q -r requirements-bench.txt
# llama-index-retrievers-bm25 (every release up to 0.8.0) declares pystemmer<3, while requirements.txt
# pins PyStemmer 3.1.0; it only calls Stemmer.Stemmer("english"), the same in 3.x, so it goes in
# without its declared dependencies (bm25s and PyStemmer come from requirements.txt).
"$VENV/bin/pip" install -q --no-deps llama-index-retrievers-bm25==0.8.0
echo "setup done: $("$VENV/bin/python" --version), peers in $VENV; run: $VENV/bin/python -m rag bench --peers"
