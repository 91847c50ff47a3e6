#pragma once
// A Kraken API key and secret, for the daemon and the command-line tools alike, from exactly one
// of (first found wins): `--key-file PATH` (key on line 1, base64 secret on line 2; refused
// when group or others may read it), the environment (KRAKEN_API_KEY and KRAKEN_API_SECRET, both or neither), or a
// systemd credential (LoadCredential=kraken-api:PATH, same two-line form, found in
// $CREDENTIALS_DIRECTORY). Never from the TOML config. Values are Secrets from the moment they
// are read; errors name the source, never the value. Start-up code only (reads files).

#include <optional>
#include <string>

#include "kgw/core/error.hpp"
#include "kgw/core/kraken/rest_transport.hpp"

namespace kgw::kraken {

struct CredentialSources {
  std::string key_file;                     // --key-file; empty: none
  std::optional<std::string> env_key, env_secret;  // KRAKEN_API_KEY / KRAKEN_API_SECRET as set
  std::string credentials_directory;        // $CREDENTIALS_DIRECTORY; empty: none
};

// The sources as this process sees them (the environment read here).
CredentialSources credential_sources(std::string key_file);

inline constexpr const char* kSystemdCredentialName = "kraken-api";

struct LoadedCredentials {
  RestCredentials credentials;
  std::string origin;  // "--key-file /etc/kgw/key", "environment", "systemd credential kraken-api"
};

// nullopt when no source holds credentials (public data only). Errors (errc::invalid_argument):
// an unreadable or too open key file, a missing line, a secret that is not base64, only one of
// the two environment variables.
result<std::optional<LoadedCredentials>> load_credentials(const CredentialSources& sources);

}  // namespace kgw::kraken
