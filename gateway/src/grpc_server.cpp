#include "grpc_server.hpp"

#include <fmt/format.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/service_type.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "backend.hpp"
#include "kgw/gateway/metrics.hpp"
#include "services.hpp"

namespace kgw::gateway {
namespace {

namespace gx = grpc::experimental;

// Every call's latency and final status, whatever the service.
class LatencyInterceptor final : public gx::Interceptor {
 public:
  LatencyInterceptor(gx::ServerRpcInfo* info, Metrics& metrics)
      : method_(info->method()), metrics_(metrics), start_(std::chrono::steady_clock::now()) {}
  void Intercept(gx::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(gx::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start_;
      metrics_.observe_rpc(method_, methods->GetSendStatus().error_code(), took.count());
    }
    methods->Proceed();
  }

 private:
  const char* method_;  // the registered method's name: lives as long as the server
  Metrics& metrics_;
  std::chrono::steady_clock::time_point start_;
};

class LatencyInterceptorFactory final : public gx::ServerInterceptorFactoryInterface {
 public:
  explicit LatencyInterceptorFactory(Metrics& m) : metrics_(m) {}
  gx::Interceptor* CreateServerInterceptor(gx::ServerRpcInfo* info) override { return new LatencyInterceptor(info, metrics_); }

 private:
  Metrics& metrics_;
};

// A socket file left by a gateway that died is removed; one that a running gateway answers on
// is an error (two daemons must not share a socket).
result<void> clear_stale_socket(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return {};
  if (!S_ISSOCK(st.st_mode)) return Error(errc::invalid_argument, fmt::format("grpc.unix_socket: {} exists and is not a socket", path));
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error(errc::internal, "socket() failed");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  const bool answered = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  if (answered) return Error(errc::connection_failed, fmt::format("grpc.unix_socket: another process listens on {}", path));
  ::unlink(path.c_str());
  return {};
}

constexpr const char* kMarketData = "kgw.v1.MarketData";
constexpr const char* kGateway = "kgw.v1.Gateway";
constexpr const char* kAccount = "kgw.v1.Account";
constexpr const char* kTrading = "kgw.v1.Trading";

}  // namespace

struct GrpcServer::Impl {
  std::vector<std::unique_ptr<grpc::Service>> services;
  std::unique_ptr<grpc::Server> server;
  Backend* backend = nullptr;
  std::string unix_socket;
  int port = 0;
  std::atomic<bool> shut_down{false};
  bool waited = false;
  // grpc::Server::Shutdown returns only once every callback call has finished, and a unary call
  // waiting for Kraken finishes when its REST call completes: it runs here, so that the owner
  // can stop the REST service meanwhile.
  std::thread stopper;
};

GrpcServer::GrpcServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

GrpcServer::~GrpcServer() {
  shutdown_begin(std::chrono::milliseconds(0));
  shutdown_wait();
}

result<std::unique_ptr<GrpcServer>> GrpcServer::start(const Options& o, Backend& backend, Metrics* metrics) {
  auto impl = std::make_unique<Impl>();
  impl->backend = &backend;
  impl->unix_socket = o.unix_socket;
  if (!o.unix_socket.empty())
    if (auto r = clear_stale_socket(o.unix_socket); !r) return r.error();
  // Both process-wide switches must be set before the builder is made.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(fmt::format("127.0.0.1:{}", o.port), grpc::InsecureServerCredentials(), &impl->port);
  if (!o.unix_socket.empty()) builder.AddListeningPort("unix:" + o.unix_socket, grpc::InsecureServerCredentials());
  impl->services.push_back(make_market_data_service(backend));
  impl->services.push_back(make_gateway_service(backend));
  impl->services.push_back(make_account_service(backend));
  impl->services.push_back(make_trading_service(backend));
  for (auto& s : impl->services) builder.RegisterService(s.get());
  if (metrics) {
    std::vector<std::unique_ptr<gx::ServerInterceptorFactoryInterface>> creators;
    creators.push_back(std::make_unique<LatencyInterceptorFactory>(*metrics));
    builder.experimental().SetInterceptorCreators(std::move(creators));
  }
  impl->server = builder.BuildAndStart();
  if (!impl->server || impl->port == 0)
    return Error(errc::connection_failed,
                 o.unix_socket.empty() ? fmt::format("grpc: cannot listen on 127.0.0.1:{}", o.port)
                                       : fmt::format("grpc: cannot listen on 127.0.0.1:{} and unix:{}", o.port, o.unix_socket));
  auto* health = impl->server->GetHealthCheckService();
  health->SetServingStatus(kGateway, true);
  health->SetServingStatus(kMarketData, backend.upstream.public_feed_up());
  const bool trading = backend.upstream.private_session_up();
  health->SetServingStatus(kAccount, trading);
  health->SetServingStatus(kTrading, trading);
  return std::unique_ptr<GrpcServer>(new GrpcServer(std::move(impl)));
}

std::uint16_t GrpcServer::port() const noexcept { return static_cast<std::uint16_t>(impl_->port); }

void GrpcServer::set_market_data_serving(bool serving) {
  if (impl_->server && !impl_->shut_down.load()) impl_->server->GetHealthCheckService()->SetServingStatus(kMarketData, serving);
}

void GrpcServer::set_trading_serving(bool serving) {
  if (!impl_->server || impl_->shut_down.load()) return;
  impl_->server->GetHealthCheckService()->SetServingStatus(kAccount, serving);
  impl_->server->GetHealthCheckService()->SetServingStatus(kTrading, serving);
}

void GrpcServer::shutdown_begin(std::chrono::milliseconds grace) {
  if (!impl_->server || impl_->shut_down.exchange(true)) return;
  impl_->server->GetHealthCheckService()->Shutdown();
  // Streams never end on their own: end them now, so Shutdown only waits for unary calls.
  impl_->backend->watch.stop();
  impl_->stopper = std::thread([server = impl_->server.get(), deadline = std::chrono::system_clock::now() + grace] {
    server->Shutdown(deadline);
  });
}

void GrpcServer::shutdown_wait() {
  if (!impl_->server || impl_->waited) return;
  impl_->waited = true;
  if (impl_->stopper.joinable()) impl_->stopper.join();
  impl_->server->Wait();
  if (!impl_->unix_socket.empty()) ::unlink(impl_->unix_socket.c_str());
}

}  // namespace kgw::gateway
