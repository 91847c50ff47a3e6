#pragma once
// Test helper for the REST end-to-end suites: transport options for kraken-sim's REST endpoint
// with its demo account's credentials, the given tier, and short retry pauses.

#include <chrono>

#include "kgw/core/kraken/rest_transport.hpp"
#include "kgw/sim/simulator.hpp"

namespace kgw::sim {

inline kraken::RestTransportOptions sim_rest_options(const SimulatorEndpoints& ep, kraken::Tier tier = kraken::Tier::pro) {
  kraken::RestTransportOptions o;
  o.http.base_url = ep.rest;
  o.credentials = kraken::RestCredentials{Secret(ep.api_key), Secret(ep.api_secret)};
  o.governor.tier = tier;
  o.backoff = std::chrono::milliseconds(5);
  return o;
}

}  // namespace kgw::sim
