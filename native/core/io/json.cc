#include "json.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "../errors.h"
#include "text.h"

namespace ensemblekit {

namespace {

bool is_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

// The iterative parser: a state machine over one explicit stack of open containers.
class JsonParser {
 public:
  JsonParser(const char* data, size_t size, const JsonLimits& limits)
      : begin_(reinterpret_cast<const unsigned char*>(data)), p_(begin_), end_(begin_ + size), limits_(limits) {}

  JsonDocument run() {
    if (static_cast<size_t>(end_ - begin_) >= limits_.max_size) {
      throw ModelFormat("not valid JSON (the text is larger than " + std::to_string(limits_.max_size) + " bytes)");
    }
    // A UTF-8 byte order mark is not JSON, but editors write one; TextDecoder drops it too.
    if (end_ - p_ >= 3 && p_[0] == 0xEF && p_[1] == 0xBB && p_[2] == 0xBF) p_ += 3;
    // Every node but the root starts a container's first element or follows a ',' or ':', so this
    // count bounds the nodes: one exact allocation (<= 16 bytes per byte of text), no regrowth.
    size_t bound = 1;
    for (const unsigned char* q = p_; q < end_; ++q) bound += *q == ',' || *q == ':' || *q == '[' || *q == '{';
    doc_.nodes_.reserve(bound);
    bool want_value = true;
    for (;;) {
      skip_ws();
      if (want_value) {
        if (p_ == end_) fail("the text ends where a value was expected");
        if (!stack_.empty()) ++doc_.nodes_[stack_.back().node].size;
        const unsigned char c = *p_;
        if (c == '{' || c == '[') {
          if (static_cast<int>(stack_.size()) >= limits_.max_depth) {
            fail("nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
          }
          const bool object = c == '{';
          const uint32_t node = push(object ? JsonType::kObject : JsonType::kArray);
          stack_.push_back(Frame{node, object});
          ++p_;
          skip_ws();
          if (p_ < end_ && *p_ == (object ? '}' : ']')) {
            ++p_;
            close();
            want_value = false;
            continue;
          }
          if (object) key();
          continue;  // want_value stays true
        }
        scalar();
        want_value = false;
        continue;
      }
      if (stack_.empty()) break;
      if (p_ == end_) fail("the text ends inside " + std::string(stack_.back().object ? "an object" : "an array"));
      const Frame top = stack_.back();
      const unsigned char c = *p_;
      if (c == ',') {
        ++p_;
        if (top.object) {
          skip_ws();
          key();
        }
        want_value = true;
      } else if (c == (top.object ? '}' : ']')) {
        ++p_;
        close();
      } else {
        fail(std::string("expected ',' or '") + (top.object ? '}' : ']') + "' but found " + describe());
      }
    }
    if (p_ != end_) fail("unexpected " + describe() + " after the top-level value");
    return std::move(doc_);
  }

 private:
  struct Frame {
    uint32_t node;
    bool object;
  };

  [[noreturn]] void fail(const std::string& what) const {
    size_t line = 1, column = 1;
    for (const unsigned char* q = begin_; q < p_ && q < end_; ++q) {
      if (*q == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    throw ModelFormat("not valid JSON (" + what + " at line " + std::to_string(line) + ", column " + std::to_string(column) + ")");
  }

  std::string describe() const {
    if (p_ >= end_) return "the end of the text";
    const unsigned char c = *p_;
    if (c >= 0x20 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
    char buf[16];
    std::snprintf(buf, sizeof buf, "byte 0x%02X", c);
    return buf;
  }

  void skip_ws() {
    while (p_ < end_ && is_ws(*p_)) ++p_;
  }

  uint32_t push(JsonType type) {
    JsonDocument::Node n;
    n.type = type;
    n.size = 0;
    n.next = 0;
    doc_.nodes_.push_back(n);
    return static_cast<uint32_t>(doc_.nodes_.size() - 1);
  }

  void close() {
    doc_.nodes_[stack_.back().node].next = doc_.nodes_.size();
    stack_.pop_back();
  }

  // An object member's key and the ':' after it.
  void key() {
    if (p_ == end_ || *p_ != '"') fail("expected a member name in double quotes but found " + describe());
    string();
    skip_ws();
    if (p_ == end_ || *p_ != ':') fail("expected ':' after a member name but found " + describe());
    ++p_;
  }

  bool match(const char* word) {
    const size_t n = std::strlen(word);
    if (static_cast<size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return false;
    p_ += n;
    return true;
  }

  void scalar() {
    const unsigned char c = *p_;
    if (c == '"') return string();
    if (c == '-' || is_digit(c)) return number();
    if (c == 't' && match("true")) return void(push(JsonType::kTrue));
    if (c == 'f' && match("false")) return void(push(JsonType::kFalse));
    if (c == 'n' && match("null")) return void(push(JsonType::kNull));
    if (c == '+' || c == 'N' || c == 'I' || c == 'i' || c == 'n') return number();
    fail("unexpected " + describe());
  }

  void string() {
    ++p_;  // opening quote
    JsonDocument::Node n;
    n.type = JsonType::kString;
    n.offset = doc_.pool_.size();
    std::string& out = doc_.pool_;
    for (;;) {
      // Copy a run of plain ASCII at once.
      const unsigned char* run = p_;
      while (p_ < end_ && *p_ >= 0x20 && *p_ < 0x80 && *p_ != '"' && *p_ != '\\') ++p_;
      out.append(reinterpret_cast<const char*>(run), static_cast<size_t>(p_ - run));
      if (p_ == end_) fail("the text ends inside a string");
      const unsigned char c = *p_;
      if (c == '"') {
        ++p_;
        break;
      }
      if (c < 0x20) fail("a control character (byte 0x" + hex2(c) + ") inside a string");
      if (c == '\\') {
        escape(&out);
        continue;
      }
      utf8(&out);
    }
    n.size = static_cast<uint32_t>(out.size() - n.offset);
    doc_.nodes_.push_back(n);
  }

  static std::string hex2(unsigned char c) {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%02X", c);
    return buf;
  }

  void escape(std::string* out) {
    ++p_;  // backslash
    if (p_ == end_) fail("the text ends inside a string");
    const unsigned char c = *p_++;
    switch (c) {
      case '"': out->push_back('"'); return;
      case '\\': out->push_back('\\'); return;
      case '/': out->push_back('/'); return;
      case 'b': out->push_back('\b'); return;
      case 'f': out->push_back('\f'); return;
      case 'n': out->push_back('\n'); return;
      case 'r': out->push_back('\r'); return;
      case 't': out->push_back('\t'); return;
      case 'u': break;
      default:
        --p_;
        fail("an unknown escape \\" + describe());
    }
    uint32_t cp = hex4();
    if (cp >= 0xDC00 && cp <= 0xDFFF) fail("a lone low surrogate \\u" + hex_string(cp));
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') fail("a high surrogate \\u" + hex_string(cp) + " without its low half");
      p_ += 2;
      const uint32_t low = hex4();
      if (low < 0xDC00 || low > 0xDFFF) fail("a high surrogate \\u" + hex_string(cp) + " without its low half");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(out, cp);
  }

  static std::string hex_string(uint32_t v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04X", v);
    return buf;
  }

  uint32_t hex4() {
    if (end_ - p_ < 4) fail("a truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const int h = hex_value(p_[i]);
      if (h < 0) {
        p_ += i;
        fail("a \\u escape needs four hex digits but found " + describe());
      }
      v = (v << 4) | static_cast<uint32_t>(h);
    }
    p_ += 4;
    return v;
  }

  // One multi-byte UTF-8 sequence, validated (RFC 3629: shortest form, no surrogates, <= U+10FFFF).
  void utf8(std::string* out) {
    const unsigned char c = *p_;
    int len;
    unsigned char lo = 0x80, hi = 0xBF;  // range of the first continuation byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      fail("invalid UTF-8 (byte 0x" + hex2(c) + ")");
    }
    if (end_ - p_ < len) fail("invalid UTF-8 (a truncated sequence)");
    if (p_[1] < lo || p_[1] > hi) fail("invalid UTF-8 (byte 0x" + hex2(p_[1]) + " after 0x" + hex2(c) + ")");
    for (int i = 2; i < len; ++i) {
      if (p_[i] < 0x80 || p_[i] > 0xBF) fail("invalid UTF-8 (byte 0x" + hex2(p_[i]) + " in a sequence)");
    }
    out->append(reinterpret_cast<const char*>(p_), static_cast<size_t>(len));
    p_ += len;
  }

  void number() {
    const unsigned char* start = p_;
    bool negative = false;
    if (*p_ == '-' || *p_ == '+') {
      negative = *p_ == '-';
      ++p_;
    }
    // XGBoost writes non-finite floats as bare tokens.
    if (p_ < end_ && (*p_ == 'N' || *p_ == 'n') && (match("NaN") || match("nan"))) {
      return special(std::numeric_limits<double>::quiet_NaN());
    }
    if (p_ < end_ && (*p_ == 'I' || *p_ == 'i') && (match("Infinity") || match("inf"))) {
      return special(negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity());
    }
    if (*start == '+') fail("a number cannot start with '+'");
    // The strict JSON grammar first; then the token is converted exactly.
    if (p_ == end_ || !is_digit(*p_)) fail("a number needs digits");
    if (*p_ == '0') {
      ++p_;
      if (p_ < end_ && is_digit(*p_)) fail("a number with a leading zero");
    } else {
      while (p_ < end_ && is_digit(*p_)) ++p_;
    }
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !is_digit(*p_)) fail("a number needs digits after '.'");
      while (p_ < end_ && is_digit(*p_)) ++p_;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !is_digit(*p_)) fail("a number needs digits in its exponent");
      while (p_ < end_ && is_digit(*p_)) ++p_;
    }
    const size_t length = static_cast<size_t>(p_ - start);
    double v = 0.0;
    if (length > limits_.max_number_length || length > kMaxDecimalLength) {
      p_ = start;
      fail("a number literal longer than " + std::to_string(std::min(limits_.max_number_length, kMaxDecimalLength)) + " characters");
    }
    if (!parse_decimal(std::string_view(reinterpret_cast<const char*>(start), length), &v) || std::isinf(v)) {
      p_ = start;
      fail("a number too large for a double");
    }
    special(v);
  }

  void special(double v) {
    JsonDocument::Node n;
    n.type = JsonType::kNumber;
    n.size = 0;
    n.number = v;
    doc_.nodes_.push_back(n);
  }

  const unsigned char* begin_;
  const unsigned char* p_;
  const unsigned char* end_;
  JsonLimits limits_;
  JsonDocument doc_;
  std::vector<Frame> stack_;
};

JsonDocument JsonDocument::parse(const char* data, size_t size, const JsonLimits& limits) {
  return JsonParser(data, size, limits).run();
}

double JsonValue::number() const { return doc_->nodes_[index_].number; }

std::string_view JsonValue::string() const {
  const JsonDocument::Node& n = doc_->nodes_[index_];
  return std::string_view(doc_->pool_.data() + n.offset, n.size);
}

uint32_t JsonValue::size() const { return doc_->nodes_[index_].size; }

JsonValue JsonValue::get(std::string_view key) const {
  JsonValue found;
  const uint32_t n = size();
  uint32_t child = first_child();
  for (uint32_t k = 0; k < n; ++k) {
    if (JsonValue(doc_, child).string() == key) {
      if (found.exists()) throw ModelFormat("not valid JSON (the member '" + std::string(key) + "' appears twice)");
      found = JsonValue(doc_, child + 1);
    }
    child = next_sibling(child + 1);
  }
  return found;
}

std::vector<JsonValue> JsonValue::elements() const {
  std::vector<JsonValue> out;
  out.reserve(size());
  for_each([&](uint32_t, JsonValue v) { out.push_back(v); });
  return out;
}

const char* JsonValue::type_name() const {
  if (!exists()) return "nothing";
  switch (type()) {
    case JsonType::kNull: return "null";
    case JsonType::kFalse:
    case JsonType::kTrue: return "a boolean";
    case JsonType::kNumber: return "a number";
    case JsonType::kString: return "a string";
    case JsonType::kArray: return "an array";
    case JsonType::kObject: return "an object";
  }
  return "a value";
}

}  // namespace ensemblekit
