#!/usr/bin/env bash
# cmake --install into a scratch prefix; the installed ioectl runs there with no
# LD_LIBRARY_PATH (install RPATH relative to the binary), and again after the whole tree is
# moved to a second prefix (relocatable); then build a program against the installed libioe
# three ways (pkg-config shared, pkg-config static, CMake package) and run it.
set -euo pipefail
build_dir=$1
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
prefix=$scratch/first
cmake --install "$build_dir" --prefix "$prefix" >/dev/null
unset LD_LIBRARY_PATH

# the installed programs, from the first prefix and from a second one after a move
run_installed() {
  local p=$1 out
  out=$("$p/bin/ioectl" info --target soft) || { echo "$p/bin/ioectl info --target soft failed"; exit 1; }
  grep -q "^card id" <<<"$out" || { echo "unexpected ioectl output from $p: $out"; exit 1; }
  "$p/bin/ioe-bench" --help >/dev/null || { echo "$p/bin/ioe-bench --help failed"; exit 1; }
  # ioe-simd serves a card on a socket that the installed ioectl reaches (sim:unix), and
  # the installed libioe finds it next to itself for sim:spawn
  "$p/bin/ioe-simd" --help >/dev/null || { echo "$p/bin/ioe-simd --help failed"; exit 1; }
  "$p/bin/ioe-simd" --card soft --listen "$scratch/simd.sock" --once 2>/dev/null &
  local simd=$!
  for _ in $(seq 100); do [ -S "$scratch/simd.sock" ] && break; sleep 0.05; done
  out=$("$p/bin/ioectl" info --target "sim:unix:$scratch/simd.sock") ||
    { echo "$p/bin/ioectl info --target sim:unix failed"; exit 1; }
  grep -q "^card id" <<<"$out" || { echo "unexpected ioectl output over sim:unix: $out"; exit 1; }
  wait "$simd" || { echo "ioe-simd --once did not exit cleanly"; exit 1; }
  out=$(IOE_SIMD= "$p/bin/ioectl" info --target sim:spawn:soft 2>/dev/null) ||
    { echo "$p/bin/ioectl info --target sim:spawn:soft failed"; exit 1; }
  grep -q "^card id" <<<"$out" || { echo "unexpected ioectl output over sim:spawn: $out"; exit 1; }
  echo "installed ioectl and ioe-simd run from $p"
}
run_installed "$prefix"
mv "$prefix" "$scratch/second"
run_installed "$scratch/second"
prefix=$scratch/second # the rest (pkg-config, CMake package) from the moved tree

for f in include/ioe/card.h include/ioe/regs.h bin/ioectl bin/ioe-simd; do
  [ -e "$prefix/$f" ] || { echo "missing $f after install"; exit 1; }
done
libdir=$(dirname "$(find "$prefix" -name ioe.pc)")/..
ls "$libdir"/libioe.so* "$libdir"/libioe.a >/dev/null

cat > "$prefix/consumer.c" <<'C'
#include <stdio.h>
#include <ioe/card.h>
#include <ioe/regs.h>
int main(void)
{
    struct ioe_card *c;
    struct ioe_card_info in;
    if (ioe_card_open("sim", &c) || ioe_card_info(c, &in) || in.id != IOE_CORE_ID_RESET)
        return 1;
    ioe_card_close(c);
    puts("consumer ok");
    return 0;
}
C
export PKG_CONFIG_PATH="$libdir/pkgconfig"
cc -Wall -Werror -o "$prefix/consumer-shared" "$prefix/consumer.c" $(pkg-config --cflags --libs ioe)
LD_LIBRARY_PATH="$libdir" "$prefix/consumer-shared"
cc -Wall -Werror -o "$prefix/consumer-static" "$prefix/consumer.c" $(pkg-config --cflags ioe) \
  "$libdir/libioe.a" $(pkg-config --static --libs-only-l ioe | sed 's/-lioe//')
"$prefix/consumer-static"

mkdir -p "$prefix/cm"
cat > "$prefix/cm/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.20)
project(consumer C)
find_package(ioe REQUIRED)
add_executable(consumer ../consumer.c)
target_link_libraries(consumer PRIVATE ioe::ioe)
CM
cmake -S "$prefix/cm" -B "$prefix/cm/build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$prefix/cm/build" >/dev/null
LD_LIBRARY_PATH="$libdir" "$prefix/cm/build/consumer"
echo "install test passed"
