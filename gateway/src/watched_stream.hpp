#pragma once
// WatchedStream<Message>: the server-stream reactor every gateway stream is built on (DESIGN.md
// §3). Exactly one write is in flight; when it completes, or when the MarketWatch says something
// followed changed, next() builds the following message from the caches' latest values, so a
// slow client gets the newest state instead of a backlog (conflation), while absorb() moves what
// must not be conflated (trades, closed candles) into the stream's own bounded queues and ends
// the stream when they overflow. Nothing here blocks: the lock only guards this stream's state.
// Lifetime: owned by a shared_ptr it holds on itself from start() to OnDone(), so the watch can
// still call a stream that has just ended; after Finish nothing more is written.
// FinishedStream<Message>: a stream refused before it starts (bad arguments, placeholders).

#include <grpcpp/support/server_callback.h>
#include <grpcpp/support/status.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>

#include "grpc_status.hpp"
#include "kgw/gateway/errors.hpp"
#include "kgw/gateway/market_watch.hpp"

namespace kgw::gateway {

template <class Message>
class FinishedStream final : public grpc::ServerWriteReactor<Message> {
 public:
  explicit FinishedStream(const grpc::Status& status) { this->Finish(status); }
  void OnDone() override { delete this; }
};

template <class Message>
class WatchedStream : public grpc::ServerWriteReactor<Message>,
                      public StreamSink,
                      public std::enable_shared_from_this<WatchedStream<Message>> {
 public:
  explicit WatchedStream(MarketWatch& watch) : watch_(watch) {}

  // Registers with the watch and writes the first message if there is one. Call once, right
  // after construction by make_shared; returns the reactor for gRPC.
  grpc::ServerWriteReactor<Message>* start(Interest interest) {
    self_ = this->shared_from_this();
    watch_.add(self_, std::move(interest));
    pump();
    return this;
  }

  void wake() noexcept override { pump(); }
  // From a thread that must never wait (the order manager's): writes if the stream is idle and
  // free, else leaves a note that whoever holds the stream's lock takes up before letting go.
  void poke() noexcept {
    poked_.store(true);
    pump(false);
  }
  void close() noexcept override {
    end(to_grpc_status(fail(gateway_errc::shutting_down, "gateway shutting down")));
  }

  void OnWriteDone(bool ok) override {
    {
      std::lock_guard lock(mu_);
      writing_ = false;
      // The client is gone or the call was cancelled: OnCancel follows or has run.
      if (!ok && !pending_) pending_ = grpc::Status::CANCELLED;
    }
    pump();
  }
  void OnCancel() override { end(grpc::Status::CANCELLED); }
  void OnDone() override {
    watch_.remove(this);
    std::shared_ptr<WatchedStream> self;
    {
      std::lock_guard lock(mu_);
      self = std::move(self_);
    }
    // `self` may be the last owner: this object goes with it, after the lock is released.
  }

 protected:
  // Under the stream's lock. Moves new data into the stream's queues; a status ends the stream
  // (RESOURCE_EXHAUSTED when a queue is full). `writing`: a write is in flight, so what is queued
  // now waits for the client (while idle, next() is about to take it).
  virtual std::optional<grpc::Status> absorb(bool /*writing*/) { return std::nullopt; }
  // Under the stream's lock: fills `out` (cleared) with the next message; false when there is
  // nothing new to send.
  virtual bool next(Message& out) = 0;

  // Runs `f` under the stream's lock, as absorb() and next() run.
  template <class F>
  void locked(F&& f) {
    std::lock_guard lock(mu_);
    f();
  }

  // Ends the stream with `status` once the write in flight, if any, is done.
  void end(grpc::Status status) {
    {
      std::lock_guard lock(mu_);
      if (!pending_) pending_ = std::move(status);
    }
    pump();
  }

 private:
  // `may_wait` false: a poke, which gives up when another thread holds the lock (that thread
  // sees poked_ after letting go and passes again).
  void pump(bool may_wait = true) {
    for (;;) {
      Message* write = nullptr;
      std::optional<grpc::Status> finish;
      {
        std::unique_lock lock(mu_, std::defer_lock);
        if (may_wait) lock.lock();
        else if (!lock.try_lock()) return;
        poked_.exchange(false);  // this pass takes up every note left so far
        if (finished_) return;
        if (!pending_) pending_ = absorb(writing_);
        if (pending_) {
          if (!writing_) {
            finished_ = true;
            finish = std::move(pending_);
          }
        } else if (!writing_) {
          message_.Clear();
          if (next(message_)) {
            writing_ = true;
            write = &message_;
          }
        }
      }
      // Outside the lock: gRPC may run reactions on this thread. Callers that are not reactions
      // (the watch, a poke) hold the stream, so it outlives this loop.
      if (finish) {
        this->Finish(*finish);
        return;
      }
      if (write) this->StartWrite(write);
      if (!poked_.load()) return;
      may_wait = false;
    }
  }

  MarketWatch& watch_;
  std::mutex mu_;
  Message message_;                       // the write in flight; guarded by writing_
  bool writing_ = false;                  // guarded by mu_
  bool finished_ = false;                 // guarded by mu_: Finish called
  std::optional<grpc::Status> pending_;   // guarded by mu_: finish once the write is done
  std::shared_ptr<WatchedStream> self_;   // guarded by mu_: alive until OnDone
  std::atomic<bool> poked_{false};        // a poke found the lock taken
};

}  // namespace kgw::gateway
