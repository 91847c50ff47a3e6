#pragma once
// In-memory TLS material for loopback servers (the simulator, tests): a self-signed certificate
// generated at start-up, and a server context built from PEM strings. Nothing touches the disk,
// so there are no key files to leak or clean up, and a client trusts the server by loading the
// same certificate PEM as its CA (TlsOptions::ca_pem).

#include "kgw/core/error.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace kgw::net {

struct PemKeyPair {
  std::string cert_pem;  // the certificate (chain), leaf first
  std::string key_pem;   // PKCS#8 private key, unencrypted: keep it in memory only
};

struct SelfSignedOptions {
  std::string common_name = "localhost";
  std::vector<std::string> dns_names{"localhost"};
  std::vector<std::string> ip_addresses{"127.0.0.1"};
  // Short on purpose: the certificate is regenerated every start and is only ever meant for
  // loopback. Starts an hour in the past so a slightly skewed client clock still accepts it.
  std::chrono::hours validity{24 * 7};
};

// A fresh EC P-256 key and a self-signed X.509 v3 certificate for it (SAN: the DNS names and
// IP addresses, serverAuth). It is its own trust anchor (CA:TRUE, pathlen 0), so a client that
// loads cert_pem as its CA verifies the server including the host-name check.
// Errors: invalid_argument (an IP address that does not parse), tls_error (OpenSSL failed).
// Thread-safe; a key generation costs about a millisecond.
result<PemKeyPair> make_self_signed_certificate(const SelfSignedOptions& options = {});

// A TLS >= 1.2 server context using `cert_pem` (leaf first, then any intermediates) and
// `key_pem`. Errors: tls_error (bad PEM, key does not match the certificate). The context is
// immutable once built and may be shared by every connection of a server.
result<std::shared_ptr<boost::asio::ssl::context>> make_server_tls_context(std::string_view cert_pem,
                                                                          std::string_view key_pem);

}  // namespace kgw::net
