// `ShortTermCredentials`: the users a server accepts under the short-term
// credential mechanism (RFC 8489 §9.1), each with its HMAC key built once.
#ifndef PINHOLE_STUN_SERVER_SHORT_TERM_CREDENTIALS_H_
#define PINHOLE_STUN_SERVER_SHORT_TERM_CREDENTIALS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "stun/integrity.h"

namespace pinhole::stun {

class ShortTermCredentials {
 public:
  // No users: authentication is off.
  ShortTermCredentials() = default;

  // From username -> password pairs. Both are prepared with OpaqueString
  // (RFC 8265 §4.2), as RFC 8489 §14.3 requires of USERNAME and §9.1.1 of the
  // key; InvalidArgument when one cannot be, when a username is empty or 509
  // bytes or longer once prepared (RFC 8489 §14.3), or when two usernames are
  // the same once prepared.
  static absl::StatusOr<ShortTermCredentials> Create(
      const std::vector<std::pair<std::string, std::string>>& users);

  bool empty() const { return users_.empty(); }

  // The key of `username` (the USERNAME value as received), or null when no
  // such user exists. A binary search: no allocation.
  const IntegrityKey* Find(absl::string_view username) const;

 private:
  struct User {
    std::string username;  // Prepared.
    IntegrityKey key;
  };
  std::vector<User> users_;  // Sorted by username.
};

}  // namespace pinhole::stun

#endif  // PINHOLE_STUN_SERVER_SHORT_TERM_CREDENTIALS_H_
