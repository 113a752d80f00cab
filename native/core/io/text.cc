#include "text.h"

#include <cstdint>
#include <cstdlib>

namespace ensemblekit {

bool parse_decimal(std::string_view text, double* out) {
  if (text.empty() || text.size() > kMaxDecimalLength) return false;
  size_t i = 0;
  const size_t n = text.size();
  bool negative = false;
  if (text[i] == '+' || text[i] == '-') negative = text[i++] == '-';
  // Significant digits go to `digits` without the '.', which is folded into the exponent: strtod
  // then sees only digits and an exponent, which no locale changes.
  char digits[kMaxDecimalLength + 32];
  size_t nd = 0;
  long exponent = 0;
  bool nonzero = false, any = false;
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  while (i < n && is_digit(text[i])) {
    nonzero |= text[i] != '0';
    digits[nd++] = text[i++];
    any = true;
  }
  if (i < n && text[i] == '.') {
    ++i;
    while (i < n && is_digit(text[i])) {
      nonzero |= text[i] != '0';
      digits[nd++] = text[i++];
      --exponent;
      any = true;
    }
  }
  if (!any) return false;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool neg_exp = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) neg_exp = text[i++] == '-';
    if (i == n || !is_digit(text[i])) return false;
    long e = 0;
    while (i < n && is_digit(text[i])) {
      if (e < 100000000) e = e * 10 + (text[i] - '0');  // saturates far beyond any double
      ++i;
    }
    exponent += neg_exp ? -e : e;
  }
  if (i != n) return false;
  double v = 0.0;
  // Fast path (Clinger): at most 15 significant digits are exact in a double, and so is 10^k for
  // k <= 22, so one multiplication or division rounds correctly.
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  size_t first = 0;
  while (first < nd && digits[first] == '0') ++first;
  if (nonzero && nd - first <= 15 && exponent >= -22 && exponent <= 22) {
    uint64_t m = 0;
    for (size_t k = first; k < nd; ++k) m = m * 10 + static_cast<uint64_t>(digits[k] - '0');
    const double md = static_cast<double>(m);
    v = exponent < 0 ? md / kPow10[-exponent] : md * kPow10[exponent];
  } else if (nonzero) {
    // "e<exponent>" by hand (snprintf costs more than the conversion itself).
    digits[nd++] = 'e';
    if (exponent < 0) digits[nd++] = '-';
    char rev[24];
    int nr = 0;
    unsigned long e = static_cast<unsigned long>(exponent < 0 ? -exponent : exponent);
    do {
      rev[nr++] = static_cast<char>('0' + e % 10);
      e /= 10;
    } while (e != 0);
    while (nr > 0) digits[nd++] = rev[--nr];
    digits[nd] = '\0';
    v = std::strtod(digits, nullptr);
  }
  *out = negative ? -v : v;
  return true;
}

size_t invalid_utf8_offset(std::string_view text) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
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
      return i;
    }
    if (n - i < len || p[i + 1] < lo || p[i + 1] > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i;
    }
    i += len;
  }
  return n;
}

}  // namespace ensemblekit
