#!/usr/bin/env bash
# Runs the test suite on the CPU with one thread per process (an smplx forward
# is ~25x slower with torch's default thread count on 2 cores).
# Extra arguments go to pytest, e.g. `bash tools/run_tests.sh -m slow`.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
PYTHON="${PYTHON:-python}"

"$PYTHON" -m pytest tests "$@"
rc=$?
if [ $rc -eq 5 ]; then
    echo 'pytest collected no tests (exit code 5): treated as a failure' >&2
    exit 1
fi
exit $rc
