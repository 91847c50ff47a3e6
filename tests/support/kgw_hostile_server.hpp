#pragma once
// A small hostile WebSocket server for robustness tests: on 127.0.0.1, an ephemeral port, one
// thread of plain POSIX sockets (no Beast server to compile). Either it accepts TCP and never
// says a word (a front end that hangs the upgrade), or it completes the upgrade and sends a
// fixed script of text frames on every connection, then stays silent. What the client sends is
// read and dropped. It stops by itself: when the object goes, or after `lifetime` at the latest.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace kgw::test {

class HostileWsServer {
 public:
  // Accepts TCP and never answers the upgrade.
  HostileWsServer() : HostileWsServer(false, {}) {}
  // Answers the upgrade, then sends `frames` as text frames, then nothing more.
  explicit HostileWsServer(std::vector<std::string> frames, std::chrono::seconds lifetime = std::chrono::seconds(60))
      : HostileWsServer(true, std::move(frames), lifetime) {}
  HostileWsServer(const HostileWsServer&) = delete;
  HostileWsServer& operator=(const HostileWsServer&) = delete;
  ~HostileWsServer() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
  }

  bool ok() const { return port_ != 0; }
  unsigned short port() const { return port_; }
  std::string url() const { return "ws://127.0.0.1:" + std::to_string(port_) + "/v2"; }
  int accepted() const { return accepted_.load(); }
  int upgraded() const { return upgraded_.load(); }

 private:
  struct Client {
    int fd = -1;
    std::string request;
    bool upgraded = false;
  };

  HostileWsServer(bool upgrade, std::vector<std::string> frames,
                  std::chrono::seconds lifetime = std::chrono::seconds(60))
      : upgrade_(upgrade), frames_(std::move(frames)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd_ < 0) return;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 16) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      return;
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this, until = std::chrono::steady_clock::now() + lifetime] { serve(until); });
  }

  void serve(std::chrono::steady_clock::time_point until) {
    std::vector<Client> clients;
    while (!stop_.load() && std::chrono::steady_clock::now() < until) {
      std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}};
      for (const auto& c : clients) fds.push_back({c.fd, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), 20) <= 0) continue;
      for (std::size_t i = 1; i < fds.size(); ++i)
        if (fds[i].revents != 0 && !on_readable(clients[i - 1])) {
          ::close(clients[i - 1].fd);
          clients[i - 1].fd = -1;
        }
      std::erase_if(clients, [](const Client& c) { return c.fd < 0; });
      if (fds[0].revents & POLLIN) {
        const int fd = ::accept(listen_fd_, nullptr, nullptr);
        if (fd < 0) continue;
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        accepted_.fetch_add(1);
        clients.push_back(Client{fd, {}, false});
      }
    }
    for (const auto& c : clients) ::close(c.fd);
  }

  // False when the client went away (or could not be answered).
  bool on_readable(Client& c) {
    char buf[4096];
    const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    if (!upgrade_ || c.upgraded) return true;  // dropped: silent, or frames we do not answer
    c.request.append(buf, static_cast<std::size_t>(n));
    if (c.request.find("\r\n\r\n") == std::string::npos) return c.request.size() < 65536;
    c.upgraded = true;
    std::string out = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Accept: " + accept_key(c.request) + "\r\n\r\n";
    for (const auto& f : frames_) out += text_frame(f);
    if (!write_all(c.fd, out)) return false;
    upgraded_.fetch_add(1);
    return true;
  }

  // RFC 6455 §4.2.2: base64(SHA-1(key + the protocol's GUID)).
  static std::string accept_key(const std::string& request) {
    std::string lower = request;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
    constexpr std::string_view kHeader = "sec-websocket-key:";
    const auto at = lower.find(kHeader);
    if (at == std::string::npos) return {};
    const auto begin = request.find_first_not_of(' ', at + kHeader.size());
    const auto end = request.find("\r\n", begin);
    const std::string key = request.substr(begin, end - begin) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    EVP_Digest(key.data(), key.size(), digest, &digest_len, EVP_sha1(), nullptr);
    unsigned char encoded[64] = {};
    const int n = EVP_EncodeBlock(encoded, digest, static_cast<int>(digest_len));
    return std::string(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(n));
  }

  // A server frame: FIN + text, unmasked (RFC 6455 §5.1).
  static std::string text_frame(std::string_view payload) {
    std::string f(1, static_cast<char>(0x81));
    const std::uint64_t len = payload.size();
    if (len < 126) {
      f += static_cast<char>(len);
    } else if (len <= 0xFFFF) {
      f += static_cast<char>(126);
      f += static_cast<char>(len >> 8);
      f += static_cast<char>(len & 0xFF);
    } else {
      f += static_cast<char>(127);
      for (int i = 7; i >= 0; --i) f += static_cast<char>((len >> (8 * i)) & 0xFF);
    }
    f += payload;
    return f;
  }

  // The socket is non-blocking: waits (a second at most) whenever the client's window is full.
  static bool write_all(int fd, std::string_view data) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (!data.empty()) {
      const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(static_cast<std::size_t>(n));
        continue;
      }
      if ((errno != EAGAIN && errno != EWOULDBLOCK) || std::chrono::steady_clock::now() >= until) return false;
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, 20) < 0) return false;
    }
    return true;
  }

  const bool upgrade_;
  const std::vector<std::string> frames_;
  int listen_fd_ = -1;
  unsigned short port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0}, upgraded_{0};
  std::thread thread_;
};

}  // namespace kgw::test
