#!/usr/bin/env bash
# Builds the libFuzzer harnesses (CMake option ENSEMBLEKIT_FUZZ, clang++-14 with libFuzzer, ASan and
# UBSan; one executable per fuzz/fuzz_<name>.cc) and runs each for a bounded time from its seed
# corpus fuzz/corpus/<name>/. Fails on any crash, timeout, out-of-memory, leak or sanitizer report;
# the input that caused it is left in build-fuzz/artifacts/.
#
#   scripts/fuzz.sh [seconds per harness, default 60] [harness names... default all]
#   CXX=clang++-15 scripts/fuzz.sh     another clang
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
cxx="${CXX:-clang++-14}"
command -v "$cxx" >/dev/null || { echo "fuzz: $cxx not found (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 1; }

cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release -DENSEMBLEKIT_FUZZ=ON \
  -DENSEMBLEKIT_OPENMP=OFF -DENSEMBLEKIT_AVX512=OFF >/dev/null
cmake --build build-fuzz -j 2

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for src in fuzz/fuzz_*.cc; do names+=("$(basename "$src" .cc)"); done
fi
mkdir -p build-fuzz/artifacts
status=0
for exe in "${names[@]}"; do
  exe="${exe#fuzz_}"; name="$exe"; exe="fuzz_$exe"
  seeds="fuzz/corpus/$name"
  work="build-fuzz/corpus/$name"   # new inputs land here, the committed seeds stay untouched
  mkdir -p "$work" "$seeds"
  log="build-fuzz/$exe.log"
  echo "=== $exe: ${seconds}s from $(ls "$seeds" | wc -l) seeds"
  rc=0
  # -seed: fixed (EK_FUZZ_SEED, default 1) so a CI run explores the same way each time; EK_FUZZ_SEED=0
  # asks libFuzzer for a random one (longer local runs).
  # -rss_limit_mb also caps single allocations (malloc_limit_mb defaults to it): a loader that
  # believes a huge declared count is a finding. -timeout: one input may take at most 10 s.
  ASAN_OPTIONS="detect_leaks=1:halt_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    "build-fuzz/$exe" -seed="${EK_FUZZ_SEED:-1}" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -detect_leaks=1 \
    -print_final_stats=1 -artifact_prefix="build-fuzz/artifacts/$exe-" "$work" "$seeds" >"$log" 2>&1 || rc=$?
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|^stat::new_units_added" "$log" | tr '\n' ' '; echo
  if [ $rc -ne 0 ] || grep -qE "ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|SUMMARY: " "$log"; then
    echo "fuzz: $exe FAILED (exit $rc); last lines of $log:" >&2
    tail -60 "$log" >&2
    status=1
  fi
done
exit $status
