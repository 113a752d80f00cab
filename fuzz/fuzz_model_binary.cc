// libFuzzer harness: the native binary model format (native/core/io/model_io: what toBuffer() writes
// and fromBuffer() / load() read).
//
// Input: one mode byte, then the body.
//   mode even: the body is a whole model buffer, passed as is (magic, version, sizes, checksum).
//   mode odd:  the body is a payload; the harness wraps it in a valid header and checksum, so
//              mutations reach the parser behind the checksum instead of dying at it.
// Seeds (fuzz/corpus/model_binary/, scripts/make-fuzz-corpus.mjs) hold both forms of real models.
//
// Every input must either throw ModelFormat or load; a loaded model must predict the same through
// every path (fuzz_common.h) and survive a save/load round trip that changes neither its bytes
// (the second save equals the first) nor its predictions.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/errors.h"
#include "core/io/model_io.h"
#include "fuzz_common.h"

using namespace ensemblekit;
using namespace ensemblekit_fuzz;

namespace {

std::vector<uint8_t> seal(const uint8_t* payload, size_t n) {
  std::vector<uint8_t> out(4 + 4 + 8 + n + 8);
  std::memcpy(out.data(), "EKGB", 4);
  const uint32_t version = kModelFormatVersion;
  std::memcpy(out.data() + 4, &version, 4);
  const uint64_t bytes = n;
  std::memcpy(out.data() + 8, &bytes, 8);
  if (n != 0) std::memcpy(out.data() + 16, payload, n);
  const uint64_t sum = model_payload_checksum(payload, n);
  std::memcpy(out.data() + 16 + n, &sum, 8);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool sealed = (data[0] & 1) != 0;
  std::vector<uint8_t> buf = sealed ? seal(data + 1, size - 1) : std::vector<uint8_t>(data + 1, data + size);
  GbdtModel model;
  try {
    model = deserialize_gbdt(buf.data(), buf.size());
  } catch (const ModelFormat& e) {
    refused(e.what());
    return 0;  // refused with a reason: the expected outcome for most inputs
  }
  // Anything other than ModelFormat escaping (InvalidInput, std::bad_alloc, length_error ...) is a
  // finding: libFuzzer reports the uncaught exception as a crash.
  const std::vector<uint8_t> saved = serialize_gbdt(model);
  const GbdtModel again = deserialize_gbdt(saved.data(), saved.size());
  EK_FUZZ_CHECK(serialize_gbdt(again) == saved);
  EK_FUZZ_CHECK(again.num_features == model.num_features && again.num_outputs == model.num_outputs);
  EK_FUZZ_CHECK(again.best_iteration == model.best_iteration && again.num_rounds == model.num_rounds);

  if (model.num_features <= 4096) {
    std::vector<double> thresholds;
    for (const Tree& t : model.trees) {
      for (const TreeNode& n : t.nodes()) {
        if (!n.is_leaf() && n.split_type == SplitType::kNumerical && thresholds.size() < 64) thresholds.push_back(n.threshold);
      }
    }
    const int rows = 9;
    const std::vector<double> x = probe_rows(model.num_features, rows, thresholds);
    const std::vector<double> a = predict_all_paths(model.forest, x, rows);
    const std::vector<double> b = predict_all_paths(again.forest, x, rows);
    EK_FUZZ_CHECK(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) EK_FUZZ_CHECK(same(a[i], b[i]));
  }
  return 0;
}
