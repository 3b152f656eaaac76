#include "sim/nat/textproto.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/message.h"
#include "google/protobuf/text_format.h"

namespace pinhole::sim {
namespace {

class CollectErrors : public google::protobuf::io::ErrorCollector {
 public:
  explicit CollectErrors(absl::string_view source) : source_(source) {}

  void AddError(int line, int column, const std::string& message) override {
    if (!errors_.empty()) absl::StrAppend(&errors_, "; ");
    absl::StrAppend(&errors_, source_, ":", line + 1, ":", column + 1, ": ",
                    message);
  }
  const std::string& errors() const { return errors_; }

 private:
  absl::string_view source_;
  std::string errors_;
};

}  // namespace

absl::Status ParseTextproto(
    absl::string_view source, absl::string_view text,
    google::protobuf::Message& message,
    google::protobuf::TextFormat::ParseInfoTree* locations) {
  CollectErrors errors(source);
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (locations != nullptr) parser.WriteLocationsTo(locations);
  message.Clear();
  if (!parser.ParseFromString(std::string(text), &message)) {
    return absl::InvalidArgumentError(
        errors.errors().empty() ? absl::StrCat(source, ": cannot parse")
                                : errors.errors());
  }
  return absl::OkStatus();
}

absl::Status ParsePreset(absl::string_view kind,
                         absl::Span<const EmbeddedTextproto> presets,
                         absl::string_view name,
                         google::protobuf::Message& message) {
  for (const EmbeddedTextproto& preset : presets) {
    if (preset.name == name) {
      return ParseTextproto(absl::StrCat(kind, " preset ", name), preset.text,
                            message);
    }
  }
  return absl::NotFoundError(absl::StrCat(
      "no ", kind, " preset called \"", name, "\"; the presets are ",
      absl::StrJoin(PresetNames(presets), ", ")));
}

std::vector<std::string> PresetNames(
    absl::Span<const EmbeddedTextproto> presets) {
  std::vector<std::string> names;
  for (const EmbeddedTextproto& preset : presets) {
    names.emplace_back(preset.name);
  }
  return names;
}

}  // namespace pinhole::sim
