// The API key of the command-line tools: a key file that only its owner may read, or the two
// environment variables; errors name the source and never print the secret.

#include "kgw/core/kraken/api_key.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace kgw::kraken {
namespace {

constexpr const char* kSecret = "c2VjcmV0IHNpbXVsYXRvciBrZXk=";  // base64, as Kraken issues secrets

class ApiKey : public ::testing::Test {
 protected:
  void TearDown() override {
    std::filesystem::remove(path_);
    ::unsetenv("KRAKEN_API_KEY");
    ::unsetenv("KRAKEN_API_SECRET");
  }
  const std::string& file(const std::string& text, mode_t mode = 0600) {
    std::ofstream(path_, std::ios::trunc) << text;
    ::chmod(path_.c_str(), mode);
    return path_;
  }
  std::string path_ = ::testing::TempDir() + "kgw_api_key_" + std::to_string(::getpid());
};

TEST_F(ApiKey, AKeyFileOnlyItsOwnerMayReadGivesTheKeyAndSecret) {
  auto c = read_api_key_file(file(std::string("my-key\r\n  ") + kSecret + "\n\n"));
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->api_key.reveal(), "my-key");
  EXPECT_EQ(c->api_secret.reveal(), kSecret);
}

TEST_F(ApiKey, AKeyFileGroupOrOthersMayReadIsRefusedWithoutItsContent) {
  auto c = read_api_key_file(file(std::string("my-key\n") + kSecret + "\n", 0640));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().detail, "--key-file " + path_ + ": group or others may access it (mode 640); chmod 600 it");
}

TEST_F(ApiKey, AKeyFileOfOtherThanTwoLinesIsRefused) {
  for (const std::string& text : {std::string("my-key\n"), std::string("my-key\n") + kSecret + "\nmore\n"}) {
    auto c = read_api_key_file(file(text));
    ASSERT_FALSE(c);
    EXPECT_NE(c.error().detail.find("want the key on line 1 and the secret on line 2"), std::string::npos) << c.error().detail;
  }
}

TEST_F(ApiKey, ASecretThatIsNotBase64IsRefusedWithoutBeingPrinted) {
  auto c = read_api_key_file(file("my-key\nnot*base64!\n"));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().detail, "--key-file " + path_ + ": the API secret is not base64");
}

TEST_F(ApiKey, AMissingKeyFileIsRefused) {
  auto c = read_api_key_file(path_);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().detail, "--key-file " + path_ + ": no such file");
}

TEST_F(ApiKey, TheEnvironmentGivesBothVariablesOrNothing) {
  auto none = api_key_from_environment();
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  ::setenv("KRAKEN_API_KEY", "env-key", 1);
  auto half = api_key_from_environment();
  ASSERT_FALSE(half);
  EXPECT_EQ(half.error().detail, "environment: set both KRAKEN_API_KEY and KRAKEN_API_SECRET, or neither");
  ::setenv("KRAKEN_API_SECRET", kSecret, 1);
  auto both = api_key_from_environment();
  ASSERT_TRUE(both && *both) << (both ? "" : both.error().message());
  EXPECT_EQ((*both)->api_key.reveal(), "env-key");
}

}  // namespace
}  // namespace kgw::kraken
