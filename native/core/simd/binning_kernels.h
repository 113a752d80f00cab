// Internal: the per-ISA value -> bin kernels behind BinMapper::map_strided (data/bin_mapper.cc owns
// the dispatch). The hot loop of dataset binning: one lookup per cell of X. Nothing here is public API.
//
// Contract shared by every ISA: map_bins(x, n, stride, table, steps, missing, out) bins n numerical
// values read with a stride (one column of a row-major block) and writes out[i * stride]; NaN ->
// missing. `table` (float32 or float64 like the input) holds binning_table_size(steps) entries:
//   table[0 .. 15]   pivots: search[16 j + 15] for the j < 2^steps / 16, padded with +inf;
//   table[16 ..]     search: the finite split points ascending, padded with +inf to
//                    max(2^steps, 16) entries;
//   bin = #{ j : search[j] < v }. NaN is below nothing, counts 0 and is then replaced by `missing`.
// The scalar twin runs a branchless binary search over `search` (steps probes); the AVX2 kernel
// counts: 16 pivots, then the 16 bounds of the chosen segment, two vector compares each.
//
// ISA files (binning_avx2.cc) are compiled with their -m flags; they only define the tables below
// and functions with internal linkage, never inline functions or templates that a baseline file
// could also instantiate (the linker could keep the AVX copy for both).
#pragma once

#include <cstdint>

#include "cpu.h"

namespace ensemblekit {
namespace simd {

constexpr int kTablePivots = 16;
constexpr int kTableSegment = 16;
// Entries of a bound table for a search depth (see the layout above).
constexpr int binning_table_size(int steps) {
  return kTablePivots + ((1 << steps) > kTableSegment ? (1 << steps) : kTableSegment);
}

template <class T>
struct BinningKernels {
  void (*map_bins)(const T* x, int64_t n, int64_t stride, const T* table, int steps, uint8_t missing, uint8_t* out);
};

// The table for `isa` (defined in data/bin_mapper.cc, a baseline file; callers pass active_isa()).
// AVX-512 CPUs get the AVX2 kernel.
template <class T>
const BinningKernels<T>& binning_kernels(Isa isa);

// One table per (ISA, type). Constant-initialised: no code from an ISA file runs before dispatch.
namespace scalar {
extern const BinningKernels<float> kBinningF32;
extern const BinningKernels<double> kBinningF64;
}  // namespace scalar

// The SIMD files exist only on x86-64 builds (their -m flags are x86 flags).
#if defined(__x86_64__) || defined(_M_X64)
#define ENSEMBLEKIT_HAVE_X86_KERNELS 1
namespace avx2 {
extern const BinningKernels<float> kBinningF32;
extern const BinningKernels<double> kBinningF64;
}  // namespace avx2
#endif

}  // namespace simd
}  // namespace ensemblekit
