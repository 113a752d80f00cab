// Exceptions thrown by the core. The addon maps each onto a JS error class with the same meaning
// (lib/core/errors.ts); nothing in native/ aborts or exits on bad input.
#pragma once

#include <stdexcept>
#include <string>

namespace ensemblekit {

// Bad data: shapes, NaN/Inf where not allowed, out-of-range values. Maps to InvalidInputError.
class InvalidInput : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// A parameter outside its domain. Maps to InvalidParameterError.
class InvalidParameter : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// A serialized or imported model that cannot be read. Maps to ModelFormatError.
class ModelFormat : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Work stopped because the caller asked (AbortSignal). Maps to AbortError.
class Aborted : public std::runtime_error {
 public:
  Aborted() : std::runtime_error("The operation was aborted") {}
};

}  // namespace ensemblekit
