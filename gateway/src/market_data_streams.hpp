#pragma once
// The server streams of kgw.v1.MarketData (market_data_streams.cpp), over the feed's caches:
// ticker, book and the current candle conflate to the latest value for a slow client; closed
// candles and trades are never conflated: each client has bounded queues of them, and a client
// that lets one fill has its stream (only its) ended with RESOURCE_EXHAUSTED. A stream of a pair,
// depth or interval the feed does not subscribe is refused with FAILED_PRECONDITION.

namespace grpc {
class CallbackServerContext;
template <class Message>
class ServerWriteReactor;
}  // namespace grpc

namespace kgw::v1 {
class StreamTickerRequest;
class TickerEvent;
class StreamBookRequest;
class BookEvent;
class StreamTradesRequest;
class TradesEvent;
class StreamOhlcRequest;
class OhlcEvent;
class StreamSystemStatusRequest;
class SystemStatusEvent;
}  // namespace kgw::v1

namespace kgw::gateway {

struct Backend;

grpc::ServerWriteReactor<v1::TickerEvent>* stream_ticker(Backend& b, grpc::CallbackServerContext* ctx,
                                                         const v1::StreamTickerRequest& req);
grpc::ServerWriteReactor<v1::BookEvent>* stream_book(Backend& b, grpc::CallbackServerContext* ctx,
                                                     const v1::StreamBookRequest& req);
grpc::ServerWriteReactor<v1::TradesEvent>* stream_trades(Backend& b, grpc::CallbackServerContext* ctx,
                                                         const v1::StreamTradesRequest& req);
grpc::ServerWriteReactor<v1::OhlcEvent>* stream_ohlc(Backend& b, grpc::CallbackServerContext* ctx,
                                                     const v1::StreamOhlcRequest& req);
grpc::ServerWriteReactor<v1::SystemStatusEvent>* stream_system_status(Backend& b, grpc::CallbackServerContext* ctx,
                                                                      const v1::StreamSystemStatusRequest& req);

}  // namespace kgw::gateway
