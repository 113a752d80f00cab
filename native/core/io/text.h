// Scanning untrusted model text, shared by the JSON reader and the LightGBM text reader: decimal
// numbers to double, correctly rounded and independent of the C locale (strtod reads the radix
// character from LC_NUMERIC, which a host process may have changed), and UTF-8 validation.
#pragma once

#include <cstddef>
#include <string_view>

namespace ensemblekit {

// Longest literal accepted (longer ones are refused, so no input makes conversion slow).
constexpr size_t kMaxDecimalLength = 512;

// Reads [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)? — the whole of `text`, nothing
// else. Returns false when `text` does not match or is longer than kMaxDecimalLength. A literal
// beyond the double range gives +-infinity (callers decide whether that is acceptable).
bool parse_decimal(std::string_view text, double* out);

// The offset of the first byte of `text` that is not part of valid UTF-8 (RFC 3629: shortest
// forms, no surrogates, nothing above U+10FFFF), or text.size() when all of it is valid.
size_t invalid_utf8_offset(std::string_view text);

}  // namespace ensemblekit
