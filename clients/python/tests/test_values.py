"""The client's pure parts, without a daemon: numbers as exact decimal text, Kraken's words from
the contract's enums, shapes built from hand-made answers, and errors from status trailers."""

import decimal
import unittest

import grpc

from kgw.v1 import common_pb2, market_data_pb2, trading_pb2
from kraken_gateway import GatewayUnavailableError, KrakenAPIError, NoApiKeyError
from kraken_gateway import kraken_shapes as shapes
from kraken_gateway.errors import error_from_rpc
from kraken_gateway.values import decimal_text, positive_text, rfc3339, time_or_id, time_spec


class DecimalText(unittest.TestCase):
    def test_floats_are_sent_as_the_decimal_they_print_as(self) -> None:
        for value, text in [(3e-05, "0.00003"), (0.1, "0.1"), (1e-08, "0.00000001"), (62800.0, "62800"),
                            (1234567.891, "1234567.891"), (0.30000000000000004, "0.30000000000000004"),
                            (1e16, "10000000000000000"), (-2.5, "-2.5"), (0.0, "0")]:
            self.assertEqual(decimal_text(value, "v"), text, repr(value))

    def test_ints_decimals_and_strings_keep_their_digits(self) -> None:
        self.assertEqual(decimal_text(5, "v"), "5")
        self.assertEqual(decimal_text(decimal.Decimal("0.000100"), "v"), "0.0001")
        self.assertEqual(decimal_text(decimal.Decimal("1E-7"), "v"), "0.0000001")
        self.assertEqual(decimal_text(" 0.00010000 ", "v"), "0.00010000")
        self.assertEqual(decimal_text("+1.5%", "price", allow_relative=True), "+1.5%")
        self.assertEqual(decimal_text("#10", "price", allow_relative=True), "#10")

    def test_what_is_not_a_plain_finite_number_is_refused_naming_the_argument(self) -> None:
        for bad in ("abc", "1e-5", "", "nan", float("inf"), float("nan"), decimal.Decimal("NaN")):
            with self.assertRaisesRegex(ValueError, "^volume: "):
                decimal_text(bad, "volume")
        for bad in (True, None, [1], object()):
            with self.assertRaisesRegex(TypeError, "^volume: "):
                decimal_text(bad, "volume")
        with self.assertRaises(ValueError):
            decimal_text("+1.5", "volume")  # relative forms only where asked for
        with self.assertRaises(ValueError):
            positive_text(0, "volume")

    def test_times(self) -> None:
        self.assertEqual(rfc3339(1695375185709993000), "2023-09-22T09:33:05.709993Z")
        self.assertEqual(rfc3339(1688666400 * 10**9, 0), "2023-07-06T18:00:00Z")
        self.assertEqual(time_or_id(1688666400.5, "start").time_ns, 1688666400500000000)
        self.assertEqual(time_or_id("L4UESK-KG3EQ-UFO4T5", "start").id, "L4UESK-KG3EQ-UFO4T5")
        self.assertEqual(time_spec("+60", "expire_time").after_ns, 60 * 10**9)
        self.assertEqual(time_spec(1700000000, "expire_time").at_time_ns, 1700000000 * 10**9)


class Words(unittest.TestCase):
    def test_enum_values_read_as_krakens_words_and_back(self) -> None:
        self.assertEqual(shapes.word(common_pb2.OrderType, common_pb2.ORDER_TYPE_STOP_LOSS_LIMIT, "-"), "stop-loss-limit")
        self.assertEqual(shapes.word(trading_pb2.TradeHistoryType, trading_pb2.TRADE_HISTORY_TYPE_ANY_POSITION, " "),
                         "any position")
        self.assertEqual(shapes.value_of(common_pb2.TimeInForce, "gtd"), common_pb2.TIME_IN_FORCE_GTD)
        self.assertEqual(shapes.value_of(common_pb2.OrderType, "take-profit"), common_pb2.ORDER_TYPE_TAKE_PROFIT)
        self.assertEqual(shapes.value_of(common_pb2.Side, "hold"), 0)


class Shapes(unittest.TestCase):
    def test_spread_records_follow_the_sdk_bid_ask_ts(self) -> None:
        r = market_data_pb2.GetSpreadResponse(pair="XXBTZUSD", last=1688672106, entries=[
            market_data_pb2.SpreadEntry(time_ns=1688671834 * 10**9, bid="30292.10000", ask="30297.50000")])
        self.assertEqual(shapes.spread(r), {"XXBTZUSD": [["30292.10000", "30297.50000", 1688671834]], "last": 1688672106})

    def test_a_cached_ticker_fills_the_rest_fields_from_the_v2_ticker(self) -> None:
        t = market_data_pb2.Ticker(pair="XXBTZUSD", ws=market_data_pb2.WsTicker(
            bid="62800.0", bid_qty="0.5", ask="62812.6", ask_qty="1.25", last="62812.6", volume="10.5", vwap="62803.1",
            low="62000.0", high="63000.0", change="-12.4"))
        x = shapes.ticker(t, "0.001")
        self.assertEqual(x["a"], ["62812.6", "2", "1.25"])
        self.assertEqual(x["b"], ["62800.0", "1", "0.5"])
        self.assertEqual(x["c"], ["62812.6", "0.001"])
        self.assertEqual(x["o"], "62825.0")  # last - change: the price 24 h ago
        self.assertEqual(x["t"], [0, 0])

    def test_descriptions_pad_to_the_pairs_decimals_as_kraken_prints_them(self) -> None:
        p = market_data_pb2.AssetPair(pair="XXBTZUSD", altname="XBTUSD", pair_decimals=1, lot_decimals=8)
        self.assertEqual(shapes.descr_text("buy", "1.25", p, "limit", "30010", "none"), "buy 1.25000000 XBTUSD @ limit 30010.0")
        self.assertEqual(shapes.descr_text("sell", "0.0008", p, "market", ""), "sell 0.00080000 XBTUSD @ market")
        self.assertEqual(shapes.descr_text("buy", "1", p, "market", "", "2:1"), "buy 1.00000000 XBTUSD @ market with 2:1 leverage")


class FakeRpcError(grpc.RpcError):
    def __init__(self, code, details, detail=None) -> None:
        self._code, self._details = code, details
        self._trailers = ()
        if detail is not None:
            status = common_pb2.RpcStatus(code=code.value[0], message=details)
            status.details.add().Pack(detail)
            self._trailers = (("grpc-status-details-bin", status.SerializeToString()),)

    def code(self):
        return self._code

    def details(self):
        return self._details

    def trailing_metadata(self):
        return self._trailers


class Errors(unittest.TestCase):
    def test_krakens_strings_come_from_the_error_detail(self) -> None:
        d = common_pb2.ErrorDetail(kraken_errors=["EOrder:Insufficient funds"], classification=common_pb2.ERROR_CLASS_REJECTED)
        e = error_from_rpc(FakeRpcError(grpc.StatusCode.FAILED_PRECONDITION, "EOrder:Insufficient funds", d), "unix:/s")
        self.assertIsInstance(e, KrakenAPIError)
        self.assertEqual((e.errors, e.classification), (["EOrder:Insufficient funds"], "rejected"))

    def test_an_unknown_outcome_names_what_to_look_up(self) -> None:
        d = common_pb2.ErrorDetail(kraken_errors=["EService:Busy"], classification=common_pb2.ERROR_CLASS_UNKNOWN_OUTCOME,
                                   cl_ord_ids=["a1b2"], order_id="")
        e = error_from_rpc(FakeRpcError(grpc.StatusCode.UNKNOWN, "EService:Busy", d), "unix:/s")
        self.assertEqual((e.classification, e.cl_ord_ids), ("unknown_outcome", ["a1b2"]))

    def test_no_detail_and_unavailable_means_the_gateway_is_not_there(self) -> None:
        e = error_from_rpc(FakeRpcError(grpc.StatusCode.UNAVAILABLE, "failed to connect to all addresses"), "unix:/s")
        self.assertIsInstance(e, GatewayUnavailableError)
        self.assertIn("unix:/s", str(e))

    def test_no_key_is_a_runtime_error(self) -> None:
        d = common_pb2.ErrorDetail(classification=common_pb2.ERROR_CLASS_REJECTED)
        e = error_from_rpc(FakeRpcError(grpc.StatusCode.FAILED_PRECONDITION, "no Kraken API key configured", d), "x:1")
        self.assertIsInstance(e, NoApiKeyError)


if __name__ == "__main__":
    unittest.main()
