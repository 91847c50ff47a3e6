#pragma once
// Test helper: an independent check of Kraken WS v2 book streams. TextBook keeps levels as the
// wire's decimal text and checksums them the way Kraken's docs describe (no fixed-point code
// shared with the product); read_book() pulls a book message's levels as raw number text.

#include <simdjson.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace kgw::test {

// Independent book: levels kept as the wire's decimal text, padded to the pair's precision as
// text (the capture went through a float round trip: `4.0` stands for 4.00000000), then
// checksummed as Kraken's docs describe: strip '.', strip leading zeros, asks ascending then
// bids descending, top 10, zlib's CRC-32.
struct TextBook {
  int price_decimals = 1, qty_decimals = 8, depth = 10;
  std::map<double, std::pair<std::string, std::string>> bids, asks;  // key orders only

  static std::string padded(std::string t, int decimals) {
    auto dot = t.find('.');
    if (dot == std::string::npos) {
      t += '.';
      dot = t.size() - 1;
    }
    while (static_cast<int>(t.size() - dot - 1) < decimals) t += '0';
    return t;
  }
  static std::string digits(std::string s) {
    s.erase(std::remove(s.begin(), s.end(), '.'), s.end());
    const auto nz = s.find_first_not_of('0');
    return nz == std::string::npos ? "" : s.substr(nz);
  }
  void apply(const std::vector<std::pair<std::string, std::string>>& levels, std::map<double, std::pair<std::string, std::string>>& side) {
    for (const auto& [px, q] : levels) {
      if (std::stod(q) == 0) side.erase(std::stod(px));
      else side[std::stod(px)] = {px, q};
    }
  }
  void truncate() {
    while (static_cast<int>(bids.size()) > depth) bids.erase(bids.begin());
    while (static_cast<int>(asks.size()) > depth) asks.erase(std::prev(asks.end()));
  }
  std::uint32_t checksum() const {
    std::string s;
    auto piece = [&](const std::pair<std::string, std::string>& l) {
      s += digits(padded(l.first, price_decimals)) + digits(padded(l.second, qty_decimals));
    };
    int n = 0;
    for (auto it = asks.begin(); it != asks.end() && n < 10; ++it, ++n) piece(it->second);
    n = 0;
    for (auto it = bids.rbegin(); it != bids.rend() && n < 10; ++it, ++n) piece(it->second);
    return static_cast<std::uint32_t>(::crc32(0, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size())));
  }
};

struct RawBookMsg {
  bool is_book = false, snapshot = false;
  std::vector<std::pair<std::string, std::string>> bids, asks;
  std::uint64_t checksum = 0;
};

inline RawBookMsg read_book(const std::string& text) {
  RawBookMsg out;
  simdjson::ondemand::parser p;
  simdjson::padded_string js(text);
  auto doc = p.iterate(js);
  for (auto f : doc.get_object()) {
    const std::string_view k = f.unescaped_key();
    if (k == "channel") out.is_book = std::string_view(f.value().get_string()) == "book";
    else if (k == "type") out.snapshot = std::string_view(f.value().get_string()) == "snapshot";
    else if (k == "data" && out.is_book) {
      for (auto item : f.value().get_array())
        for (auto g : item.get_object()) {
          const std::string_view gk = g.unescaped_key();
          if (gk == "checksum") out.checksum = g.value().get_uint64();
          else if (gk == "bids" || gk == "asks") {
            auto& side = gk == "bids" ? out.bids : out.asks;
            for (auto lvl : g.value().get_array()) {
              std::string px, q;
              for (auto h : lvl.get_object()) {
                const std::string_view hk = h.unescaped_key();
                std::string tok(std::string_view(h.value().raw_json_token().value()));
                while (!tok.empty() && tok.back() == ' ') tok.pop_back();
                (hk == "price" ? px : q) = tok;
              }
              side.emplace_back(px, q);
            }
          }
        }
    }
  }
  return out;
}

// Replays every book frame of a client's stream through a TextBook (a snapshot starts over) and
// compares the checksum each frame carries with the one the replayed book gives.
struct BookReplay {
  int verified = 0;                     // frames whose checksum matched
  std::vector<std::string> mismatched;  // frames whose checksum did not
};

inline BookReplay replay_books(const std::vector<std::string>& frames) {
  TextBook book;
  BookReplay r;
  for (const auto& text : frames) {
    const RawBookMsg m = read_book(text);
    if (!m.is_book) continue;
    if (m.snapshot) {
      book.bids.clear();
      book.asks.clear();
    }
    book.apply(m.bids, book.bids);
    book.apply(m.asks, book.asks);
    book.truncate();
    if (book.checksum() == m.checksum) ++r.verified;
    else r.mismatched.push_back(text);
  }
  return r;
}

}  // namespace kgw::test
