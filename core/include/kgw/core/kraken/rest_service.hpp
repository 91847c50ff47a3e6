#pragma once
// KrakenRestService: the daemon's one REST client per API key, callable from any thread. It owns
// the key's transport (credentials, nonce authority, rate governor) and the typed client, and
// runs them on one io_context thread of its own, so nonces are taken and requests leave in order
// whatever thread asked. Every public member is thread-safe. Calls submitted after shutdown began
// complete at once with errc::cancelled (never sent); calls in flight at shutdown get a grace
// period, then complete with errc::unknown_outcome (they may have executed; never silently
// dropped).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <thread>

#include "kgw/core/kraken/rest_client.hpp"

namespace kgw::kraken {

class KrakenRestService {
 public:
  template <class T>
  using Call = std::function<boost::asio::awaitable<result<T>>(KrakenRestClient&)>;

  // Creates the transport (errors: bad base_url, proxy, nonce state file) and starts the thread.
  static result<std::unique_ptr<KrakenRestService>> start(RestTransportOptions options, const Clock& clock);
  // Stops taking calls, lets in-flight ones finish for up to `shutdown_grace`, joins the thread.
  // The transport, and with it the credentials, are destroyed (wiped) here.
  ~KrakenRestService();
  KrakenRestService(const KrakenRestService&) = delete;
  KrakenRestService& operator=(const KrakenRestService&) = delete;

  // Runs `call` on the service thread; `done` is invoked on the service thread with the result
  // (keep it short: post elsewhere for real work). gRPC reactors and the oms use this.
  // Exception: once shutdown has begun, `done` runs at once on the calling thread, before
  // submit() returns, with errc::cancelled (so do not hold a lock `done` takes).
  template <class T>
  void submit(Call<T> call, std::function<void(result<T>)> done);
  // From a coroutine on any executor; resumes on the caller's executor. Name the Call before the
  // co_await (`Call<T> c = [..](KrakenRestClient& k) {..}; co_await svc.async_call<T>(std::move(c))`):
  // GCC 12 destroys a lambda temporary that lives across the suspension twice.
  template <class T>
  boost::asio::awaitable<result<T>> async_call(Call<T> call);
  // Blocks the calling thread until the result is in (tools, tests, start-up; never on the feed,
  // oms or gRPC threads).
  template <class T>
  result<T> call(Call<T> call);

  // Keys the trading counter by pair whatever the spelling (KrakenRestClient::set_registry);
  // applied on the service thread before the next call. The registry must outlive the service.
  void set_registry(const InstrumentRegistry* registry) {
    (void)call<bool>([registry](KrakenRestClient& c) { return apply_registry(c, registry); });
  }

  // Thread-safe headroom and counters (metrics, the Gateway service).
  const RateGovernor& governor() const noexcept { return transport_->governor(); }
  // The order manager charges amends, edits and cancels (their age penalties are its to know).
  RateGovernor& governor() noexcept { return transport_->governor(); }
  const KrakenRestTransport::Stats& stats() const noexcept { return transport_->stats(); }
  void set_shutdown_grace(std::chrono::milliseconds g) noexcept { grace_ms_.store(g.count(), std::memory_order_relaxed); }
  // Completes every call in flight now with errc::unknown_outcome (each may have reached Kraken),
  // as shutdown does after its grace, and goes on taking calls; a call's own late completion is
  // dropped. For an owner whose stop must not wait for Kraken past its deadline while it still
  // needs the service (the daemon: gRPC calls waiting for Kraken, then its cancel-all on stop).
  // Returns how many calls it completed.
  std::size_t abandon_in_flight();

 private:
  // A submitted call's completion; fired exactly once, by the call or by shutdown.
  struct PendingBase {
    virtual ~PendingBase() = default;
    virtual void cancel() = 0;
  };
  template <class T>
  struct Pending final : PendingBase {
    explicit Pending(std::function<void(result<T>)> d) : done(std::move(d)) {}
    void fire(result<T> r) {
      if (!fired.exchange(true, std::memory_order_acq_rel)) done(std::move(r));
    }
    // In flight at shutdown: it may have reached Kraken (an order may be live), so the caller
    // must look it up rather than assume it failed.
    void cancel() override { fire(Error(errc::unknown_outcome, "REST service shut down with the call in flight")); }
    std::function<void(result<T>)> done;
    std::atomic<bool> fired{false};
  };

  explicit KrakenRestService(std::unique_ptr<KrakenRestTransport> transport);
  // A free coroutine: its argument is copied into the frame (a capturing lambda coroutine would
  // dangle once the std::function holding it is gone).
  static boost::asio::awaitable<result<bool>> apply_registry(KrakenRestClient& c, const InstrumentRegistry* r) {
    c.set_registry(r);
    co_return true;
  }
  // Registers a call; 0 once shutdown began.
  std::uint64_t enter(std::shared_ptr<PendingBase> p);
  void leave(std::uint64_t id);
  static Error shut_down() { return Error(errc::cancelled, "REST service is shutting down"); }

  // io_ outlives the transport: coroutine frames still suspended at shutdown are destroyed with
  // it, after the transport closed its idle connections.
  boost::asio::io_context io_{1};
  std::unique_ptr<KrakenRestTransport> transport_;
  std::unique_ptr<KrakenRestClient> client_;
  std::atomic<std::int64_t> grace_ms_{2000};
  std::mutex mu_;
  std::condition_variable idle_;
  bool closing_ = false;                                             // guarded by mu_
  std::uint64_t next_id_ = 1;                                        // guarded by mu_
  std::map<std::uint64_t, std::shared_ptr<PendingBase>> pending_;    // guarded by mu_
  std::thread thread_;
};

template <class T>
void KrakenRestService::submit(Call<T> call, std::function<void(result<T>)> done) {
  auto pending = std::make_shared<Pending<T>>(std::move(done));
  const std::uint64_t id = enter(pending);
  if (id == 0) {
    pending->fire(shut_down());  // never started
    return;
  }
  try {
    boost::asio::co_spawn(io_, std::move(call)(*client_), [this, pending, id](std::exception_ptr ep, result<T> r) {
      if (ep) r = Error(errc::internal, "REST call threw");
      pending->fire(std::move(r));
      leave(id);
    });
  } catch (...) {  // building the call or spawning it failed (bad_alloc): complete it here
    leave(id);
    pending->fire(Error(errc::internal, "REST call could not be started"));
  }
}

template <class T>
boost::asio::awaitable<result<T>> KrakenRestService::async_call(Call<T> call) {
  // Completes through submit(), so shutdown resumes the caller with errc::cancelled instead of
  // leaving it suspended; the result is posted back to the caller's executor.
  co_return co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(result<T>)>(
      [this, &call](auto handler) {
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        // The caller's io_context counts the call as work until its result is posted back, so a
        // caller that stops by running out of work waits for its calls instead of being destroyed
        // under them (the result would be posted to a dead executor).
        auto work = std::make_shared<boost::asio::executor_work_guard<decltype(boost::asio::get_associated_executor(*h))>>(
            boost::asio::get_associated_executor(*h));
        submit<T>(std::move(call), [h, work](result<T> r) {
          boost::asio::post(work->get_executor(), [h, work, r = std::move(r)]() mutable {
            std::move (*h)(std::move(r));
            work->reset();
          });
        });
      },
      boost::asio::use_awaitable);
}

template <class T>
result<T> KrakenRestService::call(Call<T> call) {
  std::promise<result<T>> promise;
  auto future = promise.get_future();
  submit<T>(std::move(call), [&promise](result<T> r) { promise.set_value(std::move(r)); });
  return future.get();
}

}  // namespace kgw::kraken
