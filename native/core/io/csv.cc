#include "csv.h"

#include <algorithm>
#include <cerrno>
#include <clocale>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <utility>

#include "../errors.h"
#include "../memory.h"

namespace ensemblekit {

// ------------------------------------------------------------------------------------------------
// Sources

CsvFileSource::CsvFileSource(const std::string& path) : path_(path) {
  file_ = std::fopen(path.c_str(), "rb");
  if (file_ == nullptr) {
    throw InvalidInput("Cannot open '" + path + "': " + std::strerror(errno));
  }
  if (std::fseek(file_, 0, SEEK_END) == 0) {
    const long n = std::ftell(file_);
    if (n > 0) size_ = static_cast<size_t>(n);
  }
  std::rewind(file_);
}

CsvFileSource::~CsvFileSource() {
  if (file_ != nullptr) std::fclose(file_);
}

size_t CsvFileSource::read(char* dst, size_t n) {
  const size_t got = std::fread(dst, 1, n, file_);
  if (got < n && std::ferror(file_)) throw InvalidInput("Cannot read '" + path_ + "': I/O error");
  return got;
}

size_t CsvMemorySource::read(char* dst, size_t n) {
  const size_t take = std::min(n, size_ - pos_);
  if (take > 0) std::memcpy(dst, data_ + pos_, take);
  pos_ += take;
  return take;
}

// ------------------------------------------------------------------------------------------------
// Numbers

namespace {

constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                             1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

inline bool is_blank(char c) { return c == ' ' || c == '\t'; }

// The slow path: the C library's correctly rounded conversion, made independent of LC_NUMERIC.
double slow_strtod(const char* b, const char* e) {
  std::string tmp(b, e);
  const char point = *std::localeconv()->decimal_point;
  if (point != '.') std::replace(tmp.begin(), tmp.end(), '.', point);
  return std::strtod(tmp.c_str(), nullptr);
}

}  // namespace

bool csv_parse_number(const char* b, const char* e, double* out) {
  while (b < e && is_blank(*b)) ++b;
  while (e > b && is_blank(e[-1])) --e;
  if (b == e) return false;
  const char* s = b;
  bool neg = false;
  if (*s == '+' || *s == '-') {
    neg = *s == '-';
    ++s;
  }
  uint64_t m = 0;
  int digits = 0;  // significant digits kept in m (at most 19, so m cannot overflow)
  int64_t exp10 = 0;
  bool any = false, truncated = false;
  for (; s < e && static_cast<unsigned>(*s - '0') < 10; ++s) {
    const unsigned d = static_cast<unsigned>(*s - '0');
    any = true;
    if (m == 0 && d == 0) continue;
    if (digits < 19) {
      m = m * 10 + d;
      ++digits;
    } else {
      ++exp10;
      truncated |= d != 0;
    }
  }
  if (s < e && *s == '.') {
    ++s;
    for (; s < e && static_cast<unsigned>(*s - '0') < 10; ++s) {
      const unsigned d = static_cast<unsigned>(*s - '0');
      any = true;
      if (m == 0 && d == 0) {
        --exp10;
        continue;
      }
      if (digits < 19) {
        m = m * 10 + d;
        ++digits;
        --exp10;
      } else {
        truncated |= d != 0;
      }
    }
  }
  if (!any) return false;
  if (s < e && (*s == 'e' || *s == 'E')) {
    ++s;
    bool eneg = false;
    if (s < e && (*s == '+' || *s == '-')) {
      eneg = *s == '-';
      ++s;
    }
    if (s == e || static_cast<unsigned>(*s - '0') >= 10) return false;
    int64_t x = 0;
    for (; s < e && static_cast<unsigned>(*s - '0') < 10; ++s) {
      if (x < 100000) x = x * 10 + (*s - '0');
    }
    exp10 += eneg ? -x : x;
  }
  if (s != e) return false;
  if (m == 0) {
    *out = neg ? -0.0 : 0.0;
    return true;
  }
  // Clinger's fast path: m and 10^|exp10| are both exact doubles, so one rounding gives the
  // correctly rounded result. Everything else goes to strtod.
  if (!truncated && m <= (uint64_t{1} << 53) && exp10 >= -22 && exp10 <= 22) {
    double v = static_cast<double>(m);
    v = exp10 < 0 ? v / kPow10[-exp10] : v * kPow10[exp10];
    *out = neg ? -v : v;
    return true;
  }
  *out = slow_strtod(b, e);
  return true;
}

std::string csv_number_key(double v) {
  char buf[40];
  for (int precision : {15, 16, 17}) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    char* end = nullptr;
    if (precision == 17 || std::strtod(buf, &end) == v) break;
  }
  // %g follows LC_NUMERIC: keep the key locale-independent.
  for (char* c = buf; *c; ++c) {
    if (*c == ',') *c = '.';
  }
  return buf;
}

// ------------------------------------------------------------------------------------------------
// The reader

namespace {

struct Span {
  const char* ptr;     // into the buffer, or null when the text is in the arena
  size_t arena_off;    // offset into the arena when ptr is null
  size_t len;
  bool quoted;
  int64_t line;
};

struct Column {
  bool categorical = false;
  bool fixed = false;
  std::unordered_map<std::string, double> codes;
  std::vector<std::string> values;
};

enum class Split { kRecord, kBlank, kNeedMore, kEnd };

std::string quote_for_message(const char* p, size_t n) {
  std::string s(p, std::min<size_t>(n, 40));
  if (n > 40) s += "...";
  return "'" + s + "'";
}

class Reader {
 public:
  Reader(CsvSource& source, const CsvOptions& options) : source_(source), opt_(options) {
    if (opt_.chunk_size == 0) throw InvalidParameter("chunkSize must be at least 1");
    if (opt_.delimiter == '"' || opt_.delimiter == '\n' || opt_.delimiter == '\r') {
      throw InvalidParameter("The delimiter cannot be a quote or a line end");
    }
    if (opt_.header < -1 || opt_.header > 1) throw InvalidParameter("header must be -1 (detect), 0 or 1");
  }

  CsvTable run() {
    buf_.resize(opt_.chunk_size + 64);
    bool first = true;
    for (;;) {
      const char* rec_end = nullptr;
      const Split st = split(buf_.data() + begin_, buf_.data() + end_, &rec_end);
      if (st == Split::kNeedMore) {
        fill();
        continue;
      }
      if (st == Split::kEnd) break;
      begin_ = static_cast<size_t>(rec_end - buf_.data());
      if (st == Split::kBlank) {
        ++line_;
        continue;
      }
      if (first) {
        first = false;
        if (start(fields_)) {
          line_ = next_line_;
          continue;
        }
      }
      record();
      line_ = next_line_;
      // Size the output once from the bytes per record seen so far: growing a vector of hundreds
      // of MB by doubling costs more than the parsing.
      if (rows_ == 512 && source_.size_hint() > 0) {
        const double consumed = static_cast<double>(table_.bytes_read - (end_ - begin_));
        const double est = static_cast<double>(source_.size_hint()) / (consumed / static_cast<double>(rows_ + 1)) * 1.02 + 64;
        if (est * static_cast<double>(out_cols_) < 4e9) {
          // Written once, front to back, into fresh memory: huge pages (memory.h) cut the faults.
          reserve_huge(&data_, static_cast<size_t>(est) * out_cols_);
          if (target_ >= 0) target_values_.reserve(static_cast<size_t>(est));
        }
      }
    }
    if (first) throw InvalidInput("The CSV input is empty (no records)");
    return finish();
  }

 private:
  // Moves the unfinished record to the front of the buffer and appends the next chunk.
  void fill() {
    const size_t keep = end_ - begin_;
    if (keep > 0 && begin_ > 0) std::memmove(buf_.data(), buf_.data() + begin_, keep);
    begin_ = 0;
    end_ = keep;
    if (buf_.size() < keep + opt_.chunk_size) buf_.resize(keep + opt_.chunk_size);
    const size_t got = source_.read(buf_.data() + end_, opt_.chunk_size);
    table_.bytes_read += got;
    end_ += got;
    if (got == 0) eof_ = true;
    if (!bom_checked_ && (end_ >= 3 || eof_)) {
      bom_checked_ = true;
      if (end_ >= 3 && std::memcmp(buf_.data(), "\xEF\xBB\xBF", 3) == 0) begin_ = 3;
    }
  }

  // Splits one record starting at p into fields_ (phase 1: no conversion, so a record cut by the
  // end of the buffer is simply re-split after fill()).
  Split split(const char* p, const char* end, const char** rec_end) {
    if (!bom_checked_ && !eof_) return Split::kNeedMore;
    if (p == end) return eof_ ? Split::kEnd : Split::kNeedMore;
    if (*p == '\n') {
      *rec_end = p + 1;
      return Split::kBlank;
    }
    if (*p == '\r') {
      if (p + 1 == end && !eof_) return Split::kNeedMore;
      if (p + 1 == end || p[1] == '\n') {
        *rec_end = p + (p + 1 == end ? 1 : 2);
        return Split::kBlank;
      }
    }
    fields_.clear();
    arena_.clear();
    const char delim = opt_.delimiter;
    int64_t line = line_;
    for (;;) {
      if (p < end && *p == '"') {
        const char* start = p + 1;
        const char* q = start;
        bool escaped = false;
        for (;;) {
          const char* hit = static_cast<const char*>(std::memchr(q, '"', static_cast<size_t>(end - q)));
          if (hit == nullptr) {
            if (!eof_) return Split::kNeedMore;
            throw InvalidInput("line " + std::to_string(line) + ", column " + std::to_string(fields_.size() + 1) +
                               ": unterminated quoted field (the input ends inside quotes)");
          }
          if (hit + 1 == end && !eof_) return Split::kNeedMore;
          if (hit + 1 < end && hit[1] == '"') {
            escaped = true;
            q = hit + 2;
            continue;
          }
          q = hit;
          break;
        }
        Span sp{start, 0, static_cast<size_t>(q - start), true, line};
        line += std::count(start, q, '\n');
        if (escaped) {
          sp.ptr = nullptr;
          sp.arena_off = arena_.size();
          for (const char* c = start; c < q; ++c) {
            arena_.push_back(*c);
            if (*c == '"') ++c;
          }
          sp.len = arena_.size() - sp.arena_off;
        }
        fields_.push_back(sp);
        p = q + 1;
        while (p < end && is_blank(*p) && delim != *p) ++p;
        if (p == end) {
          if (!eof_) return Split::kNeedMore;
          *rec_end = p;
          next_line_ = line + 1;
          return Split::kRecord;
        }
        if (*p == delim) {
          ++p;
          continue;
        }
        if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) {
          *rec_end = p + (*p == '\n' ? 1 : 2);
          next_line_ = line + 1;
          return Split::kRecord;
        }
        if (*p == '\r' && p + 1 == end) {
          if (!eof_) return Split::kNeedMore;
          *rec_end = end;
          next_line_ = line + 1;
          return Split::kRecord;
        }
        throw InvalidInput("line " + std::to_string(line) + ", column " + std::to_string(fields_.size()) +
                           ": unexpected " + quote_for_message(p, 1) + " after a closing quote (expected the delimiter or a line end)");
      }
      // Unquoted: up to the delimiter or the line end. A quote inside is an ordinary character.
      const char* q = p;
      while (q < end && *q != delim && *q != '\n') ++q;
      if (q == end && !eof_) return Split::kNeedMore;
      const char* fe = q;
      if ((q == end || *q == '\n') && fe > p && fe[-1] == '\r') --fe;
      fields_.push_back(Span{p, 0, static_cast<size_t>(fe - p), false, line});
      if (q < end && *q == delim) {
        p = q + 1;
        continue;
      }
      *rec_end = q == end ? q : q + 1;
      next_line_ = line + 1;
      return Split::kRecord;
    }
  }

  const char* text(const Span& s) const { return s.ptr != nullptr ? s.ptr : arena_.data() + s.arena_off; }

  // Trimmed text of a field (quoted fields are kept as written).
  std::pair<const char*, const char*> trimmed(const Span& s) const {
    const char* b = text(s);
    const char* e = b + s.len;
    if (!s.quoted) {
      while (b < e && is_blank(*b)) ++b;
      while (e > b && is_blank(e[-1])) --e;
    }
    return {b, e};
  }

  bool is_na(const char* b, const char* e) const {
    const size_t n = static_cast<size_t>(e - b);
    for (const std::string& s : opt_.na_values) {
      if (s.size() == n && std::memcmp(s.data(), b, n) == 0) return true;
    }
    return false;
  }

  int64_t resolve(const CsvColumnRef& ref, const char* what) const {
    if (ref.index >= 0) {
      if (static_cast<size_t>(ref.index) >= ncols_) {
        throw InvalidParameter(std::string(what) + ": column index " + std::to_string(ref.index) + " is out of range (the file has " +
                               std::to_string(ncols_) + " columns)");
      }
      return ref.index;
    }
    for (size_t c = 0; c < ncols_; ++c) {
      if (all_names_[c] == ref.name) return static_cast<int64_t>(c);
    }
    std::string have;
    for (size_t c = 0; c < ncols_ && c < 50; ++c) have += (c ? ", '" : "'") + all_names_[c] + "'";
    throw InvalidParameter(std::string(what) + ": no column named '" + ref.name + "' (" +
                           (table_.had_header ? "the header has " + have : "the file has no header; columns are x0, x1, ...") + ")");
  }

  // The first record: decides the header, names the columns, resolves the options. Returns true when
  // the record was a header (consumed).
  bool start(const std::vector<Span>& fields) {
    ncols_ = fields.size();
    bool header = opt_.header == 1;
    if (opt_.header == -1) {
      header = true;
      for (const Span& s : fields) {
        auto [b, e] = trimmed(s);
        double v;
        if (b == e || is_na(b, e) || csv_parse_number(b, e, &v)) {
          header = false;
          break;
        }
      }
    }
    table_.had_header = header;
    all_names_.resize(ncols_);
    for (size_t c = 0; c < ncols_; ++c) {
      if (header) {
        auto [b, e] = trimmed(fields[c]);
        all_names_[c].assign(b, e);
      } else {
        all_names_[c] = "x" + std::to_string(c);
      }
    }
    columns_.assign(ncols_, Column());
    target_ = opt_.has_target ? resolve(opt_.target, "target") : -1;
    dest_.assign(ncols_, 0);
    size_t k = 0;
    for (size_t c = 0; c < ncols_; ++c) dest_[c] = static_cast<int64_t>(c) == target_ ? -1 : static_cast<int64_t>(k++);
    out_cols_ = k;
    for (const CsvColumnRef& ref : opt_.categorical) columns_[resolve(ref, "categorical")].categorical = true;
    for (const auto& [ref, cats] : opt_.fixed_categories) {
      Column& col = columns_[resolve(ref, "categories")];
      col.categorical = true;
      col.fixed = true;
      col.values = cats;
      for (size_t i = 0; i < cats.size(); ++i) {
        if (!col.codes.emplace(cats[i], static_cast<double>(i)).second) {
          throw InvalidParameter("categories for column '" + (ref.index >= 0 ? std::to_string(ref.index) : ref.name) +
                                 "' list '" + cats[i] + "' twice");
        }
      }
    }
    return header;
  }

  double& cell(size_t row, size_t c) {
    const int64_t d = dest_[c];
    return d < 0 ? target_values_[row] : data_[row * out_cols_ + static_cast<size_t>(d)];
  }

  double intern(Column& col, const std::string& key) {
    auto it = col.codes.find(key);
    if (it != col.codes.end()) return it->second;
    const double code = static_cast<double>(col.values.size());
    col.codes.emplace(key, code);
    col.values.push_back(key);
    return code;
  }

  [[noreturn]] void fail(const Span& s, size_t c, const std::string& what) const {
    throw InvalidInput("line " + std::to_string(s.line) + ", column " + std::to_string(c + 1) + " ('" + all_names_[c] + "'): " + what);
  }

  void record() {
    if (fields_.size() != ncols_) {
      throw InvalidInput("line " + std::to_string(line_) + ": expected " + std::to_string(ncols_) + " fields but found " +
                         std::to_string(fields_.size()));
    }
    const size_t row = rows_;
    row_.resize(ncols_);
    for (size_t c = 0; c < ncols_; ++c) {
      const Span& s = fields_[c];
      auto [b, e] = trimmed(s);
      Column& col = columns_[c];
      double v;
      if (!col.categorical) {
        if (csv_parse_number(b, e, &v)) {
          row_[c] = v;
          continue;
        }
        if (is_na(b, e)) {
          row_[c] = std::numeric_limits<double>::quiet_NaN();
          continue;
        }
        if (opt_.has_fixed) {
          fail(s, c, "expected a number but found " + quote_for_message(b, static_cast<size_t>(e - b)) +
                         " (the column is numeric in the categories mapping this file is read with)");
        }
        // The column turns categorical: earlier numbers become categories keyed by their text.
        col.categorical = true;
        for (size_t r = 0; r < row; ++r) {
          double& x = cell(r, c);
          if (!std::isnan(x)) x = intern(col, csv_number_key(x));
        }
      }
      if (is_na(b, e)) {
        row_[c] = std::numeric_limits<double>::quiet_NaN();
        continue;
      }
      if (csv_parse_number(b, e, &v)) {
        key_ = csv_number_key(v);
      } else {
        key_.assign(b, e);
      }
      if (col.fixed) {
        auto it = col.codes.find(key_);
        if (it == col.codes.end()) {
          if (opt_.unknown_is_error) {
            fail(s, c, "the category " + quote_for_message(key_.data(), key_.size()) + " is not in the mapping (" +
                           std::to_string(col.values.size()) + " known categories)");
          }
          row_[c] = std::numeric_limits<double>::quiet_NaN();
        } else {
          row_[c] = it->second;
        }
      } else {
        row_[c] = intern(col, key_);
      }
    }
    // Commit the row (fields of a record that threw are never committed).
    // (push_back in a loop: insert() of a short range costs a memmove call per row.)
    for (size_t c = 0; c < ncols_; ++c) {
      if (static_cast<int64_t>(c) == target_) {
        target_values_.push_back(row_[c]);
      } else {
        data_.push_back(row_[c]);
      }
    }
    ++rows_;
  }

  CsvTable finish() {
    table_.rows = rows_;
    table_.cols = out_cols_;
    table_.data = std::move(data_);
    table_.target = std::move(target_values_);
    for (size_t c = 0; c < ncols_; ++c) {
      Column& col = columns_[c];
      if (static_cast<int64_t>(c) == target_) {
        table_.target_name = all_names_[c];
        table_.target_categorical = col.categorical;
        table_.target_categories = std::move(col.values);
      } else {
        table_.names.push_back(all_names_[c]);
        table_.is_categorical.push_back(col.categorical ? 1 : 0);
        table_.categories.push_back(std::move(col.values));
      }
    }
    return std::move(table_);
  }

  CsvSource& source_;
  const CsvOptions& opt_;
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false, bom_checked_ = false;
  int64_t line_ = 1, next_line_ = 1;
  std::vector<Span> fields_;
  std::string arena_;
  std::string key_;
  size_t ncols_ = 0, out_cols_ = 0, rows_ = 0;
  int64_t target_ = -1;
  std::vector<int64_t> dest_;
  std::vector<std::string> all_names_;
  std::vector<Column> columns_;
  std::vector<double> data_, target_values_, row_;
  CsvTable table_;
};

}  // namespace

CsvTable read_csv(CsvSource& source, const CsvOptions& options) {
  Reader reader(source, options);
  return reader.run();
}

}  // namespace ensemblekit
