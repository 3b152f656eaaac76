// The NAT matrix: every pair of the profiles in profiles.textproto, the
// controlling agent's on the rows and the controlled agent's on the columns,
// without and with a TURN server, each cell a generated scenario run until
// the call connects or fails. golden.txt holds the expected cells; the
// matrix test fails on any difference and `pinhole matrix --update`
// rewrites it. README.md in this folder explains the network of a cell.
#ifndef PINHOLE_SCENARIOS_MATRIX_MATRIX_H_
#define PINHOLE_SCENARIOS_MATRIX_MATRIX_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "net/time.h"
#include "scenarios/scenario.pb.h"

namespace pinhole::scenarios::matrix {

struct Cell {
  std::string row;     // The controlling agent's profile.
  std::string column;  // The controlled agent's.
  bool turn = false;   // Whether both agents have the TURN server.

  // "turn port_restricted symmetric": the cell's key in the golden file.
  std::string Key() const;
};

struct CellResult {
  Cell cell;
  // "connected" (both sides), "failed" (either side) or "timeout".
  std::string outcome;
  // The selected pairs' types ("relay(tcp)/srflx", local first), or "-".
  std::string row_pair;
  std::string column_pair;
  // When both sides were connected.
  std::optional<net::Duration> connected_at;

  // "turn port_restricted symmetric connected 0.412s relay(udp)/srflx
  // srflx/relay": one line of the golden file.
  std::string GoldenLine() const;
};

// The profiles, in order (embedded from profiles.textproto).
absl::StatusOr<std::vector<MatrixProfile>> Profiles();
// Every cell: without TURN first, then with, each row by row.
std::vector<Cell> Cells(const std::vector<MatrixProfile>& profiles);

// The scenario of one cell (see README.md).
Scenario CellScenario(const MatrixProfile& row, const MatrixProfile& column,
                      bool turn);
absl::StatusOr<CellResult> RunCell(const std::vector<MatrixProfile>& profiles,
                                   const Cell& cell);

// golden.txt as compiled in, and its lines by cell key. InvalidArgument,
// naming the line, for a malformed or repeated one.
absl::string_view EmbeddedGolden();
absl::StatusOr<std::map<std::string, std::string>> ParseGolden(
    absl::string_view text);
std::string GoldenText(const std::vector<CellResult>& results);

// The table of one TURN mode for a terminal; the whole matrix as Markdown;
// and as an HTML heat map of the time to connected.
std::string TerminalTable(const std::vector<MatrixProfile>& profiles,
                          const std::vector<CellResult>& results, bool turn);
std::string Markdown(const std::vector<MatrixProfile>& profiles,
                     const std::vector<CellResult>& results);
std::string HeatMapHtml(const std::vector<MatrixProfile>& profiles,
                        const std::vector<CellResult>& results);

}  // namespace pinhole::scenarios::matrix

#endif  // PINHOLE_SCENARIOS_MATRIX_MATRIX_H_
