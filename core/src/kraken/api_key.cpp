#include "kgw/core/kraken/api_key.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "kgw/core/kraken/signing.hpp"

namespace kgw::kraken {

namespace {

// Blanks and a CR around a line's text (a file written on Windows, a trailing space).
std::string_view trimmed(std::string_view line) {
  constexpr std::string_view kBlank = " \t\r";
  const auto first = line.find_first_not_of(kBlank);
  if (first == std::string_view::npos) return {};
  return line.substr(first, line.find_last_not_of(kBlank) - first + 1);
}

// The pair as credentials, if both are usable: a secret must decode (Kraken issues it base64;
// signing would otherwise fail on every call, far from the cause).
result<RestCredentials> checked(std::string_view key, std::string_view secret, std::string_view where) {
  if (key.empty()) return Error(errc::invalid_argument, fmt::format("{}: no API key", where));
  if (secret.empty()) return Error(errc::invalid_argument, fmt::format("{}: no API secret", where));
  auto raw = base64_decode(secret);
  if (!raw || raw->empty()) return Error(errc::invalid_argument, fmt::format("{}: the API secret is not base64", where));
  const Secret wipe_decoded(std::move(*raw));
  return RestCredentials{Secret(std::string(key)), Secret(std::string(secret))};
}

}  // namespace

result<RestCredentials> read_api_key_file(const std::string& path) {
  const std::string where = "--key-file " + path;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Error(errc::invalid_argument, fmt::format("{}: no such file", where));
  if (!S_ISREG(st.st_mode)) return Error(errc::invalid_argument, fmt::format("{}: not a regular file", where));
  if (st.st_mode & (S_IRWXG | S_IRWXO))
    return Error(errc::invalid_argument, fmt::format("{}: group or others may access it (mode {:o}); chmod 600 it", where,
                                                     st.st_mode & 0777));
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return Error(errc::invalid_argument, fmt::format("{}: cannot be read", where));
  const Secret content(std::move(text).str());  // wiped when this returns
  std::string_view rest = content.reveal();
  std::string_view line[2];
  for (auto& l : line) {
    const auto end = rest.find('\n');
    l = trimmed(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  if (line[1].empty() || rest.find_first_not_of(" \t\r\n") != std::string_view::npos)
    return Error(errc::invalid_argument, fmt::format("{}: want the key on line 1 and the secret on line 2, nothing else", where));
  return checked(line[0], line[1], where);
}

result<std::optional<RestCredentials>> api_key_from_environment() {
  const char* key = std::getenv("KRAKEN_API_KEY");
  const char* secret = std::getenv("KRAKEN_API_SECRET");
  if (!key && !secret) return std::optional<RestCredentials>();
  if (!key || !secret)
    return Error(errc::invalid_argument, "environment: set both KRAKEN_API_KEY and KRAKEN_API_SECRET, or neither");
  auto c = checked(trimmed(key), trimmed(secret), "environment");
  if (!c) return c.error();
  return std::optional<RestCredentials>(std::move(*c));
}

}  // namespace kgw::kraken
