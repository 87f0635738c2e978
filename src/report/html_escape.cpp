#include "report/html_escape.h"

#include <cctype>
#include <nlohmann/json.hpp>

namespace osc::report {

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string json_for_script(const nlohmann::json& value) {
  // ensure_ascii turns every non-ASCII character (U+2028/2029 included) into \u escapes.
  const std::string text = value.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else out += c;
  }
  return out;
}

namespace {

bool starts_with_ci(std::string_view text, size_t at, std::string_view word) {
  if (text.size() - at < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[at + i])) != word[i]) return false;
  return true;
}

}  // namespace

std::string script_for_html(std::string_view code) {
  std::string out;
  out.reserve(code.size());
  for (size_t i = 0; i < code.size(); ++i) {
    if (code[i] == '<' && starts_with_ci(code, i, "</script")) {
      out += "<\\/";
      ++i;  // skip the '/', the rest is copied as is
      continue;
    }
    if (code[i] == '<' && starts_with_ci(code, i, "<!--")) {
      out += "<\\!";
      ++i;
      continue;
    }
    out += code[i];
  }
  return out;
}

}  // namespace osc::report
