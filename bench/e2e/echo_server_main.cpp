// kgw-bench-echo: the floor of the end-to-end bench. A callback-API gRPC echo server built
// exactly as kraken-gatewayd builds its server (grpc::ServerBuilder with default channel args,
// the health service and reflection on, a TCP listener on 127.0.0.1 and a unix socket), so the
// only difference from a cached GetTicker is the gateway's own work. Prints its interface lines
// like the daemon (`grpc 127.0.0.1:PORT`, `grpc unix:PATH`, `ready`) and stops on SIGTERM or
// SIGINT, or by itself after --lifetime-s (a bench that dies leaves nothing running).

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "echo.grpc.pb.h"

namespace {

class EchoService final : public kgw::bench::Echo::CallbackService {
  grpc::ServerUnaryReactor* Ping(grpc::CallbackServerContext* ctx, const kgw::bench::EchoRequest* req,
                                 kgw::bench::EchoReply* reply) override {
    reply->set_msg(req->msg());
    auto* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

int usage() {
  std::fprintf(stderr, "usage: kgw-bench-echo --unix-socket PATH [--lifetime-s N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string socket_path;
  int lifetime_s = 600;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--unix-socket" && i + 1 < argc) socket_path = argv[++i];
    else if (a == "--lifetime-s" && i + 1 < argc) lifetime_s = std::atoi(argv[++i]);
    else return usage();
  }
  if (socket_path.empty() || lifetime_s <= 0) return usage();

  // Signals are taken by sigtimedwait below, in the main thread; gRPC's threads inherit the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  ::unlink(socket_path.c_str());
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.AddListeningPort("unix:" + socket_path, grpc::InsecureServerCredentials());
  EchoService service;
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::fprintf(stderr, "kgw-bench-echo: cannot listen\n");
    return 1;
  }
  std::printf("grpc 127.0.0.1:%d\ngrpc unix:%s\nready\n", port, socket_path.c_str());
  std::fflush(stdout);

  timespec limit{lifetime_s, 0};
  (void)sigtimedwait(&stop_signals, nullptr, &limit);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
  server->Wait();
  ::unlink(socket_path.c_str());
  return 0;
}
