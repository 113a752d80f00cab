// A small, strict, bounded JSON reader for model files (XGBoost's JSON models): RFC 8259 grammar
// plus the bare NaN / Infinity tokens XGBoost's writer emits for non-finite floats. Made for
// untrusted input:
// - no recursion: one explicit stack whose depth is capped (JsonLimits::max_depth);
// - memory a small constant times the text: the document is one flat array of 16-byte nodes in
//   document order (a container's subtree follows it; `next` skips it) plus one string pool;
// - strings are validated UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF); escapes
//   are decoded, lone \u surrogates refused;
// - numbers are parsed exactly (correctly rounded, independent of the C locale); a finite literal
//   too large for a double is refused rather than read as infinity, and literals are capped in length.
// Any defect throws ModelFormat("not valid JSON (... at line L, column C)").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ensemblekit {

struct JsonLimits {
  int max_depth = 128;                     // nesting of arrays and objects
  size_t max_size = size_t{1} << 31;       // bytes of text (node indices are 32-bit)
  size_t max_number_length = 512;          // characters of one number literal
};

enum class JsonType : uint8_t { kNull, kFalse, kTrue, kNumber, kString, kArray, kObject };

class JsonDocument;

// A view of one value in a JsonDocument (valid while the document lives). A default-constructed
// or "not found" value has exists() == false.
class JsonValue {
 public:
  JsonValue() = default;
  bool exists() const { return doc_ != nullptr; }
  JsonType type() const;
  bool is_null() const { return exists() && type() == JsonType::kNull; }
  bool is_number() const { return exists() && type() == JsonType::kNumber; }
  bool is_string() const { return exists() && type() == JsonType::kString; }
  bool is_bool() const { return exists() && (type() == JsonType::kTrue || type() == JsonType::kFalse); }
  bool is_array() const { return exists() && type() == JsonType::kArray; }
  bool is_object() const { return exists() && type() == JsonType::kObject; }
  double number() const;            // kNumber only
  bool boolean() const { return type() == JsonType::kTrue; }
  std::string_view string() const;  // kString only
  // Arrays: element count; objects: member count.
  uint32_t size() const;
  // Objects: the member named `key`, or a non-existing value. Throws ModelFormat when the key is
  // present twice (a strict reader does not pick one silently).
  JsonValue get(std::string_view key) const;
  // Arrays: the elements in order (one pass over the subtree).
  std::vector<JsonValue> elements() const;
  // Arrays: calls f(index, value) for each element without building a vector.
  template <class F>
  void for_each(F&& f) const;
  // A short description of the value's type for messages ("an array", "a string", ...).
  const char* type_name() const;

 private:
  friend class JsonDocument;
  JsonValue(const JsonDocument* doc, uint32_t index) : doc_(doc), index_(index) {}
  uint32_t first_child() const { return index_ + 1; }
  uint32_t next_sibling(uint32_t i) const;
  const JsonDocument* doc_ = nullptr;
  uint32_t index_ = 0;
};

class JsonDocument {
 public:
  // Parses `size` bytes of UTF-8 text. Throws ModelFormat on any defect or exceeded limit.
  static JsonDocument parse(const char* data, size_t size, const JsonLimits& limits = JsonLimits());
  JsonValue root() const { return JsonValue(this, 0); }
  size_t num_nodes() const { return nodes_.size(); }

 private:
  friend class JsonValue;
  friend class JsonParser;
  struct Node {
    JsonType type;
    uint32_t size;  // string: bytes; array: elements; object: members
    union {
      double number;
      uint64_t offset;  // string: start in pool_
      uint64_t next;    // array / object: index of the first node after the subtree
    };
  };
  std::vector<Node> nodes_;
  std::string pool_;
};

inline JsonType JsonValue::type() const { return doc_->nodes_[index_].type; }

inline uint32_t JsonValue::next_sibling(uint32_t i) const {
  const JsonDocument::Node& n = doc_->nodes_[i];
  return n.type == JsonType::kArray || n.type == JsonType::kObject ? static_cast<uint32_t>(n.next) : i + 1;
}

template <class F>
void JsonValue::for_each(F&& f) const {
  const uint32_t n = size();
  uint32_t child = first_child();
  for (uint32_t k = 0; k < n; ++k) {
    f(k, JsonValue(doc_, child));
    child = next_sibling(child);
  }
}

}  // namespace ensemblekit
