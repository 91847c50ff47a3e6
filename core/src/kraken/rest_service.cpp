#include "kgw/core/kraken/rest_service.hpp"

#include <boost/asio/executor_work_guard.hpp>

#include "kgw/core/log.hpp"
#include "kgw/core/thread_name.hpp"

namespace kgw::kraken {

result<std::unique_ptr<KrakenRestService>> KrakenRestService::start(RestTransportOptions options, const Clock& clock) {
  auto transport = KrakenRestTransport::create(std::move(options), clock);
  if (!transport) return transport.error();
  return std::unique_ptr<KrakenRestService>(new KrakenRestService(std::move(*transport)));
}

KrakenRestService::KrakenRestService(std::unique_ptr<KrakenRestTransport> transport)
    : transport_(std::move(transport)), client_(std::make_unique<KrakenRestClient>(*transport_)) {
  thread_ = std::thread([this] {
    set_thread_name("kgw-rest");
    auto work = boost::asio::make_work_guard(io_);
    io_.run();
  });
}

KrakenRestService::~KrakenRestService() {
  std::vector<std::shared_ptr<PendingBase>> left;
  {
    std::unique_lock lock(mu_);
    closing_ = true;
    idle_.wait_for(lock, std::chrono::milliseconds(grace_ms_.load(std::memory_order_relaxed)),
                   [this] { return pending_.empty(); });
    for (auto& [id, p] : pending_) left.push_back(p);
    pending_.clear();
  }
  io_.stop();
  thread_.join();
  if (!left.empty()) spdlog::warn("REST service: {} call(s) still in flight at shutdown completed as unknown outcomes", left.size());
  for (auto& p : left) p->cancel();
  client_.reset();
  transport_.reset();  // wipes the credentials; io_ (and suspended frames) go last
}

std::size_t KrakenRestService::abandon_in_flight() {
  std::vector<std::shared_ptr<PendingBase>> left;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, p] : pending_) left.push_back(p);
    pending_.clear();
  }
  idle_.notify_all();
  // Outside the lock: a completion may submit the next call.
  for (auto& p : left) p->cancel();
  return left.size();
}

std::uint64_t KrakenRestService::enter(std::shared_ptr<PendingBase> p) {
  std::lock_guard lock(mu_);
  if (closing_) return 0;
  const std::uint64_t id = next_id_++;
  pending_.emplace(id, std::move(p));
  return id;
}

void KrakenRestService::leave(std::uint64_t id) {
  std::lock_guard lock(mu_);
  pending_.erase(id);
  if (pending_.empty()) idle_.notify_all();
}

}  // namespace kgw::kraken
