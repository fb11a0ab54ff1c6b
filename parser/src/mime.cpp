#include "mime.h"

#include <mimetic/mimetic.h>

#include <istream>
#include <memory>
#include <streambuf>

#include "codec.h"
#include "text.h"

namespace ndrlink::parser {
namespace {

// A read-only streambuf over caller memory, so mimetic's istream loader
// (which avoids its string-iterator boundary bug) reads without a copy.

// Upper bound on MIME nesting: every multipart or message/rfc822 content
// type could open a level. Counting is linear and cannot be fooled into
// under-counting, so it is a safe gate before the recursive parser.
int nesting_upper_bound(std::string_view raw) {
  int count = 0;
  std::size_t pos = 0;
  while ((pos = text::ifind(raw, "content-type", pos)) != std::string_view::npos) {
    pos += 12;
    std::size_t p = pos;
    while (p < raw.size() && (raw[p] == ' ' || raw[p] == '\t' || raw[p] == ':' || raw[p] == '\r' || raw[p] == '\n')) ++p;
    const auto rest = raw.substr(p, 16);
    if (text::istarts_with(rest, "multipart/") || text::istarts_with(rest, "message/rfc822") ||
        text::istarts_with(rest, "message/global"))
      ++count;
  }
  return count;
}

// Copies `raw` with every line cut to `max_line` bytes; mimetic grows its
// header buffer 128 bytes at a time, so a megabyte line is quadratic there.
// What mimetic is given: LF line ends (CRLF and lone CR before LF
// dropped) and lines cut at `max_line`. One copy, and it removes the
// trigger of mimetic's boundary-after-CRLF underflow (dependencies.md,
// defect 2), so the fast iterator parser can be used instead of istream.
std::string normalize_for_mimetic(std::string_view raw, std::size_t max_line) {
  std::string out;
  out.reserve(raw.size());
  std::size_t pos = 0;
  while (pos < raw.size()) {
    const std::size_t nl = raw.find('\n', pos);
    std::size_t end = nl == std::string_view::npos ? raw.size() : nl;
    std::size_t content_end = end;
    while (content_end > pos && raw[content_end - 1] == '\r' && nl != std::string_view::npos) --content_end;
    out.append(raw.substr(pos, std::min(content_end - pos, max_line)));
    if (nl != std::string_view::npos) out.push_back('\n');
    pos = end + 1;
  }
  return out;
}

// True when the line before `line_start` is a "Content-Type: ...;" field
// line, so an unindented "boundary=" line continues it.
bool continues_content_type(std::string_view raw, std::size_t line_start) {
  if (line_start < 2) return false;
  const std::size_t prev_end = line_start - 1;  // the '\n' ending the previous line
  const std::size_t nl = raw.rfind('\n', prev_end - 1);
  const std::size_t prev_start = nl == std::string_view::npos ? 0 : nl + 1;
  const auto prev = text::trim(raw.substr(prev_start, prev_end - prev_start));
  return text::istarts_with(prev, "content-type:") && prev.ends_with(';');
}

// Some gateways (vtext.com, Apache James) write a Content-Type's boundary
// parameter on an unindented line of its own; readers then lose the
// multipart. Returns a copy with those lines folded, or empty when none.
std::string fold_bare_boundary_lines(std::string_view raw) {
  std::string out;
  std::size_t copied = 0, pos = 0;
  while ((pos = text::ifind(raw, "\nboundary=", pos)) != std::string_view::npos) {
    ++pos;
    if (!continues_content_type(raw, pos)) continue;
    if (out.empty()) out.reserve(raw.size() + 16);
    out.append(raw.substr(copied, pos - copied));
    out.push_back('\t');
    copied = pos;
  }
  if (!out.empty()) out.append(raw.substr(copied));
  return out;
}

Fields convert_header(const mimetic::Header& h) {
  std::vector<Field> out;
  out.reserve(h.size());
  for (const auto& f : h) {
    std::string value = text::squeeze_spaces(f.value());
    out.push_back(Field{std::string(f.name().begin(), f.name().end()), std::move(value)});
  }
  return Fields(std::move(out));
}

// Parameter `name` of a Content-Type value; handles quotes.
std::string content_type_param(std::string_view value, std::string_view name) {
  std::size_t pos = 0;
  while ((pos = text::ifind(value, name, pos)) != std::string_view::npos) {
    const bool at_start = pos > 0 && (value[pos - 1] == ';' || value[pos - 1] == ' ' || value[pos - 1] == '\t');
    std::size_t p = pos + name.size();
    while (p < value.size() && value[p] == ' ') ++p;
    if (!at_start || p >= value.size() || value[p] != '=') {
      pos += name.size();
      continue;
    }
    ++p;
    while (p < value.size() && value[p] == ' ') ++p;
    if (p < value.size() && value[p] == '"') {
      const std::size_t q = value.find('"', p + 1);
      return std::string(value.substr(p + 1, (q == std::string_view::npos ? value.size() : q) - p - 1));
    }
    std::size_t e = p;
    while (e < value.size() && value[e] != ';' && value[e] != ' ') ++e;
    return std::string(value.substr(p, e - p));
  }
  return {};
}

std::string media_type(std::string_view content_type) {
  auto semi = content_type.find(';');
  auto t = text::lower(text::trim(content_type.substr(0, semi)));
  if (t.empty() || t.find('/') == std::string::npos) return "text/plain";
  return t;
}

struct Frame {
  const mimetic::MimeEntity* entity;
  int depth;
  bool in_message;
};

// Walks the entity tree iteratively (no recursion of ours on hostile depth).
void flatten(const mimetic::MimeEntity& root, MimeMessage& out) {
  std::vector<Frame> stack{{&root, 0, false}};
  while (!stack.empty()) {
    const Frame frame = stack.back();
    stack.pop_back();
    const auto& e = *frame.entity;
    Fields headers = frame.depth == 0 ? out.headers : convert_header(e.header());
    const std::string ctype_raw(headers.get("Content-Type"));
    const std::string type = media_type(ctype_raw);
    const auto& children = e.body().parts();
    if (frame.depth > 0 && (type == "message/rfc822" || type == "message/global")) {
      // The attached message's own header is its child entity's header.
      if (!children.empty()) {
        out.attached_headers.push_back(convert_header(children.front()->header()));
        stack.push_back({children.front(), frame.depth + 1, true});
        // Its top-level header belongs to attached_headers; mark the frame
        // so the child is treated as a body-bearing entity below.
      }
      continue;
    }
    if (!children.empty()) {
      for (auto it = children.rbegin(); it != children.rend(); ++it)
        stack.push_back({*it, frame.depth + 1, frame.in_message});
      continue;
    }
    MimePart part;
    // A multipart whose boundary never occurs (mangled by a relay): its body
    // is all there is to read, as text.
    part.type = type.rfind("multipart/", 0) == 0 ? "text/plain" : type;
    part.charset = text::lower(content_type_param(ctype_raw, "charset"));
    part.depth = frame.depth;
    part.in_attached_message = frame.in_message;
    std::string decoded = codec::decode_transfer(e.body(), headers.get("Content-Transfer-Encoding"));
    if (decoded.empty() && type != part.type) decoded = e.body().preamble();  // mimetic keeps it there
    if (type.rfind("text/", 0) == 0) decoded = codec::to_utf8(decoded, part.charset);
    part.body = std::move(decoded);
    part.headers = std::move(headers);
    out.parts.push_back(std::move(part));
  }
}

void fallback_single_part(std::string_view raw, MimeMessage& out) {
  std::size_t consumed = 0;
  out.headers = parse_fields(raw, &consumed);
  MimePart part;
  part.type = "text/plain";
  part.body = codec::sanitize_utf8(raw.substr(consumed));
  out.parts.push_back(std::move(part));
}

}  // namespace

MimeMessage read_mime(std::string_view raw, const MimeLimits& limits) {
  MimeMessage out;
  // An mbox separator line ("From MAILER-DAEMON Tue Mar 02 ...") is not a
  // header field; mail saved from an mbox starts with one.
  if (raw.starts_with("From ")) {
    const auto nl = raw.find('\n');
    raw = nl == std::string_view::npos ? std::string_view{} : raw.substr(nl + 1);
  }
  if (nesting_upper_bound(raw) > limits.max_depth) {
    out.error = "MIME nesting deeper than " + std::to_string(limits.max_depth) + " levels";
    fallback_single_part(raw, out);
    return out;
  }
  std::string folded = fold_bare_boundary_lines(raw);
  if (!folded.empty()) raw = folded;
  const std::string normalized = normalize_for_mimetic(raw, limits.max_line_bytes);
  raw = normalized;
  try {
    auto root = std::make_unique<mimetic::MimeEntity>(normalized.cbegin(), normalized.cend());
    out.headers = convert_header(root->header());
    flatten(*root, out);
  } catch (const std::exception& e) {
    out = MimeMessage{};
    out.error = std::string("MIME structure unreadable: ") + e.what();
    fallback_single_part(raw, out);
  }
  return out;
}

}  // namespace ndrlink::parser
