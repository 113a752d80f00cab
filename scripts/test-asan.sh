#!/usr/bin/env bash
# The whole vitest suite against an AddressSanitizer + UndefinedBehaviorSanitizer build of the addon
# (CMake option ENSEMBLEKIT_SANITIZE, built into build-asan/ so the normal build stays untouched).
# Node itself is not instrumented, so the ASan runtime is preloaded; any report aborts the test
# file's process (halt_on_error, -fno-sanitize-recover), and the script also fails when a report
# appears in the log at all (a report inside a child process the tests spawn and tolerate).
#
#   scripts/test-asan.sh [vitest args...]     e.g. scripts/test-asan.sh test/io
#   EK_ASAN_SKIP_BUILD=1 to reuse build-asan/ as is.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${EK_ASAN_SKIP_BUILD:-0}" != 1 ]; then
  npx cmake-js compile -O build-asan --CDENSEMBLEKIT_SANITIZE=ON -p 2
fi
addon="$PWD/build-asan/Release/ensemblekit.node"
[ -f "$addon" ] || { echo "test-asan: $addon is missing" >&2; exit 1; }
libasan="$(g++ -print-file-name=libasan.so)"
[ -f "$libasan" ] || { echo "test-asan: g++ has no libasan.so" >&2; exit 1; }

log="$(mktemp -t ek-asan.XXXXXX.log)"
# detect_leaks=0: Node and V8 keep their heaps until exit; leaks of our own are covered by the
# libFuzzer runs (scripts/fuzz.sh, -detect_leaks=1) and the leak test. ASAN_OPTIONS' log_path
# collects every process's reports (vitest forks, and the tests spawn node children).
export ENSEMBLEKIT_ADDON="$addon"
export LD_PRELOAD="$libasan"
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1:detect_odr_violation=0:log_path=$log.asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$log.ubsan"
start=$(date +%s)
status=0
# ASan at -O1 runs the native code several times slower: generous timeouts, since this run checks
# memory safety, not speed.
npx vitest run --testTimeout=600000 --hookTimeout=900000 "$@" 2>&1 | tee "$log" || status=$?
unset LD_PRELOAD
echo "test-asan: vitest exit $status after $(( $(date +%s) - start )) s"
reports=$(ls "$log".asan.* "$log".ubsan.* 2>/dev/null || true)
if [ -n "$reports" ]; then
  echo "test-asan: sanitizer reports:" >&2
  for f in $reports; do echo "--- $f" >&2; cat "$f" >&2; done
  status=1
fi
if grep -qE "ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer" "$log"; then
  echo "test-asan: sanitizer report in the test output" >&2
  status=1
fi
rm -f "$log" $reports
exit $status
