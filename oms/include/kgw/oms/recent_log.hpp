#pragma once
// RecentLog<T>: the newest N values of an append-only stream (own fills, recently closed
// orders) as an immutable view that readers keep as long as they like. RecentLogWriter<T> owns
// the stream (one writer thread) and hands out views without copying values: values sit in fixed
// pages of shared_ptr<const T>, and the writer only ever writes slots past the end of every view
// it has published, so a view reads only slots written before it was handed out (publishing the
// view, through SnapshotCell, orders those writes before the reader's reads). Views share pages;
// a page leaves the writer once all its values are older than the newest N, and is freed when
// the last view holding it goes. A view: any thread, read-only. The writer: one thread.

#include <array>
#include <cstddef>
#include <deque>
#include <memory>
#include <vector>

namespace kgw::oms {

template <class T>
class RecentLogWriter;

template <class T>
class RecentLog {
 public:
  static constexpr std::size_t kPage = 64;

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  // 0 = the oldest value of the view.
  const std::shared_ptr<const T>& at(std::size_t i) const noexcept {
    const std::size_t p = begin_ + i;
    return pages_[p / kPage]->items[p % kPage];
  }
  // 0 = the newest value.
  const std::shared_ptr<const T>& newest(std::size_t i) const noexcept { return at(size_ - 1 - i); }
  // The newest value for which pred(const T&) holds; null if none.
  template <class Pred>
  std::shared_ptr<const T> find_newest(Pred&& pred) const {
    for (std::size_t i = 0; i < size_; ++i)
      if (const auto& v = newest(i); pred(*v)) return v;
    return nullptr;
  }

 private:
  friend class RecentLogWriter<T>;
  struct Page {
    std::array<std::shared_ptr<const T>, kPage> items;
  };
  std::vector<std::shared_ptr<const Page>> pages_;
  std::size_t begin_ = 0;  // index of the oldest value in pages_[0]
  std::size_t size_ = 0;
};

template <class T>
class RecentLogWriter {
  using Page = typename RecentLog<T>::Page;
  static constexpr std::size_t kPage = RecentLog<T>::kPage;

 public:
  // Keeps the newest `capacity` values.
  explicit RecentLogWriter(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Returns the value forgotten to make room (null while the log is not full), for the
  // owner's indexes.
  std::shared_ptr<const T> append(std::shared_ptr<const T> v) {
    const std::size_t end = begin_ + size_;
    if (end == pages_.size() * kPage) pages_.push_back(std::make_shared<Page>());
    pages_.back()->items[end % kPage] = std::move(v);
    ++size_;
    std::shared_ptr<const T> forgotten;
    if (size_ > capacity_) {  // forget the oldest; a page goes once all its values are forgotten
      forgotten = pages_.front()->items[begin_];
      ++begin_;
      --size_;
      if (begin_ == kPage) {
        pages_.pop_front();
        begin_ = 0;
      }
    }
    return forgotten;
  }

  // A view of the newest values appended so far.
  std::shared_ptr<const RecentLog<T>> view() const {
    auto out = std::make_shared<RecentLog<T>>();
    out->pages_.assign(pages_.begin(), pages_.end());
    out->begin_ = begin_;
    out->size_ = size_;
    return out;
  }

  std::size_t size() const noexcept { return size_; }
  template <class Pred>
  std::shared_ptr<const T> find_newest(Pred&& pred) const {
    for (std::size_t i = size_; i-- > 0;) {
      const std::size_t p = begin_ + i;
      if (const auto& v = pages_[p / kPage]->items[p % kPage]; pred(*v)) return v;
    }
    return nullptr;
  }

 private:
  std::size_t capacity_;
  std::deque<std::shared_ptr<Page>> pages_;
  std::size_t begin_ = 0, size_ = 0;
};

}  // namespace kgw::oms
