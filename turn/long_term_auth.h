// `LongTermAuth`: the server side of STUN's long-term credential mechanism
// (RFC 8489 §9.2), as a TURN server uses it: users with keys derived once,
// stateless nonces with an expiry, and the check of every request in the
// order §9.2.4 gives.
//
// Nonces carry the nonce cookie "obMatJos2" (§9.2) announcing two security
// features: password algorithms (PASSWORD-ALGORITHMS offers SHA-256 and MD5)
// and username anonymity (USERHASH). Clients that predate RFC 8489 ignore the
// cookie and use MD5 with USERNAME, which stays accepted. A nonce is
//
//   cookie | 4 base64 features | 16 hex digits of expiry | 24 hex digits of MAC
//
// where the MAC is HMAC-SHA256, under a secret drawn at construction, of the
// expiry and the client's transport address: it cannot be forged, moved to
// another client or extended, and the server keeps no state per nonce.
#ifndef PINHOLE_TURN_LONG_TERM_AUTH_H_
#define PINHOLE_TURN_LONG_TERM_AUTH_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "net/random.h"
#include "net/time.h"
#include "net/transport_address.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"

namespace pinhole::turn {

class LongTermAuth {
 public:
  struct User {
    std::string name;
    stun::IntegrityKey md5_key;
    stun::IntegrityKey sha256_key;
  };

  // What authenticated a request: the response carries the same integrity
  // (RFC 8489 §9.2.4: MESSAGE-INTEGRITY-SHA256 when the request had it).
  struct Credentials {
    const User* user = nullptr;
    const stun::IntegrityKey* key = nullptr;
    bool sha256 = false;
    size_t sha256_length = stun::kMessageIntegritySha256MaxSize;
  };

  // A request that failed: 400, 401 or 438, with a reason for logs. 401 and
  // 438 answers carry a challenge (AddChallenge).
  struct Refusal {
    int code = 0;
    std::string reason;
  };

  // InvalidArgument when there are no users, a username is empty or repeated,
  // or a key cannot be derived (a password OpaqueString refuses).
  static absl::StatusOr<LongTermAuth> Create(
      std::string realm,
      const std::vector<std::pair<std::string, std::string>>& users,
      net::Duration nonce_lifetime, net::Random& random);

  // RFC 8489 §9.2.4, in its order: no integrity → 401; integrity without
  // USERNAME (or USERHASH), REALM and NONCE → 400; a nonce with the cookie
  // and a PASSWORD-ALGORITHMS that is not the one offered, or a
  // PASSWORD-ALGORITHM not offered → 400; a nonce not issued to this client,
  // or expired → 438; an unknown user or a wrong MAC → 401. The MAC is
  // checked in constant time, and an unknown user costs one too.
  absl::StatusOr<Credentials> Check(net::Time now,
                                    const stun::MessageView& request,
                                    const net::TransportAddress& client,
                                    Refusal& refusal) const;

  // REALM, a fresh NONCE for `client` and PASSWORD-ALGORITHMS: what a 401 or
  // 438 answer carries.
  void AddChallenge(net::Time now, const net::TransportAddress& client,
                    stun::MessageBuilder& builder) const;

  const std::string& realm() const { return realm_; }
  std::string NonceFor(net::Time now,
                       const net::TransportAddress& client) const;

 private:
  LongTermAuth(std::string realm, net::Duration nonce_lifetime);

  // The user named by USERNAME or USERHASH, or null.
  const User* FindUser(const stun::MessageView& request) const;
  bool NonceValid(net::Time now, absl::string_view nonce,
                  const net::TransportAddress& client) const;
  std::array<uint8_t, 12> NonceMac(uint64_t expiry,
                                   const net::TransportAddress& client) const;

  std::string realm_;
  net::Duration nonce_lifetime_;
  std::array<uint8_t, 32> secret_{};
  std::vector<User> users_;                             // In config order.
  std::map<std::string, size_t, std::less<>> by_name_;  // Into users_.
  std::map<std::array<uint8_t, 32>, size_t> by_hash_;   // USERHASH → users_.
  // Verifies a MAC when the user is unknown, so that costs the same.
  stun::IntegrityKey decoy_key_;
};

}  // namespace pinhole::turn

#endif  // PINHOLE_TURN_LONG_TERM_AUTH_H_
