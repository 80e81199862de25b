#include "ems/protocols/redfish/uri.hpp"

#include "ems/protocols/redfish/error.hpp"

namespace ems::protocols::redfish {

std::string normalize_uri(std::string_view uri) {
  const auto bad = [&](std::string_view why) {
    return RedfishError(ErrorKind::invalid_argument,
                        "redfish: invalid URI '" + std::string(uri) + "': " + std::string(why));
  };
  if (uri.find_first_of("?#") != std::string_view::npos) throw bad("query or fragment");
  std::string_view rest = uri;
  if (rest.starts_with(kServiceRoot) &&
      (rest.size() == kServiceRoot.size() || rest[kServiceRoot.size()] == '/'))
    rest.remove_prefix(kServiceRoot.size());
  std::string out(kServiceRoot);
  std::size_t pos = 0;
  while (pos <= rest.size()) {
    const std::size_t slash = rest.find('/', pos);
    const std::size_t end = slash == std::string_view::npos ? rest.size() : slash;
    const std::string_view segment = rest.substr(pos, end - pos);
    if (segment == "." || segment == "..") throw bad("dot segment");
    if (segment.empty()) {
      // A leading or trailing slash is fine; an empty segment in the middle is not.
      if (pos != 0 && end != rest.size()) throw bad("empty segment");
    } else {
      out += '/';
      out += segment;
    }
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return out;
}

std::string parent_uri(std::string_view absolute_uri) {
  if (absolute_uri == kServiceRoot) return {};
  const auto slash = absolute_uri.rfind('/');
  return slash == std::string_view::npos ? std::string{}
                                         : std::string(absolute_uri.substr(0, slash));
}

std::string last_segment(std::string_view absolute_uri) {
  const auto slash = absolute_uri.rfind('/');
  return std::string(slash == std::string_view::npos ? absolute_uri
                                                     : absolute_uri.substr(slash + 1));
}

}  // namespace ems::protocols::redfish
