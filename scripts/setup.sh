#!/usr/bin/env bash
# Set up the project on a fresh machine: a virtualenv in .venv with pinned packages.
#   bash scripts/setup.sh           runtime only (the chat UI, the CLI)
#   bash scripts/setup.sh --test    plus test tools and Debian's chromium for the browser test
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
if [ "${1:-}" = "--test" ]; then
  .venv/bin/pip install -q -r requirements-dev.txt
  if ! command -v chromium >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q chromium >/dev/null
  fi
else
  .venv/bin/pip install -q -r requirements.txt
fi
# the ONNX Runtime copies of both models (the default backends), made once from the local weights
HF_HUB_OFFLINE=1 .venv/bin/python -m rag prepare
echo "setup done: $(.venv/bin/python --version), packages in .venv"
