// Quoting outside input in error messages: a message stays one readable
// line whatever bytes a file holds (control bytes and non-ASCII as \xNN,
// long tokens cut).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace dispatchlab {

inline std::string PrintableToken(std::string_view s, std::size_t max_chars = 40) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (out.size() >= max_chars) {
      out += "...";
      break;
    }
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace dispatchlab
