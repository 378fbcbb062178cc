#!/usr/bin/env bash
# `make quickstart`: the quick start on the project's stand-in assets.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"
"${PYTHON:-python}" demo/quickstart.py "$@"
