// Loading and checking TLS configurations, through `RealNetwork`'s setters,
// with certificates made fresh by each test.
#include "net/real/tls_context.h"

#include <fstream>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "net/real/real_network.h"
#include "net/real/testing/self_signed_certificate.h"
#include "net/real/tls_config.h"
#include "net/tcp_stream.h"
#include "net/time.h"
#include "net/transport_address.h"

namespace pinhole::net::real {
namespace {

bool Contains(const absl::Status& status, absl::string_view text) {
  return absl::string_view(status.message()).find(text) !=
         absl::string_view::npos;
}

class TlsConfigTest : public testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<RealNetwork>> network =
        RealNetwork::Create();
    ASSERT_TRUE(network.ok()) << network.status();
    network_ = *std::move(network);
    cert_ = Make("a");
  }

  std::string Directory() const {
    return absl::StrCat(
        testing::TempDir(), "/",
        testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  CertificateFiles Make(absl::string_view name) {
    absl::StatusOr<CertificateFiles> files =
        WriteSelfSignedCertificate(absl::StrCat(Directory(), "-", name));
    EXPECT_TRUE(files.ok()) << files.status();
    return files.ok() ? *files : CertificateFiles();
  }
  std::string WriteFile(absl::string_view name, absl::string_view content) {
    const std::string path = absl::StrCat(Directory(), "-", name);
    std::ofstream(path) << content;
    return path;
  }

  absl::Status Listen() {
    return network_
        ->ListenTcp(*TransportAddress::Parse("127.0.0.1:0/tls"),
                    [](std::unique_ptr<TcpStream>) {})
        .status();
  }

  std::unique_ptr<RealNetwork> network_;
  CertificateFiles cert_;
};

TEST_F(TlsConfigTest, AServerConfigOfAMatchingChainAndKeyLoads) {
  EXPECT_TRUE(network_
                  ->SetTlsServerConfig({.cert_chain_file = cert_.cert_file,
                                        .private_key_file = cert_.key_file,
                                        .alpn_protocols = {"stun.turn"}})
                  .ok());
  EXPECT_TRUE(Listen().ok());
}

TEST_F(TlsConfigTest, AMissingFileIsNotFoundAndNamed) {
  const std::string missing = Directory() + "-missing.pem";
  absl::Status status = network_->SetTlsServerConfig(
      {.cert_chain_file = missing, .private_key_file = cert_.key_file});
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound) << status;
  EXPECT_TRUE(Contains(status, "cert_chain_file")) << status;
  EXPECT_TRUE(Contains(status, missing)) << status;

  status = network_->SetTlsServerConfig(
      {.cert_chain_file = cert_.cert_file, .private_key_file = missing});
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound) << status;
  EXPECT_TRUE(Contains(status, "private_key_file")) << status;
  EXPECT_TRUE(Contains(status, missing)) << status;

  status = network_->SetTlsClientConfig({.ca_file = missing});
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound) << status;
  EXPECT_TRUE(Contains(status, "ca_file")) << status;
}

TEST_F(TlsConfigTest, AnEmptyPathIsInvalid) {
  const absl::Status status = network_->SetTlsServerConfig({});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_TRUE(Contains(status, "cert_chain_file is empty")) << status;
}

TEST_F(TlsConfigTest, AFileWithoutPemIsInvalidAndNamed) {
  const std::string junk = WriteFile("junk.pem", "not a certificate\n");
  absl::Status status = network_->SetTlsServerConfig(
      {.cert_chain_file = junk, .private_key_file = cert_.key_file});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_TRUE(Contains(status, junk)) << status;
  EXPECT_TRUE(Contains(status, "no start line")) << status;

  // A certificate where the key should be.
  status = network_->SetTlsServerConfig({.cert_chain_file = cert_.cert_file,
                                         .private_key_file = cert_.cert_file});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_TRUE(Contains(status, "private_key_file")) << status;

  status = network_->SetTlsClientConfig({.ca_file = junk});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_TRUE(Contains(status, junk)) << status;
}

TEST_F(TlsConfigTest, AKeyOfAnotherCertificateIsInvalidAndNamed) {
  const CertificateFiles other = Make("b");
  const absl::Status status = network_->SetTlsServerConfig(
      {.cert_chain_file = cert_.cert_file, .private_key_file = other.key_file});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_TRUE(Contains(status, "does not match")) << status;
  EXPECT_TRUE(Contains(status, other.key_file)) << status;
  EXPECT_TRUE(Contains(status, cert_.cert_file)) << status;
}

TEST_F(TlsConfigTest, AFailedSetKeepsThePreviousConfig) {
  ASSERT_TRUE(network_
                  ->SetTlsServerConfig({.cert_chain_file = cert_.cert_file,
                                        .private_key_file = cert_.key_file})
                  .ok());
  EXPECT_FALSE(network_->SetTlsServerConfig({}).ok());
  EXPECT_TRUE(Listen().ok());
}

TEST_F(TlsConfigTest, AlpnNamesAndTimeoutsAreChecked) {
  absl::Status status = network_->SetTlsClientConfig({.alpn_protocols = {""}});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_TRUE(Contains(status, "ALPN")) << status;
  status =
      network_->SetTlsServerConfig({.cert_chain_file = cert_.cert_file,
                                    .private_key_file = cert_.key_file,
                                    .alpn_protocols = {std::string(256, 'x')}});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  status =
      network_->SetTlsClientConfig({.handshake_timeout = Duration::Zero()});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
}

TEST_F(TlsConfigTest, TheClientDefaultsLoad) {
  EXPECT_TRUE(network_->SetTlsClientConfig({}).ok());
  EXPECT_TRUE(network_->SetTlsClientConfig({.verify_peer = false}).ok());
}

TEST(TlsContextTest, ContextsKnowTheirRole) {
  absl::StatusOr<CertificateFiles> files =
      WriteSelfSignedCertificate(testing::TempDir() + "/role");
  ASSERT_TRUE(files.ok()) << files.status();
  absl::StatusOr<std::shared_ptr<const TlsContext>> server =
      TlsContext::ForServer({.cert_chain_file = files->cert_file,
                             .private_key_file = files->key_file,
                             .handshake_timeout = Duration::Seconds(3)});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_TRUE((*server)->is_server());
  EXPECT_FALSE((*server)->verifies_peer());
  EXPECT_EQ((*server)->handshake_timeout(), Duration::Seconds(3));
  absl::StatusOr<std::shared_ptr<const TlsContext>> client =
      TlsContext::ForClient({.ca_file = files->cert_file});
  ASSERT_TRUE(client.ok()) << client.status();
  EXPECT_FALSE((*client)->is_server());
  EXPECT_TRUE((*client)->verifies_peer());
  EXPECT_EQ((*client)->handshake_timeout(), kDefaultTlsHandshakeTimeout);
}

}  // namespace
}  // namespace pinhole::net::real
