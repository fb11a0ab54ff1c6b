// Google's own wording in its bounces (Gmail, Google Workspace): the
// reasons its fixed texts stand for, shared by the Gmail families.
#pragma once

#include <string_view>

namespace ndrlink::parser::family {

// The reason one of Google's known error texts in `text` stands for, or
// empty. Any case.
std::string_view google_reason(std::string_view text);

}  // namespace ndrlink::parser::family
