#include "kgw/sim/permissions_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace kgw::sim {
namespace {

std::filesystem::path write_temp(const std::string& name, const std::string& text) {
  const auto p = std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()) + ".toml");
  std::ofstream(p) << text;
  return p;
}

TEST(AccountsFile, LoadsKeysPermissionsAndBalances) {
  const auto p = write_temp("kgw_accounts", R"(
[[account]]
name = "s1"
api_key = "key-1"
api_secret = "c2VjcmV0"
permissions = ["query", "trade"]
[account.balances]
ZUSD = "250000"
XXBT = "3"

[[account]]
api_key = "key-2"
api_secret = "c2VjcmV0Mg=="
)");
  auto accts = load_accounts_file(p.string());
  std::filesystem::remove(p);
  ASSERT_TRUE(accts) << accts.error().message();
  ASSERT_EQ(accts->size(), 2u);
  EXPECT_EQ((*accts)[0].name, "s1");
  EXPECT_TRUE((*accts)[0].permissions.trade);
  EXPECT_FALSE((*accts)[0].permissions.websocket);
  EXPECT_EQ((*accts)[0].balances.size(), 2u);
  EXPECT_EQ((*accts)[1].name, "account2");
  EXPECT_TRUE((*accts)[1].permissions.websocket);  // default: all three
}

TEST(AccountsFile, RejectsBadFilesWithAClearMessage) {
  const auto bad_secret = write_temp("kgw_accounts_bad", "[[account]]\napi_key = \"k\"\napi_secret = \"not base64!\"\n");
  auto r = load_accounts_file(bad_secret.string());
  std::filesystem::remove(bad_secret);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("api_secret is not base64"), std::string::npos) << r.error().detail;
  const auto bad_perm = write_temp("kgw_accounts_perm", "[[account]]\napi_key = \"k\"\napi_secret = \"c2VjcmV0\"\npermissions = [\"withdraw\"]\n");
  auto q = load_accounts_file(bad_perm.string());
  std::filesystem::remove(bad_perm);
  ASSERT_FALSE(q);
  EXPECT_NE(q.error().detail.find("unknown permission 'withdraw'"), std::string::npos);
  EXPECT_FALSE(load_accounts_file("/nonexistent/kgw.toml"));
}

TEST(AccountsFile, DemoAccountIsDeterministicPerSeed) {
  EXPECT_EQ(demo_account(1).api_key, demo_account(1).api_key);
  EXPECT_NE(demo_account(1).api_secret, demo_account(2).api_secret);
  EXPECT_EQ(demo_account(1).api_key.size(), 56u);
  EXPECT_EQ(demo_account(1).balances.size(), 4u);
}

}  // namespace
}  // namespace kgw::sim
