#pragma once
// A Kraken API key for the command-line tools (kgw-oms), taken as the daemon takes it: from a key
// file (the key on line 1, the base64 secret Kraken issued on line 2, nothing after; refused when
// group or others may access the file) or from the environment (KRAKEN_API_KEY and
// KRAKEN_API_SECRET, both or neither). The values are Secrets from the moment they are read;
// errors say where a key came from and what is wrong with it, never the value.
// Start-up code only (reads a file and the environment).

#include <optional>
#include <string>

#include "kgw/core/error.hpp"
#include "kgw/core/kraken/rest_transport.hpp"

namespace kgw::kraken {

// errc::invalid_argument naming `--key-file PATH`: missing, not a regular file, readable by
// group or others, not two lines, an empty key, a secret that is not base64.
result<RestCredentials> read_api_key_file(const std::string& path);

// nullopt when neither variable is set; errc::invalid_argument when only one is, or a value is
// unusable as above.
result<std::optional<RestCredentials>> api_key_from_environment();

}  // namespace kgw::kraken
