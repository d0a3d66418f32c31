#!/bin/sh
# Builds the Verilator models with compiler profile feedback in build directory $1
# (default: build): the per-cycle code instrumented, a training run of ioe-bench's
# simulation-speed rows (an idle card and a XIVE trigger load), then the per-cycle code
# rebuilt with the profile. Further arguments are the targets of the final build (default:
# all). The directory keeps IOE_VMODEL_PROFILE=use; -DIOE_VMODEL_PROFILE= turns it off.
set -eu
b=${1:-build}
[ $# -gt 0 ] && shift
src=$(cd "$(dirname "$0")/.." && pwd)
jobs=${JOBS:-2}
cmake -S "$src" -B "$b" -DIOE_VMODEL_PROFILE=generate
dir=$(sed -n 's/^IOE_VMODEL_PROFILE_DIR:PATH=//p' "$b/CMakeCache.txt")
rm -rf "$dir"
cmake --build "$b" -j"$jobs" --target ioe-bench
"$b/host/ioe-bench" --sim-speed --speed-runs 1 --speed-cycles ${IOE_PGO_CYCLES:-200000} --no-progress
cmake -S "$src" -B "$b" -DIOE_VMODEL_PROFILE=use
if [ $# -gt 0 ]; then
  for t in "$@"; do set -- "$@" --target "$t"; shift; done
fi
cmake --build "$b" -j"$jobs" "$@"
