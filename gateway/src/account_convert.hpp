#pragma once
// The order manager's account values and Kraken's REST account answers into kgw.v1 messages
// (trading.proto, account.proto), both into the same message so a client cannot tell them apart
// but by ReadMeta: REST text kept as Kraken printed it; cached values printed at the precision
// REST prints them (an order's quantities at the pair's lot decimals, balances at the asset's
// decimals), so a client can rebuild Kraken's REST shapes from either. What a cached value does
// not know (REST-only texts such as descr.order, refid, misc) is left empty. Pure; any thread.

#include "kgw/core/instrument.hpp"
#include "kgw/core/kraken/rest_types.hpp"
#include "kgw/oms/account_events.hpp"
#include "kgw/oms/account_types.hpp"
#include "kgw/v1/account.pb.h"
#include "kgw/v1/trading.pb.h"

namespace kgw::gateway {

// Orders: REST (OpenOrders, ClosedOrders, QueryOrders) and cached (the snapshot supplies the
// order's fills, for its fee).
void fill(v1::Order& out, const kraken::OrderInfo& o, const InstrumentRegistry& registry);
void fill(v1::Order& out, const oms::OrderState& o, const oms::AccountSnapshot& s, const InstrumentRegistry& registry);

// Executions: an order's state after an event, and a fill (an exec_type `trade` item).
void fill(v1::Execution& out, const oms::OrderState& o, const InstrumentRegistry& registry);
void fill(v1::Execution& out, const oms::Fill& f, const InstrumentRegistry& registry);

void fill(v1::Trade& out, const kraken::TradeInfo& t, const InstrumentRegistry& registry);
void fill(v1::LedgerEntry& out, const kraken::LedgerInfo& l);
void fill(v1::Position& out, const kraken::PositionInfo& p, const InstrumentRegistry& registry);
void fill(v1::OrderAmend& out, const kraken::OrderAmendInfo& a);

// Balances: cached (total at the asset's decimals, with wallets) and REST.
void fill(v1::Balance& out, const oms::Balance& b, const InstrumentRegistry& registry);
void fill(v1::Balance& out, const kraken::AssetBalance& b, const InstrumentRegistry& registry);
void fill(v1::ExtendedBalance& out, const kraken::AssetBalance& b, const InstrumentRegistry& registry);
// One ledger transaction of the balances channel (a balance value that carries one).
void fill(v1::BalanceUpdate& out, const oms::Balance& b);

// The REST OrderStatus of a v2 order_status (open: new or partially filled).
v1::OrderStatus rest_status(const kraken::Word<kraken::WsOrderStatus>& s);

}  // namespace kgw::gateway
