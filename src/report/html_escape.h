// Escaping for text placed into report.html: HTML text and attributes, JSON data embedded in a
// <script type="application/json"> element, and script text inlined in a <script> element.
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace osc::report {

// & < > " ' as character references.
std::string escape_html(std::string_view text);
// JSON whose text can never end the enclosing script element: every '<', '>' and '&' (which occur
// only inside JSON strings) and U+2028/U+2029 become \u escapes; invalid UTF-8 is replaced.
std::string json_for_script(const nlohmann::json& value);
// Script source with every "</script" (any case) and "<!--" neutralised.
std::string script_for_html(std::string_view code);

}  // namespace osc::report
