// Hook selection by glob: '*' matches any run of characters (dots included), '?' one character.
// "blocks.*.hook_resid_post" selects every layer's residual stream; "blocks.2.mlp.*" one MLP.
#pragma once
#include <string_view>

namespace osc {

bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace osc
