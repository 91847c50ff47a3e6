#include "kgw/core/kraken/api_key.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "kgw/core/kraken/signing.hpp"

namespace kgw::kraken {
namespace {

// Holds file contents that contain a credential and wipes them when it goes.
struct Wiped {
  std::string text;
  ~Wiped() { OPENSSL_cleanse(text.data(), text.size()); }
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

result<LoadedCredentials> make(std::string_view key, std::string_view secret, const std::string& origin) {
  if (key.empty()) return Error(errc::invalid_argument, fmt::format("{}: the API key is empty", origin));
  if (secret.empty()) return Error(errc::invalid_argument, fmt::format("{}: the API secret is empty", origin));
  if (auto decoded = base64_decode(secret); !decoded || decoded->empty()) {
    if (decoded) OPENSSL_cleanse(decoded->data(), decoded->size());
    return Error(errc::invalid_argument, fmt::format("{}: the API secret is not base64 (as Kraken issues it)", origin));
  } else {
    OPENSSL_cleanse(decoded->data(), decoded->size());
  }
  LoadedCredentials out;
  out.credentials.api_key = Secret(std::string(key));
  out.credentials.api_secret = Secret(std::string(secret));
  out.origin = origin;
  return out;
}

// Key on line 1, secret on line 2; anything after line 2 must be blank.
result<LoadedCredentials> from_file(const std::string& path, const std::string& origin) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Error(errc::invalid_argument, fmt::format("{}: cannot be read", origin));
  if (!S_ISREG(st.st_mode)) return Error(errc::invalid_argument, fmt::format("{}: not a regular file", origin));
  if ((st.st_mode & 077) != 0)
    return Error(errc::invalid_argument,
                 fmt::format("{}: group or others may access it (mode {:04o}); chmod 600 it", origin, st.st_mode & 07777));
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(errc::invalid_argument, fmt::format("{}: cannot be read", origin));
  Wiped content{std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>())};
  std::string_view rest(content.text);
  std::string_view lines[2];
  for (auto& line : lines) {
    const auto nl = rest.find('\n');
    line = trim(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  }
  if (lines[1].empty() || rest.find_first_not_of(" \t\r\n") != std::string_view::npos)
    return Error(errc::invalid_argument, fmt::format("{}: expected two lines (key, then secret)", origin));
  return make(lines[0], lines[1], origin);
}

}  // namespace

CredentialSources credential_sources(std::string key_file) {
  CredentialSources s;
  s.key_file = std::move(key_file);
  if (const char* k = std::getenv("KRAKEN_API_KEY")) s.env_key = k;
  if (const char* v = std::getenv("KRAKEN_API_SECRET")) s.env_secret = v;
  if (const char* d = std::getenv("CREDENTIALS_DIRECTORY")) s.credentials_directory = d;
  return s;
}

result<std::optional<LoadedCredentials>> load_credentials(const CredentialSources& s) {
  if (!s.key_file.empty()) {
    auto c = from_file(s.key_file, "--key-file " + s.key_file);
    if (!c) return c.error();
    return std::optional<LoadedCredentials>(std::move(*c));
  }
  if (s.env_key || s.env_secret) {
    if (!s.env_key || !s.env_secret)
      return Error(errc::invalid_argument, "environment: set both KRAKEN_API_KEY and KRAKEN_API_SECRET, or neither");
    auto c = make(trim(*s.env_key), trim(*s.env_secret), "environment");
    if (!c) return c.error();
    return std::optional<LoadedCredentials>(std::move(*c));
  }
  if (!s.credentials_directory.empty()) {
    const std::string path = s.credentials_directory + "/" + kSystemdCredentialName;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
      auto c = from_file(path, fmt::format("systemd credential {}", kSystemdCredentialName));
      if (!c) return c.error();
      return std::optional<LoadedCredentials>(std::move(*c));
    }
  }
  return std::optional<LoadedCredentials>();
}

}  // namespace kgw::kraken
