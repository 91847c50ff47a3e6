// Credentials: read from exactly one source, as Secrets, refused when a file is open to others,
// and never quoted in an error.

#include "kgw/core/kraken/api_key.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace kgw::kraken {
namespace {

// Shaped like Kraken's: a 56-character key and a base64 secret.
constexpr const char* kKey = "K9nPq2RzT4vW6xY8aB1cD3eF5gH7iJ0kL2mN4oP6qR8sT0uV2wX4yZ6a";
constexpr const char* kSecret = "c2VjcmV0IGZvciB0aGUgY3JlZGVudGlhbHMgdGVzdCBvbmx5IQ==";

class CredentialFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("kgw-creds-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text, mode_t mode) {
    const auto path = (dir_ / name).string();
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(CredentialFiles, AKeyFileGivesKeyAndSecretAsSecrets) {
  CredentialSources s;
  s.key_file = write("key", std::string(kKey) + "\n" + kSecret + "\n", 0600);
  auto c = load_credentials(s);
  ASSERT_TRUE(c) << c.error().detail;
  ASSERT_TRUE(c->has_value());
  EXPECT_EQ((*c)->credentials.api_key.reveal(), kKey);
  EXPECT_EQ((*c)->credentials.api_secret.reveal(), kSecret);
  EXPECT_EQ((*c)->origin, "--key-file " + s.key_file);
  EXPECT_TRUE(secret_arena_contains((*c)->credentials.api_secret.reveal().data()));
}

TEST_F(CredentialFiles, AKeyFileGroupOrOthersMayReadIsRefused) {
  CredentialSources s;
  s.key_file = write("key", std::string(kKey) + "\n" + kSecret + "\n", 0640);
  auto c = load_credentials(s);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().detail, "--key-file " + s.key_file + ": group or others may access it (mode 0640); chmod 600 it");
}

TEST_F(CredentialFiles, AMalformedKeyFileIsRefusedWithoutQuotingIt) {
  CredentialSources s;
  for (const std::string& text : {std::string(kKey) + "\n", std::string(kKey) + "\nnot base64!\n",
                                  std::string(kKey) + "\n" + kSecret + "\nthird line\n"}) {
    s.key_file = write("key", text, 0600);
    auto c = load_credentials(s);
    ASSERT_FALSE(c) << text;
    EXPECT_EQ(c.error().detail.find(kKey), std::string::npos) << c.error().detail;
    EXPECT_EQ(c.error().detail.find("not base64!"), std::string::npos) << c.error().detail;
  }
  s.key_file = (dir_ / "absent").string();
  EXPECT_EQ(load_credentials(s).error().detail, "--key-file " + s.key_file + ": cannot be read");
}

TEST_F(CredentialFiles, TheEnvironmentNeedsBothVariables) {
  CredentialSources s;
  s.env_key = kKey;
  auto one = load_credentials(s);
  ASSERT_FALSE(one);
  EXPECT_EQ(one.error().detail, "environment: set both KRAKEN_API_KEY and KRAKEN_API_SECRET, or neither");
  s.env_secret = kSecret;
  auto both = load_credentials(s);
  ASSERT_TRUE(both && both->has_value());
  EXPECT_EQ((*both)->origin, "environment");
  EXPECT_EQ((*both)->credentials.api_key.reveal(), kKey);
}

TEST_F(CredentialFiles, ASystemdCredentialIsFoundInTheCredentialsDirectory) {
  CredentialSources s;
  s.credentials_directory = dir_.string();
  auto none = load_credentials(s);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  write(kSystemdCredentialName, std::string(kKey) + "\n" + kSecret + "\n", 0400);
  auto c = load_credentials(s);
  ASSERT_TRUE(c && c->has_value()) << (c ? "" : c.error().detail);
  EXPECT_EQ((*c)->origin, "systemd credential kraken-api");
}

TEST_F(CredentialFiles, TheKeyFileWinsOverTheEnvironmentAndTheEnvironmentOverSystemd) {
  CredentialSources s;
  s.env_key = "env-key";
  s.env_secret = kSecret;
  s.credentials_directory = dir_.string();
  write(kSystemdCredentialName, std::string(kKey) + "\n" + kSecret + "\n", 0400);
  EXPECT_EQ((*load_credentials(s))->origin, "environment");
  s.key_file = write("key", std::string(kKey) + "\n" + kSecret + "\n", 0600);
  EXPECT_EQ((*load_credentials(s))->origin, "--key-file " + s.key_file);
}

TEST(Credentials, NoSourceMeansPublicDataOnly) {
  auto c = load_credentials(CredentialSources{});
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->has_value());
}

}  // namespace
}  // namespace kgw::kraken
