#!/usr/bin/env bash
# The GPU check of the webgpu backend, as ONE command for a lent GPU machine (no network, maybe no
# Node there), and as a dry run on any machine (no adapter: the webgpu columns say so, the cpu,
# wasm and PyTorch parts still run). Build what it carries first, here:
#   npx tsx scripts/gpu-check-bundle.ts      # -> build/gpu-check/ (about 36 MiB, git-ignored)
# then run, from the repository root:
#   bash bench/gpu-check.sh                  # uses build/gpu-check/gpu-check.cjs
#   bash bench/gpu-check.sh --source         # runs bench/gpu-check/main.ts through tsx instead
# On the device machine: carry build/gpu-check; the command is `bash bench/gpu-check.sh`.
#
# Steps, each bounded in time: facts about the machine; Node (the system's, else the carried
# build/gpu-check/node.xz, unpacked in /tmp); Dawn (build/gpu-check/webgpu, unpacked in /tmp and
# found through NODE_PATH, so the carried folder stays small); a Vulkan set-up
# that finds an adapter (as found, then the carried loader in build/gpu-check/gl/lib, then the
# NVIDIA driver's ICD file); PyTorch's step time at batch 32 and at the large batch (python3
# with torch; CUDA when it sees a GPU); whether a process that used webgpu ends by itself; then
# bench/gpu-check/main.ts, whose summary ends the output. Logs and JSON go to $OUT (device) or
# build/gpu-check-out (here). Environment: GPU_CHECK_BUDGET_S (default 330, the Node part's
# budget), GPU_CHECK_LARGE_BATCH (256), GPU_CHECK_EPOCHS (4), GPU_CHECK_CARRIED_NODE=1 (use the
# carried Node even where one is installed), MMCKD_PYTHON (the Python with torch).
set -u
cd "$(dirname "$0")/.." || exit 2
BUNDLE=build/gpu-check
RESULTS=${OUT:-build/gpu-check-out}
BUDGET=${GPU_CHECK_BUDGET_S:-330}
LARGE=${GPU_CHECK_LARGE_BATCH:-256}
EPOCHS=${GPU_CHECK_EPOCHS:-4}
SOURCE=0
[ "${1:-}" = "--source" ] && SOURCE=1
mkdir -p "$RESULTS"
ERRLOG=$RESULTS/stderr.txt # what the probes and PyTorch print on stderr (Dawn's Vulkan warnings)
: >"$ERRLOG"
T0=$(date +%s)
say() { echo "[gpu-check +$(( $(date +%s) - T0 )) s] $*"; }

unxz_to() { # unxz_to FILE.xz DEST: xz when present, else Python's lzma
  if command -v xz >/dev/null; then xz -dc "$1" >"$2"; else python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; fi
}

echo "== facts"
date -u '+%Y-%m-%dT%H:%M:%SZ'
uname -srm
echo "cpus: $(nproc)"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "nvidia-smi: none"
ldconfig -p 2>/dev/null | grep -m1 'libvulkan.so.1 ' || echo "libvulkan.so.1: not in the linker cache"
ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/nvidia/share/vulkan/icd.d 2>/dev/null | tr '\n' ' '; echo

# Node: the system's, else the carried one.
NODE=$(command -v node || true)
if [ -z "$NODE" ] || [ "${GPU_CHECK_CARRIED_NODE:-0}" = 1 ]; then
  if [ -f "$BUNDLE/node.xz" ]; then
    mkdir -p /tmp/mmckd-node && unxz_to "$BUNDLE/node.xz" /tmp/mmckd-node/node && chmod +x /tmp/mmckd-node/node && NODE=/tmp/mmckd-node/node
  fi
fi
[ -n "$NODE" ] || { say "no Node: none installed and $BUNDLE/node.xz absent (run npx tsx scripts/gpu-check-bundle.ts here first)"; exit 2; }
say "node: $NODE $("$NODE" --version)"

# What runs: the bundle (with Dawn unpacked beside it), or the sources through tsx.
if [ "$SOURCE" = 1 ]; then
  ENTRY=(node_modules/tsx/dist/cli.mjs bench/gpu-check/main.ts)
else
  [ -f "$BUNDLE/gpu-check.cjs" ] || { say "$BUNDLE/gpu-check.cjs is missing: run npx tsx scripts/gpu-check-bundle.ts"; exit 2; }
  if [ -f "$BUNDLE/webgpu/dawn.node.xz" ]; then
    W=/tmp/mmckd-gpu-check/node_modules/webgpu
    mkdir -p "$W/dist/linux-x64" && cp "$BUNDLE/webgpu/index.js" "$BUNDLE/webgpu/package.json" "$W/" &&
      unxz_to "$BUNDLE/webgpu/dawn.node.xz" "$W/dist/linux-x64/dawn.node" && export NODE_PATH=/tmp/mmckd-gpu-check/node_modules
  fi
  ENTRY=("$BUNDLE/gpu-check.cjs")
fi
# The kit's OpenBLAS kernel pack, where it is built (not carried: it needs libopenblas).
[ -z "${MMCKD_NATIVE:-}" ] && [ -f native/build/Release/mmckd_blas.node ] && export MMCKD_NATIVE=$PWD/native/build/Release/mmckd_blas.node

# Vulkan: keep the first set-up in which Dawn finds an adapter.
GL=$PWD/$BUNDLE/gl/lib
ICD=""
for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  [ -f "$f" ] && ICD=$f && break
done
LIBS=$GL
[ -d /usr/local/nvidia/lib64 ] && LIBS=$LIBS:/usr/local/nvidia/lib64 # the driver's libraries, which its ICD file names
LIBS=$LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
VARIANTS=("")
[ -f "$GL/libvulkan.so.1" ] && VARIANTS+=("LD_LIBRARY_PATH=$LIBS")
[ -n "$ICD" ] && VARIANTS+=("VK_DRIVER_FILES=$ICD VK_ICD_FILENAMES=$ICD" "LD_LIBRARY_PATH=$LIBS VK_DRIVER_FILES=$ICD VK_ICD_FILENAMES=$ICD")
CHOSEN=""
for v in "${VARIANTS[@]}"; do
  echo "-- probe [${v:-as found}]" >>"$ERRLOG"
  line=$(env $v timeout 60 "$NODE" "${ENTRY[@]}" --probe 2>>"$ERRLOG"); rc=$?
  say "Vulkan set-up [${v:-as found}]: ${line:-rc $rc, see stderr.txt}"
  CHOSEN=$v
  [ $rc = 0 ] && break # else the last set-up stays: its reason is the most telling
done
if [ -n "$CHOSEN" ]; then export $CHOSEN; fi
say "running with [${CHOSEN:-as found}]"

# PyTorch, the same step (bench/torch_reference.py), on CUDA when it sees a GPU.
PY=${MMCKD_PYTHON:-}
if [ -z "$PY" ]; then
  for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import torch' 2>/dev/null; then PY=$p; break; fi
  done
fi
TORCH=()
if [ -n "$PY" ]; then
  if "$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then DEV=cuda; S32=30; SL=10; else DEV=cpu; S32=5; SL=2; fi
  for b in 32 "$LARGE"; do
    steps=$S32; [ "$b" = 32 ] || steps=$SL
    echo "-- PyTorch $DEV batch $b" >>"$ERRLOG"
    if timeout 150 "$PY" bench/torch_reference.py --device $DEV --batch "$b" --steps "$steps" --warmup 3 --json >"$RESULTS/torch-$b.json" 2>>"$ERRLOG"; then
      TORCH+=(--torch "$RESULTS/torch-$b.json")
      say "PyTorch ($DEV) batch $b: $("$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); print("%.1f ms per step, torch %s %s" % (r["step_ms"], r["torch"], r.get("device_name") or ""))' "$RESULTS/torch-$b.json")"
    else
      say "PyTorch ($DEV) batch $b failed: $(tail -c 300 "$ERRLOG")"
    fi
  done
else
  say "PyTorch: no python3 with torch (set MMCKD_PYTHON)"
fi

# Does a process that used webgpu end by itself? (the kit's CLI relies on it)
start=$(date +%s)
timeout 20 "$NODE" "${ENTRY[@]}" --exit-probe >"$RESULTS/exit-probe.txt" 2>&1; rc=$?
probe=$(grep -m1 '^exit probe:' "$RESULTS/exit-probe.txt" || tail -c 300 "$RESULTS/exit-probe.txt")
case $rc in
  0) say "${probe}; the process ended by itself after $(( $(date +%s) - start )) s" ;;
  124) say "${probe}; the process did NOT end by itself within 20 s (killed)" ;;
  *) say "exit probe failed (rc $rc): ${probe}" ;;
esac

# The Node check; its summary is the end of the output.
set -o pipefail
timeout $(( BUDGET + 90 )) "$NODE" "${ENTRY[@]}" --out "$RESULTS" --budget-s "$BUDGET" --large-batch "$LARGE" --epochs "$EPOCHS" ${TORCH[@]+"${TORCH[@]}"} 2>&1 | tee "$RESULTS/gpu-check.log"
rc=$?
say "done: exit code $rc (0: every comparison within tolerance; 1: some outside; 124: out of time); results in $RESULTS"
exit $rc
