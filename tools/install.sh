#!/usr/bin/env bash
# One-command set-up of the OpenMMLab 2.x stack for mmjotr.
#
#   bash tools/install.sh            # installs whatever is missing, then mmjotr (editable)
#   PYTHON=/path/to/python bash tools/install.sh
#
# Idempotent: every step first checks whether its result is already there, so a
# second run finishes in seconds. Facts encoded here (measured on the project's
# 2-core CPU machines, Python 3.11):
#   * a working torch is kept (GPU users bring their own); otherwise torch 2.14.1 +
#     torchvision 0.29.1 (the 2.13.0 CPU wheel has no torchvision that imports beside it);
#   * numpy<2, opencv<5, setuptools>=77.0.3,<81 (torch 2.14 needs >=77.0.3, mmcv's
#     setup.py and mmpose.apis need pkg_resources, gone in 81);
#   * mmcv 2.1.0 must be built from source with ops (mmdet 3.3.0 refuses mmcv>=2.2.0;
#     mmcv-lite has no mmcv.ops). torch>=2.10 headers demand C++20 while mmcv 2.1.0
#     hard-codes -std=c++17, so the flag is raised when the torch headers require it.
#     The build takes ~32 min on 2 cores; the wheel is cached under
#     ${XDG_CACHE_HOME:-~/.cache}/mmjotr/wheels keyed by the torch and Python versions;
#   * chumpy (an mmpose dependency) only installs without build isolation;
#   * mmdet 3.3.0, mmpose 1.3.2, smplx, xtcocotools, test tools, then mmjotr itself.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/mmjotr"
CONSTRAINTS="$ROOT/requirements/constraints.txt"
# GNU nproc honours OMP_NUM_THREADS (the Makefile exports 1), so count the online
# cores directly: the mmcv build is the long step and wants every core.
MAX_JOBS="${MAX_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc --all 2>/dev/null || echo 2)}"
export MAX_JOBS
TOTAL_STEPS=9
STEP=0
START_ALL=$SECONDS


log() { printf '[install %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
step() {
    STEP=$((STEP + 1))
    log "($STEP/$TOTAL_STEPS) $*"
}
die() {
    printf '[install] ERROR: %s\n' "$*" >&2
    exit 1
}
trap 'die "step $STEP/$TOTAL_STEPS failed at line $LINENO (command: $BASH_COMMAND)"' ERR

# py_ok CODE: true when the python snippet runs without error (output hidden).
# Checks run from / so that a checkout in the current directory cannot
# shadow the installed packages (mmjotr must resolve to ROOT's editable install).
py_ok() { (cd / && "$PYTHON" -c "$1" >/dev/null 2>&1); }
# dist_version NAME: installed distribution version, empty if absent.
dist_version() {
    (cd / && "$PYTHON" -c "import importlib.metadata as m, sys
try:
    print(m.version(sys.argv[1]))
except m.PackageNotFoundError:
    pass" "$1" 2>/dev/null) || true
}
pip_install() { "${PIP[@]}" install --progress-bar off -c "$CONSTRAINTS" "$@"; }

command -v "$PYTHON" >/dev/null 2>&1 || die "python interpreter '$PYTHON' not found (set PYTHON=...)"
PYTHON="$(cd "$(dirname "$(command -v "$PYTHON")")" && pwd)/$(basename "$(command -v "$PYTHON")")"
PIP=("$PYTHON" -m pip --disable-pip-version-check)
log "python: $("$PYTHON" -c 'import sys; print(sys.executable, sys.version.split()[0])')"

# ---------------------------------------------------------------- fast path
# One interpreter checks every pinned version (package metadata, no imports)
# and then imports the whole stack once: when all is in place the script ends
# here in seconds instead of walking the steps.
STACK_CHECK='
import importlib.metadata as md, os, sys
def v(name):
    try:
        return md.version(name)
    except md.PackageNotFoundError:
        return None
def major(ver):
    return int(ver.split(".")[0])
need = {"mmengine": "0.10.7", "mmcv": "2.1.0", "mmdet": "3.3.0", "mmpose": "1.3.2"}
bad = [n for n, want in need.items() if v(n) != want]
present = ["chumpy", "smplx", "xtcocotools", "einops", "roma", "simplejpeg", "pyrender", "trimesh",
           "onnx", "onnxruntime", "scipy", "matplotlib", "pytest", "pytest-timeout", "pytest-random-order", "flake8", "isort", "yapf", "mmjotr"]
bad += [n for n in present if v(n) is None]
if v("numpy") is None or major(v("numpy")) >= 2: bad.append("numpy<2")
st = tuple(int(x) for x in (v("setuptools") or "0.0").split(".")[:2])
if not (77, 0) <= st < (81, 0): bad.append("setuptools")
if bad: sys.exit("missing or wrong: " + ", ".join(bad))
import warnings; warnings.simplefilter("ignore")
import torch, torchvision.ops, mmcv.ops, mmdet.apis, mmpose.apis, cv2, mmjotr
if major(cv2.__version__) >= 5: sys.exit("opencv>=5")
torchvision.ops.nms(torch.zeros(1, 4), torch.zeros(1), 0.5)
root = os.path.realpath(sys.argv[1])
if os.path.realpath(os.path.dirname(mmjotr.__file__)) != os.path.join(root, "mmjotr"):
    sys.exit("mmjotr is installed from elsewhere: " + mmjotr.__file__)
print("mmjotr", mmjotr.__version__, "| torch", torch.__version__, "| mmcv", mmcv.__version__,
      "| mmdet", mmdet.__version__, "| mmpose", mmpose.__version__)
'
if [ "${MMJOTR_FORCE_STEPS:-0}" != 1 ] && FAST="$(cd / && "$PYTHON" -c "$STACK_CHECK" "$ROOT" 2>/dev/null)"; then
    log "everything already installed: $FAST"
    log "done in $((SECONDS - START_ALL)) s (set MMJOTR_FORCE_STEPS=1 to re-check step by step)"
    exit 0
fi

# ---------------------------------------------------------------- 1. torch
step "torch + torchvision"
if py_ok 'import torch, torchvision; from torchvision.ops import nms; import torch as t; nms(t.zeros(1, 4), t.zeros(1), 0.5)'; then
    log "keeping working torch $(dist_version torch) / torchvision $(dist_version torchvision)"
else
    log "no working torch/torchvision: installing torch==2.14.1 torchvision==0.29.1 (large, a few minutes)"
    "${PIP[@]}" install --progress-bar off torch==2.14.1 torchvision==0.29.1
    py_ok 'import torch, torchvision; from torchvision.ops import nms' \
        || die "torch/torchvision installed but do not import together"
fi

# ---------------------------------------------------------------- 2. base pins
step "numpy<2, setuptools>=77.0.3,<81, opencv<5, build helpers"
need_base=0
py_ok 'import numpy, sys; sys.exit(int(numpy.__version__.split(".")[0]) >= 2)' || need_base=1
py_ok 'import setuptools, sys; v=tuple(int(x) for x in setuptools.__version__.split(".")[:2]); sys.exit(not ((77, 0) <= v < (81, 0)))' || need_base=1
py_ok 'import pkg_resources' || need_base=1
py_ok 'import cv2, sys; sys.exit(int(cv2.__version__.split(".")[0]) >= 5)' || need_base=1
py_ok 'import wheel, Cython' || need_base=1
if [ $need_base = 1 ]; then
    pip_install 'numpy<2' 'setuptools>=77.0.3,<81' 'opencv-python<5' wheel Cython ninja
else
    log "already satisfied"
fi

# ---------------------------------------------------------------- 3. mmengine
step "mmengine 0.10.7"
if [ "$(dist_version mmengine)" = "0.10.7" ] && py_ok 'import mmengine'; then
    log "already installed"
else
    pip_install mmengine==0.10.7
fi
# mmengine pulls opencv-python; make sure a headless twin (if any) also stays <5.
if [ -n "$(dist_version opencv-python-headless)" ] \
    && ! py_ok 'import cv2, sys; sys.exit(int(cv2.__version__.split(".")[0]) >= 5)'; then
    pip_install 'opencv-python-headless<5' 'opencv-python<5'
fi

# ---------------------------------------------------------------- 4. mmcv with ops
step "mmcv 2.1.0 with compiled ops"
if [ "$(dist_version mmcv)" = "2.1.0" ] && py_ok 'import mmcv.ops'; then
    log "already installed (mmcv.ops imports)"
else
    TORCH_TAG="$("$PYTHON" -c 'import torch, sys; print("torch" + torch.__version__.replace("+", "_") + "-py%d%d" % sys.version_info[:2])')"
    WHEEL_DIR="$CACHE/wheels/mmcv-2.1.0-$TORCH_TAG"
    mkdir -p "$WHEEL_DIR"
    if ! ls "$WHEEL_DIR"/mmcv-2.1.0-*.whl >/dev/null 2>&1; then
        BUILD_DIR="$(mktemp -d "${TMPDIR:-/tmp}/mmcv-build.XXXXXX")"
        log "no cached wheel for $TORCH_TAG: building mmcv 2.1.0 from source in $BUILD_DIR"
        log "this takes ~30 min on 2 cores (MAX_JOBS=$MAX_JOBS); later runs reuse $WHEEL_DIR"
        "${PIP[@]}" download --no-deps --no-build-isolation --no-binary mmcv mmcv==2.1.0 -d "$BUILD_DIR"
        tar -xzf "$BUILD_DIR"/mmcv-2.1.0.tar.gz -C "$BUILD_DIR"
        SRC="$BUILD_DIR/mmcv-2.1.0"
        TORCH_INC="$("$PYTHON" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "include"))')"
        if grep -rqs "C++20 or later compatible compiler is required" "$TORCH_INC/c10" "$TORCH_INC/ATen" 2>/dev/null; then
            log "installed torch headers require C++20: patching mmcv's -std=c++14/17 flags"
            sed -i -e 's/-std=c++17/-std=c++20/g' -e 's/-std=c++14/-std=c++20/g' "$SRC/setup.py"
        fi
        # Verbose build into a log; the ninja progress lines ("[units done/total]")
        # are echoed so a long build shows how far it has come.
        BUILD_LOG="$BUILD_DIR/build.log"
        log "compiling with MAX_JOBS=$MAX_JOBS; full build log: $BUILD_LOG"
        rc=0
        (cd "$SRC" && MMCV_WITH_OPS=1 "${PIP[@]}" wheel -v --no-build-isolation --no-deps . -w "$WHEEL_DIR") 2>&1 \
            | tee "$BUILD_LOG" | while IFS= read -r line; do
                if [[ $line =~ ^[[:space:]]*\[([0-9]+)/([0-9]+)\] ]]; then
                    n=${BASH_REMATCH[1]}; t=${BASH_REMATCH[2]}
                    if [ "$n" = 1 ] || [ "$n" = "$t" ] || [ $((n % 5)) = 0 ]; then
                        log "mmcv build: $n/$t units compiled"
                    fi
                fi
            done || rc=$?
        [ "$rc" = 0 ] || die "mmcv build failed (exit $rc); last lines of $BUILD_LOG:
$(tail -n 30 "$BUILD_LOG")"
        cp "$BUILD_LOG" "$WHEEL_DIR/build.log" 2>/dev/null || true
        rm -rf "$BUILD_DIR"
    else
        log "using cached wheel from $WHEEL_DIR"
    fi
    "${PIP[@]}" install --progress-bar off --no-deps --force-reinstall "$WHEEL_DIR"/mmcv-2.1.0-*.whl
    # mmcv's own runtime dependencies (addict, yapf, ...) without touching torch.
    pip_install addict packaging Pillow pyyaml yapf
    py_ok 'import mmcv.ops' || die "mmcv 2.1.0 installed but 'import mmcv.ops' fails: $("$PYTHON" -c 'import mmcv.ops' 2>&1 | tail -1)"
fi

# ---------------------------------------------------------------- 5. chumpy
step "chumpy (no build isolation; never imported by mmjotr)"
if [ -n "$(dist_version chumpy)" ]; then
    log "already installed"
else
    pip_install --no-build-isolation chumpy
fi

# ---------------------------------------------------------------- 6. mmdet
step "mmdet 3.3.0"
if [ "$(dist_version mmdet)" = "3.3.0" ]; then
    log "already installed"
else
    pip_install mmdet==3.3.0
fi

# ---------------------------------------------------------------- 7. mmpose
step "mmpose 1.3.2"
if [ "$(dist_version mmpose)" = "1.3.2" ]; then
    log "already installed"
else
    pip_install mmpose==1.3.2
fi

# ---------------------------------------------------------------- 8. runtime + test deps
step "smplx, xtcocotools, einops, roma, simplejpeg, pyrender (optional GL), onnx/onnxruntime (optional export), test and lint tools"
if py_ok 'import importlib.metadata as m; [m.version(n) for n in ("smplx", "xtcocotools", "einops", "roma", "simplejpeg", "pyrender", "trimesh", "onnx", "onnxruntime", "scipy", "matplotlib", "pytest", "pytest-timeout", "pytest-random-order", "flake8", "isort", "yapf")]'; then
    log "already installed"
else
    pip_install -r "$ROOT/requirements/runtime.txt" -r "$ROOT/requirements/tests.txt" \
        -r "$ROOT/requirements/optional.txt"
fi

# ---------------------------------------------------------------- 9. mmjotr
step "mmjotr (editable)"
if py_ok "import mmjotr, os, sys; sys.exit(os.path.realpath(os.path.dirname(mmjotr.__file__)) != os.path.realpath('$ROOT/mmjotr'))" \
    && [ -n "$(dist_version mmjotr)" ]; then
    log "already installed from $ROOT"
else
    "${PIP[@]}" install --progress-bar off --no-deps --no-build-isolation -e "$ROOT"
fi

log "checking that the stack imports together"
if ! OUT="$(cd / && "$PYTHON" -W ignore -c 'import mmjotr, mmcv.ops, mmdet.apis, mmpose.apis; import mmcv, mmdet, mmpose, mmengine, torch; print("mmjotr", mmjotr.__version__, "| torch", torch.__version__, "| mmengine", mmengine.__version__, "| mmcv", mmcv.__version__, "| mmdet", mmdet.__version__, "| mmpose", mmpose.__version__)' 2>&1)"; then
    die "final import check failed: $OUT"
fi
log "$OUT"
log "done in $((SECONDS - START_ALL)) s"
