#include "stun/server/short_term_credentials.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "stun/opaque_string.h"

namespace pinhole::stun {
namespace {

// RFC 8489 §14.3: USERNAME holds fewer than 509 bytes.
constexpr size_t kMaxUsernameBytes = 508;

absl::Status Invalid(absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("Binding server configuration: short-term user ", what));
}

}  // namespace

absl::StatusOr<ShortTermCredentials> ShortTermCredentials::Create(
    const std::vector<std::pair<std::string, std::string>>& users) {
  ShortTermCredentials credentials;
  credentials.users_.reserve(users.size());
  for (const auto& [username, password] : users) {
    if (username.empty()) return Invalid("with an empty username");
    absl::StatusOr<std::string> prepared = PrepareOpaqueString(username);
    if (!prepared.ok()) {
      return Invalid(absl::StrCat(
          "\"", username, "\": username: ", prepared.status().message()));
    }
    if (prepared->size() > kMaxUsernameBytes) {
      return Invalid(absl::StrCat("\"", username, "\": username of ",
                                  prepared->size(),
                                  " bytes; RFC 8489 §14.3 allows 508"));
    }
    absl::StatusOr<IntegrityKey> key = IntegrityKey::ShortTerm(password);
    if (!key.ok()) {
      return Invalid(
          absl::StrCat("\"", username, "\": ", key.status().message()));
    }
    credentials.users_.push_back(User{*std::move(prepared), *std::move(key)});
  }
  std::vector<User>& sorted = credentials.users_;
  std::sort(sorted.begin(), sorted.end(), [](const User& a, const User& b) {
    return a.username < b.username;
  });
  const auto duplicate = std::adjacent_find(
      sorted.begin(), sorted.end(),
      [](const User& a, const User& b) { return a.username == b.username; });
  if (duplicate != sorted.end()) {
    return Invalid(absl::StrCat("\"", duplicate->username, "\" appears twice"));
  }
  return credentials;
}

const IntegrityKey* ShortTermCredentials::Find(
    absl::string_view username) const {
  const auto it =
      std::lower_bound(users_.begin(), users_.end(), username,
                       [](const User& user, absl::string_view name) {
                         return absl::string_view(user.username) < name;
                       });
  if (it == users_.end() || it->username != username) return nullptr;
  return &it->key;
}

}  // namespace pinhole::stun
