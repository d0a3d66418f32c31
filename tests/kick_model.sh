#!/bin/sh
# kick_model.sh SPIN MODEL CC: verify the kick model as written (no error may be found) and
# with -DBROKEN (spin must find the lost kick); exit 0 only when both hold.
set -eu
spin=$1 model=$2 cc=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp "$model" "$dir/kick.pml"
cd "$dir"
run() { # $1: extra spin flags; prints pan's error count
    rm -f pan pan.c ./*.trail
    "$spin" -a $1 kick.pml >/dev/null
    "$cc" -O2 -DSAFETY -o pan pan.c
    ./pan -m100000 >out.txt 2>&1 || true
    sed -n 's/.*errors: \([0-9]*\).*/\1/p' out.txt
}
ok=$(run "")
broken=$(run "-DBROKEN")
echo "as written: $ok errors; with the vCPU's order swapped: $broken errors"
[ "$ok" = 0 ] || { cat out.txt; exit 1; }
[ -n "$broken" ] && [ "$broken" -gt 0 ] || exit 1
