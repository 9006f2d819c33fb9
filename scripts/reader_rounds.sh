#!/usr/bin/env bash
# Measure a candidate reader end to end, the way the ship rule asks, without touching the shipped one:
#   bash scripts/reader_rounds.sh NAME MODEL_DIR|shipped SET...
# SET: shipped, xquad, or a probe folder under docs/probes (fresh50a, news4, ...).
# A frozen copy of the project in runs/rounds/NAME gets MODEL_DIR as its models/reader (or the shipped reader),
# is recalibrated for it (`rag calibrate --reader trained --reranker trained`, the entry the default settings use;
# not for "shipped", which keeps its own), then `rag eval` writes runs/v/NAME/SET per set. Compare two rounds with
#   .venv/bin/python -m rag compare runs/v/shipped runs/v/NAME --markdown
# Probe indexes are built once in runs/idx/SET and shared by all rounds. THREADS=1 lets two rounds share 2 cores.
# A long job: run it under nohup, never in CI. Sets already measured (report.json there) are skipped.
set -euo pipefail
[ $# -ge 3 ] || { sed -n 2,10p "$0"; exit 2; }
NAME="$1"; MODEL="$2"; shift 2
if [ "$MODEL" != shipped ]; then
  [ -f "$MODEL/model.safetensors" ] || { echo "error: no model.safetensors in $MODEL" >&2; exit 2; }
  MODEL="$(cd "$MODEL" && pwd)"
fi
cd "$(dirname "$0")/.."
ROOT="$PWD"
THREADS="${THREADS:-2}"
export HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 RAG_SHARED="${RAG_SHARED:-$(cd "$ROOT/.." && pwd)/shared}"
COPY="$ROOT/runs/rounds/$NAME"; OUT="$ROOT/runs/v/$NAME"
mkdir -p "$OUT" "$ROOT/runs/idx"
if [ ! -d "$COPY" ]; then
  rm -rf "$COPY.tmp"; mkdir -p "$COPY.tmp/models"     # a copy left half made by a crash is made again
  cp -r rag corpus embeddings app.py "$COPY.tmp/"
  cp -r models/reranker "$COPY.tmp/models/"
  if [ "$MODEL" = shipped ]; then cp -r models/reader "$COPY.tmp/models/"; else cp -r "$MODEL" "$COPY.tmp/models/reader"; fi
  ln -s "$ROOT/.venv" "$COPY.tmp/.venv"
  mkdir -p models/onnx && ln -s "$ROOT/models/onnx" "$COPY.tmp/models/onnx"   # ONNX copies are keyed by weights
  if [ "$MODEL" != shipped ]; then
    (cd "$COPY.tmp" && .venv/bin/python -m rag calibrate --reader trained --reranker trained --threads "$THREADS") \
      > "$OUT/calibrate.log" 2>&1
  fi
  mv "$COPY.tmp" "$COPY"     # only a calibrated copy is ever used
fi
# a round's name stands for one reader: another reader under the same name would be measured as the old one
WANT="$([ "$MODEL" = shipped ] && echo "$ROOT/models/reader" || echo "$MODEL")/model.safetensors"
cmp -s "$WANT" "$COPY/models/reader/model.safetensors" || {
  echo "error: runs/rounds/$NAME holds another reader than $WANT; pick another NAME or remove it" >&2; exit 2; }
cd "$COPY"
for set in "$@"; do
  [ -f "$OUT/$set/report.json" ] && continue
  case "$set" in
    shipped) args=(--questions corpus/questions.jsonl) ;;
    xquad) args=(--questions "$RAG_SHARED/benchmarks/xquad_en/questions.jsonl"
                 --corpus "$RAG_SHARED/benchmarks/xquad_en/corpus.jsonl" --index "$ROOT/runs/idx/xquad") ;;
    *) [ -f "$ROOT/docs/probes/$set/questions.jsonl" ] || { echo "error: no set $set" >&2; exit 2; }
       args=(--questions "$ROOT/docs/probes/$set/questions.jsonl" --corpus "$ROOT/docs/probes/$set/corpus"
             --index "$ROOT/runs/idx/$set") ;;
  esac
  .venv/bin/python -m rag eval "${args[@]}" --out "$OUT/$set" --quiet --threads "$THREADS" > "$OUT/$set.log" 2>&1 \
    || { echo "error: rag eval failed on $set, see $OUT/$set.log" >&2; exit 1; }
  echo "$NAME $set: $(sed -n 2p "$OUT/$set.log")"
done
