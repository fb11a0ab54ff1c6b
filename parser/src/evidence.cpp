#include "evidence.h"

#include "codec.h"
#include "text.h"

namespace ndrlink::parser {
namespace {

// Minimal HTML to text: drops tags, script/style content, decodes the
// handful of entities bounces use. Good enough for phrase matching.
std::string html_to_text(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  std::size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    if (c == '<') {
      const std::size_t end = html.find('>', i);
      if (end == std::string_view::npos) break;
      const auto tag = text::lower(html.substr(i + 1, std::min<std::size_t>(end - i - 1, 8)));
      if (tag.rfind("script", 0) == 0 || tag.rfind("style", 0) == 0) {
        const std::size_t close = text::ifind(html, tag.rfind("script", 0) == 0 ? "</script" : "</style", end);
        i = close == std::string_view::npos ? html.size() : html.find('>', close) + 1;
        continue;
      }
      if (tag.rfind("br", 0) == 0 || tag.rfind("p", 0) == 0 || tag.rfind("/p", 0) == 0 || tag.rfind("div", 0) == 0 ||
          tag.rfind("tr", 0) == 0 || tag.rfind("li", 0) == 0 || tag.rfind("/td", 0) == 0)
        out.push_back(tag.rfind("/td", 0) == 0 ? ' ' : '\n');
      i = end + 1;
      continue;
    }
    if (c == '&') {
      static constexpr std::pair<std::string_view, std::string_view> entities[] = {
          {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}, {"&quot;", "\""}, {"&nbsp;", " "}, {"&#39;", "'"}};
      bool done = false;
      for (const auto& [ent, rep] : entities) {
        if (text::istarts_with(html.substr(i), ent)) {
          out.append(rep);
          i += ent.size();
          done = true;
          break;
        }
      }
      if (done) continue;
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

}  // namespace

Evidence build_evidence(const MimeMessage& mime) {
  Evidence ev(mime);
  ev.subject = codec::decode_header_words(mime.headers.get("Subject"));
  ev.from = codec::decode_header_words(mime.headers.get("From"));
  ev.from_address = text::lower(text::find_address(ev.from));
  bool have_rfc822_headers = false;
  for (const auto& part : mime.parts) {
    if (part.type == "message/delivery-status" || part.type == "message/global-delivery-status") {
      if (!ev.delivery_status) ev.delivery_status = &part;
      continue;
    }
    if (part.type == "message/feedback-report") {
      if (!ev.feedback_report) ev.feedback_report = &part;
      continue;
    }
    if (part.type == "text/rfc822-headers" || part.type == "message/global-headers") {
      if (!have_rfc822_headers) {
        ev.returned_headers = parse_fields(part.body);
        ev.has_returned_message = true;
        have_rfc822_headers = true;
      }
      continue;
    }
    if (part.in_attached_message) continue;
    if (part.type == "text/plain" || part.type == "text/enriched") {
      if (!ev.text.empty()) ev.text.push_back('\n');
      ev.text += part.body;
    } else if (part.type == "text/html") {
      // Only use HTML when there is no plain alternative.
      bool has_plain = false;
      for (const auto& p : mime.parts) has_plain |= (!p.in_attached_message && p.type == "text/plain" && p.depth == part.depth);
      if (!has_plain) {
        if (!ev.text.empty()) ev.text.push_back('\n');
        ev.text += html_to_text(part.body);
      }
    }
  }
  if (!have_rfc822_headers && !mime.attached_headers.empty()) {
    ev.returned_headers = mime.attached_headers.front();
    ev.has_returned_message = true;
  }
  return ev;
}

}  // namespace ndrlink::parser
