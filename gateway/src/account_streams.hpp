#pragma once
// The account streams (Trading.StreamExecutions, Account.StreamBalances, account_streams.cpp):
// each client has its own subscription to the order manager's numbered account events, a bounded
// queue the order manager pushes into without ever waiting; a client that lets it fill has its
// stream (only its) ended with RESOURCE_EXHAUSTED, and resumes from the last (epoch, sequence) it
// received. An executions client counts as a trading client for the dead-man keeper while its
// stream is open.

namespace grpc {
class CallbackServerContext;
template <class Message>
class ServerWriteReactor;
}  // namespace grpc

namespace kgw::v1 {
class StreamExecutionsRequest;
class ExecutionsEvent;
class StreamBalancesRequest;
class BalancesEvent;
}  // namespace kgw::v1

namespace kgw::gateway {

struct Backend;

grpc::ServerWriteReactor<v1::ExecutionsEvent>* stream_executions(Backend& b, grpc::CallbackServerContext* ctx,
                                                                 const v1::StreamExecutionsRequest& req);
grpc::ServerWriteReactor<v1::BalancesEvent>* stream_balances(Backend& b, grpc::CallbackServerContext* ctx,
                                                             const v1::StreamBalancesRequest& req);

}  // namespace kgw::gateway
