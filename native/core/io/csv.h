// Streaming CSV reader for numeric tables with categorical columns (RFC 4180 quoting).
//
// The input is read in chunks (CsvSource), never whole: a record that is cut by the end of a chunk is
// moved to the front of the buffer and completed with the next chunk, so memory is one chunk plus
// the longest record plus the output matrix.
//
// Per field:
//   - a decimal number (spaces around it ignored, quoted or not) -> its value;
//   - a missing-value string (default '', NA, NaN, nan, null; exact match after trimming) -> NaN;
//   - anything else makes its column categorical: values are interned in order of first
//     appearance and stored as the code (0, 1, ...). Numbers already seen in a column that turns
//     categorical, and numbers met later in it, are keyed by their shortest round-trip text ("1.0"
//     and "1" are the same category).
// With `fixed_categories` (predict time, a mapping from an earlier read) the columns listed there are
// categorical from the start and keep the given codes; a value not in the mapping is NaN or an
// error (unknown_is_error); every other column must then be numeric.
//
// Errors are InvalidInput with the 1-based physical line and column ("line 7, column 3 ('age'): ...").
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace ensemblekit {

// Where bytes come from. read() fills up to n bytes and returns how many (0 at the end).
class CsvSource {
 public:
  virtual ~CsvSource() = default;
  virtual size_t read(char* dst, size_t n) = 0;
  // Total bytes when known (0 otherwise): lets the reader size its output once instead of growing it.
  virtual size_t size_hint() const { return 0; }
};

// A file read with fread (opened in binary mode); throws InvalidInput when it cannot be opened.
class CsvFileSource : public CsvSource {
 public:
  explicit CsvFileSource(const std::string& path);
  ~CsvFileSource() override;
  size_t read(char* dst, size_t n) override;
  size_t size_hint() const override { return size_; }

 private:
  std::FILE* file_ = nullptr;
  size_t size_ = 0;
  std::string path_;
};

// Bytes in memory (not owned; they must outlive the reader).
class CsvMemorySource : public CsvSource {
 public:
  CsvMemorySource(const char* data, size_t size) : data_(data), size_(size) {}
  size_t read(char* dst, size_t n) override;
  size_t size_hint() const override { return size_; }

 private:
  const char* data_;
  size_t size_;
  size_t pos_ = 0;
};

// A column chosen by header name (index < 0) or by 0-based index.
struct CsvColumnRef {
  std::string name;
  int64_t index = -1;
};

struct CsvOptions {
  char delimiter = ',';
  // -1: detect (the first record is a header when every field in it is non-empty, not a number and
  // not a missing-value string), 0: no header, 1: header.
  int header = -1;
  std::vector<std::string> na_values = {"", "NA", "NaN", "nan", "null"};
  // Bytes read per chunk (>= 1; tiny values are for tests and fuzzing).
  size_t chunk_size = size_t{1} << 20;
  // Columns forced categorical even when their values look numeric.
  std::vector<CsvColumnRef> categorical;
  // A mapping from an earlier read: code i of a column is categories[i]. When has_fixed is true the
  // reader is in "apply" mode (see the file comment), even if the list is empty.
  bool has_fixed = false;
  std::vector<std::pair<CsvColumnRef, std::vector<std::string>>> fixed_categories;
  bool unknown_is_error = false;
  // The target column, split off into CsvTable::target; has_target false keeps every column in data.
  bool has_target = false;
  CsvColumnRef target;
};

struct CsvTable {
  size_t rows = 0;
  size_t cols = 0;                 // columns of `data` (the target excluded)
  std::vector<double> data;        // rows x cols, row-major
  std::vector<double> target;      // rows values when a target was asked for
  std::vector<std::string> names;  // of the data columns; x0, x1, ... (over all columns) without a header
  std::string target_name;
  bool had_header = false;
  // Per data column: empty for numeric columns, else the categories in code order.
  std::vector<std::vector<std::string>> categories;
  std::vector<char> is_categorical;
  bool target_categorical = false;
  std::vector<std::string> target_categories;
  size_t bytes_read = 0;
};

// Reads the whole table. Throws InvalidInput (bad data) or InvalidParameter (bad options).
CsvTable read_csv(CsvSource& source, const CsvOptions& options);

// The number parser the reader uses, exposed for tests: a decimal number with optional sign,
// fraction and exponent (no hex, no inf/nan), spaces around it allowed. Correctly rounded.
bool csv_parse_number(const char* begin, const char* end, double* out);

// The text a number has as a category key: the shortest %.{15,16,17}g form that round-trips.
std::string csv_number_key(double v);

}  // namespace ensemblekit
