// The NAT matrix against golden.txt: one test per cell (without and with
// TURN), so a failure names exactly the cells that changed, and one that the
// golden file holds every cell and no other.
#include "scenarios/matrix/matrix.h"

#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"

namespace pinhole::scenarios::matrix {

// Names the cell in failures, instead of its bytes.
void PrintTo(const Cell& cell, std::ostream* os) { *os << cell.Key(); }

namespace {

const std::vector<MatrixProfile>& AllProfiles() {
  static const auto* profiles = new std::vector<MatrixProfile>(*Profiles());
  return *profiles;
}

const std::map<std::string, std::string>& Golden() {
  static const auto* golden =
      new std::map<std::string, std::string>(*ParseGolden(EmbeddedGolden()));
  return *golden;
}

constexpr const char* kUpdate =
    "if the change is intended, run ./bazelw run //tools:pinhole -- matrix "
    "--update and review the diff of scenarios/matrix/golden.txt";

class MatrixCellTest : public testing::TestWithParam<Cell> {};

TEST_P(MatrixCellTest, MatchesGolden) {
  const Cell& cell = GetParam();
  absl::StatusOr<CellResult> result = RunCell(AllProfiles(), cell);
  ASSERT_TRUE(result.ok()) << result.status();
  auto expected = Golden().find(cell.Key());
  ASSERT_NE(expected, Golden().end())
      << "cell " << cell.Key() << " is not in golden.txt; it gave\n  "
      << result->GoldenLine() << "\n"
      << kUpdate;
  EXPECT_EQ(result->GoldenLine(), expected->second)
      << "cell " << cell.Key() << " changed:\n  golden: " << expected->second
      << "\n  now:    " << result->GoldenLine() << "\n"
      << kUpdate;
}

INSTANTIATE_TEST_SUITE_P(
    Matrix, MatrixCellTest, testing::ValuesIn(Cells(AllProfiles())),
    [](const testing::TestParamInfo<Cell>& info) {
      return absl::StrReplaceAll(info.param.Key(), {{" ", "__"}, {"-", "_"}});
    });

TEST(MatrixGoldenTest, HoldsEveryCellAndNoOther) {
  ASSERT_TRUE(ParseGolden(EmbeddedGolden()).ok())
      << ParseGolden(EmbeddedGolden()).status();
  std::set<std::string> cells;
  for (const Cell& cell : Cells(AllProfiles())) cells.insert(cell.Key());
  EXPECT_EQ(cells.size(), 2 * AllProfiles().size() * AllProfiles().size());
  for (const std::string& key : cells) {
    EXPECT_EQ(Golden().count(key), 1u) << "golden.txt lacks " << key;
  }
  for (const auto& [key, line] : Golden()) {
    EXPECT_EQ(cells.count(key), 1u)
        << "golden.txt has a cell no profile makes: " << line;
  }
}

TEST(MatrixProfilesTest, CoverTheSituationsUsersAskFor) {
  std::set<std::string> names;
  for (const MatrixProfile& profile : AllProfiles()) {
    names.insert(profile.name());
  }
  for (const char* name :
       {"open", "full_cone", "address_restricted", "port_restricted",
        "symmetric", "address_dependent", "double_cone", "symmetric_then_cone",
        "cgn", "udp_blocked", "udp_tcp_in_blocked", "web_only"}) {
    EXPECT_EQ(names.count(name), 1u) << name;
  }
}

}  // namespace
}  // namespace pinhole::scenarios::matrix
