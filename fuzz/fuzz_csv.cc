// libFuzzer harness for the native CSV reader (native/core/io/csv.h). The first byte picks the
// options (chunk size, header mode, delimiter, target, apply mode with a mapping), the rest is the
// CSV text. Malformed input must end in InvalidInput / InvalidParameter, never in a crash, a hang
// or a sanitizer report; a table that is returned must be self-consistent.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>

#include "core/errors.h"
#include "core/io/csv.h"

using ensemblekit::CsvMemorySource;
using ensemblekit::CsvOptions;
using ensemblekit::CsvTable;

namespace {

[[noreturn]] void broken() { std::abort(); }

void check(const CsvTable& t, const CsvOptions& o) {
  if (t.data.size() != t.rows * t.cols) broken();
  if (t.names.size() != t.cols || t.categories.size() != t.cols || t.is_categorical.size() != t.cols) broken();
  if (o.has_target && t.target.size() != t.rows) broken();
  for (size_t c = 0; c < t.cols; ++c) {
    if (!t.is_categorical[c]) continue;
    const double n = static_cast<double>(t.categories[c].size());
    for (size_t r = 0; r < t.rows; ++r) {
      const double v = t.data[r * t.cols + c];
      if (!std::isnan(v) && (v < 0 || v >= n || v != std::floor(v))) broken();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  CsvOptions o;
  static const size_t kChunks[] = {1, 2, 3, 7, 64, size_t{1} << 20};
  o.chunk_size = kChunks[mode % 6];
  o.header = static_cast<int>((mode >> 3) % 3) - 1;
  if (mode & 0x20) o.delimiter = ';';
  if (mode & 0x40) {
    o.has_target = true;
    o.target.index = 0;
  }
  if (mode & 0x80) {
    o.has_fixed = true;
    o.fixed_categories.push_back({ensemblekit::CsvColumnRef{"", 1}, {"a", "b", "1"}});
    o.unknown_is_error = (mode & 0x04) != 0;
  }
  CsvMemorySource source(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    CsvTable t = ensemblekit::read_csv(source, o);
    check(t, o);
  } catch (const ensemblekit::InvalidInput&) {
  } catch (const ensemblekit::InvalidParameter&) {
  }
  return 0;
}
