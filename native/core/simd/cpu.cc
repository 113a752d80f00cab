#include "cpu.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace ensemblekit {
namespace simd {

namespace {

Isa detect() {
#if defined(__x86_64__) || defined(__i386__)
#if defined(__GNUC__)
  __builtin_cpu_init();
  // The builtins return a non-zero bit mask, not 1; they also require OS support (XCR0).
  const bool avx2 = __builtin_cpu_supports("avx2") != 0 && __builtin_cpu_supports("fma") != 0;
  const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("avx512bw") != 0 &&
                      __builtin_cpu_supports("avx512vl") != 0 && __builtin_cpu_supports("avx512dq") != 0;
  if (avx512) return Isa::kAvx512;
  if (avx2) return Isa::kAvx2;
#endif
#endif
  return Isa::kScalar;
}

Isa initial_active() {
  Isa isa = detected_isa();
  const char* env = std::getenv("ENSEMBLEKIT_SIMD");
  Isa wanted;
  if (env != nullptr && *env != '\0' && parse_isa(env, &wanted) && wanted < isa) isa = wanted;
  return isa;
}

std::atomic<int>& active_slot() {
  static std::atomic<int> slot{static_cast<int>(initial_active())};
  return slot;
}

}  // namespace

Isa detected_isa() {
  static const Isa k_detected = detect();
  return k_detected;
}

Isa active_isa() { return static_cast<Isa>(active_slot().load(std::memory_order_relaxed)); }

Isa set_active_isa(Isa wanted) {
  const Isa isa = wanted > detected_isa() ? detected_isa() : wanted;
  active_slot().store(static_cast<int>(isa), std::memory_order_relaxed);
  return isa;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kAvx512:
      return "avx512";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kScalar:
    default:
      return "scalar";
  }
}

bool parse_isa(const char* text, Isa* out) {
  if (std::strcmp(text, "scalar") == 0) {
    *out = Isa::kScalar;
  } else if (std::strcmp(text, "avx2") == 0) {
    *out = Isa::kAvx2;
  } else if (std::strcmp(text, "avx512") == 0) {
    *out = Isa::kAvx512;
  } else {
    return false;
  }
  return true;
}

}  // namespace simd
}  // namespace ensemblekit
