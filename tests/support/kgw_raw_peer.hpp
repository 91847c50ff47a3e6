#pragma once
// A deliberately primitive client for hostile-input tests: blocking POSIX sockets to 127.0.0.1,
// an HTTP/1.1 request written by hand, and a WebSocket client that frames bytes itself, so a test
// can send what no well-behaved library would (binary frames, invalid UTF-8, a 16 MB frame, a
// header announcing more than it sends). Every read has a timeout, so a test never hangs.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kgw::test {

class RawSocket {
 public:
  RawSocket(unsigned short port, std::chrono::milliseconds timeout) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) close();
  }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;
  ~RawSocket() { close(); }

  bool ok() const { return fd_ >= 0; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // All of `data`, or false (the peer closed, reset, or stopped reading for the timeout).
  bool write_all(std::string_view data) {
    while (!data.empty() && fd_ >= 0) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return data.empty();
  }
  // Exactly n bytes, or nullopt (closed or timed out).
  std::optional<std::string> read_exact(std::size_t n) {
    std::string out;
    while (out.size() < n) {
      if (buf_.empty() && !fill()) return std::nullopt;
      const std::size_t take = std::min(n - out.size(), buf_.size());
      out.append(buf_, 0, take);
      buf_.erase(0, take);
    }
    return out;
  }
  // Up to and including `delim`, or nullopt.
  std::optional<std::string> read_until(std::string_view delim, std::size_t max = 1 << 20) {
    for (;;) {
      if (auto at = buf_.find(delim); at != std::string::npos) {
        std::string out = buf_.substr(0, at + delim.size());
        buf_.erase(0, at + delim.size());
        return out;
      }
      if (buf_.size() > max || !fill()) return std::nullopt;
    }
  }
  // Everything until the peer closes (or the timeout).
  std::string read_to_end() {
    while (fill()) {
    }
    return std::exchange(buf_, {});
  }

 private:
  bool fill() {
    if (fd_ < 0) return false;
    char tmp[65536];
    const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buf_;
};

struct RawHttpResponse {
  int status = 0;  // 0: no answer
  std::string body;
};

// One request on its own connection (`Connection: close`).
inline RawHttpResponse raw_http(unsigned short port, std::string_view method, std::string_view target,
                                const std::vector<std::pair<std::string, std::string>>& headers = {},
                                std::string_view body = {},
                                std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  RawSocket s(port, timeout);
  RawHttpResponse r;
  if (!s.ok()) return r;
  std::string req = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  req += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  req += body;
  if (!s.write_all(req)) return r;
  const std::string all = s.read_to_end();
  if (all.size() < 12 || all.compare(0, 5, "HTTP/") != 0) return r;
  r.status = std::atoi(all.c_str() + 9);
  if (auto at = all.find("\r\n\r\n"); at != std::string::npos) r.body = all.substr(at + 4);
  return r;
}

// A WebSocket client (RFC 6455) that frames by hand. Messages it reads are reassembled from
// continuation frames; pings are not answered (tests are short).
class RawWebSocket {
 public:
  enum Opcode : std::uint8_t { kContinuation = 0, kText = 1, kBinary = 2, kClose = 8, kPing = 9, kPong = 10 };
  struct Message {
    std::uint8_t opcode = 0;
    std::string payload;
  };

  RawWebSocket(unsigned short port, std::chrono::milliseconds timeout = std::chrono::seconds(10))
      : s_(port, timeout) {
    if (!s_.ok()) return;
    const std::string req =
        "GET /v2 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    if (!s_.write_all(req)) return;
    auto head = s_.read_until("\r\n\r\n");
    open_ = head && head->compare(0, 12, "HTTP/1.1 101") == 0;
  }

  bool open() const { return open_; }

  // One frame, masked as a client must. `declared` > payload size announces more than is sent.
  bool send_frame(std::uint8_t opcode, std::string_view payload, bool fin = true,
                  std::optional<std::uint64_t> declared = std::nullopt) {
    const std::uint64_t len = declared.value_or(payload.size());
    std::string f;
    f += static_cast<char>((fin ? 0x80 : 0x00) | opcode);
    if (len < 126) {
      f += static_cast<char>(0x80 | len);
    } else if (len <= 0xFFFF) {
      f += static_cast<char>(0x80 | 126);
      f += static_cast<char>(len >> 8);
      f += static_cast<char>(len & 0xFF);
    } else {
      f += static_cast<char>(0x80 | 127);
      for (int i = 7; i >= 0; --i) f += static_cast<char>((len >> (8 * i)) & 0xFF);
    }
    const char mask[4] = {0x12, 0x34, 0x56, 0x78};
    f.append(mask, 4);
    const std::size_t head = f.size();
    f += payload;
    for (std::size_t i = head; i < f.size(); ++i) f[i] = static_cast<char>(f[i] ^ mask[(i - head) % 4]);
    return s_.write_all(f);
  }
  bool send_text(std::string_view text) { return send_frame(kText, text); }

  // The next whole message (text, binary, close, ping or pong), or nullopt on timeout/EOF.
  std::optional<Message> read() {
    Message m;
    for (;;) {
      auto h = s_.read_exact(2);
      if (!h) return std::nullopt;
      const auto b0 = static_cast<std::uint8_t>((*h)[0]), b1 = static_cast<std::uint8_t>((*h)[1]);
      std::uint64_t len = b1 & 0x7F;
      if (len == 126 || len == 127) {
        auto ext = s_.read_exact(len == 126 ? 2 : 8);
        if (!ext) return std::nullopt;
        len = 0;
        for (char c : *ext) len = (len << 8) | static_cast<std::uint8_t>(c);
      }
      if (len > (std::uint64_t{64} << 20)) return std::nullopt;
      auto body = s_.read_exact(static_cast<std::size_t>(len));
      if (!body) return std::nullopt;
      const std::uint8_t op = b0 & 0x0F;
      if (op != kContinuation) m.opcode = op;
      m.payload += *body;
      if (b0 & 0x80) return m;
    }
  }
  // The next text message, skipping others; nullopt on timeout, EOF or a close frame.
  std::optional<std::string> read_text() {
    for (int i = 0; i < 1000; ++i) {
      auto m = read();
      if (!m || m->opcode == kClose) return std::nullopt;
      if (m->opcode == kText) return std::move(m->payload);
    }
    return std::nullopt;
  }
  // The next text message that contains `needle`; nullopt if none comes before the timeout.
  std::optional<std::string> read_text_containing(std::string_view needle) {
    for (int i = 0; i < 1000; ++i) {
      auto t = read_text();
      if (!t) return std::nullopt;
      if (t->find(needle) != std::string::npos) return t;
    }
    return std::nullopt;
  }
  // Reads until the server's close frame; its status code, or nullopt if the connection ended
  // (or timed out) without one.
  std::optional<std::uint16_t> read_close_code() {
    for (int i = 0; i < 100000; ++i) {
      auto m = read();
      if (!m) return std::nullopt;
      if (m->opcode == kClose && m->payload.size() >= 2)
        return static_cast<std::uint16_t>((static_cast<std::uint8_t>(m->payload[0]) << 8) |
                                          static_cast<std::uint8_t>(m->payload[1]));
      if (m->opcode == kClose) return std::uint16_t{1005};
    }
    return std::nullopt;
  }

 private:
  RawSocket s_;
  bool open_ = false;
};

}  // namespace kgw::test
