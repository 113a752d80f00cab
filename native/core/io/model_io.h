// The compact binary form of a GbdtModel (trained here or imported): what toBuffer() / save()
// write. Little-endian, versioned, checksummed:
//
//   magic "EKGB" | u32 format version | u64 payload bytes | payload | u64 checksum of the payload
//   payload: i32 num_features, i32 num_outputs, u8 transform, i32 best_iteration, u32 num_trees,
//            f64 base_score[num_outputs],
//            per tree: u32 num_nodes, u32 num_category_sets, nodes, category sets
//            node: u8 flags (bit 0 categorical, bit 1 default left, bits 2-3 missing rule,
//                  bits 4-5 category rule, bit 6 leaf), then
//                  internal: i32 left (right = left + 1), i32 feature, i32 threshold_bin,
//                            f64 threshold | i32 category_set, f64 gain;
//                  every node: f64 value, f64 sum_hess, i64 count
//            category set: u32 words, u32 categories[words], u32 bin words, u64 bins[bin words]
//
// Loading validates everything before it allocates or builds (declared counts against the bytes
// left, so a huge count in a short file is refused at once), then rebuilds each tree through
// tree_from_nodes (children in range, each node reached once, features below num_features,
// finite values) and compiles the forest. Any defect is a ModelFormat naming it; the checksum
// catches flipped bits that would still parse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "../boost/gbdt.h"

namespace ensemblekit {

constexpr uint32_t kModelFormatVersion = 1;

std::vector<uint8_t> serialize_gbdt(const GbdtModel& model);

// Throws ModelFormat for anything malformed, truncated, corrupted or of another version.
GbdtModel deserialize_gbdt(const uint8_t* data, size_t size);

// The checksum stored after the payload. Exposed for fuzz/fuzz_model_binary.cc, which re-seals
// mutated payloads so the fuzzer reaches the parser behind the checksum.
uint64_t model_payload_checksum(const uint8_t* payload, size_t size);

}  // namespace ensemblekit
