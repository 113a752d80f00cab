// CPU feature detection, done once at load, and the ISA the kernels run with. One x64 binary runs
// on any x64 CPU: kernels for AVX2+FMA and AVX-512 live in files compiled with those flags only,
// and are reached through the dispatch table (kernels.h) after this check.
#pragma once

namespace ensemblekit {
namespace simd {

enum class Isa { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };

// The best ISA this CPU and OS support (XSAVE state checked by the compiler runtime).
Isa detected_isa();

// The ISA in use: detected_isa(), lowered by ENSEMBLEKIT_SIMD=scalar|avx2|avx512 at load, or by
// set_active_isa(). Never higher than detected_isa().
Isa active_isa();

// Lowers (or restores, up to detected_isa()) the ISA for the whole process; returns the ISA set.
// For tests and benchmarks that compare paths in one process.
Isa set_active_isa(Isa wanted);

const char* isa_name(Isa isa);

// Parses "scalar", "avx2", "avx512"; returns false for anything else.
bool parse_isa(const char* text, Isa* out);

}  // namespace simd
}  // namespace ensemblekit
