#include "scenarios/matrix/matrix.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "scenarios/matrix/matrix_texts.h"
#include "scenarios/report.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"
#include "sim/nat/textproto.h"

namespace pinhole::scenarios::matrix {
namespace {

constexpr absl::string_view kWith = "turn";
constexpr absl::string_view kWithout = "no-turn";

absl::string_view Embedded(absl::string_view name) {
  for (const sim::EmbeddedTextproto& file : MatrixTexts()) {
    if (file.name == name) return file.text;
  }
  return "";
}

const MatrixProfile* Find(const std::vector<MatrixProfile>& profiles,
                          const std::string& name) {
  for (const MatrixProfile& profile : profiles) {
    if (profile.name() == name) return &profile;
  }
  return nullptr;
}

// "S/P": the local and remote types of a pair, one letter each (relay over
// TCP or TLS: "Rt", "Rs").
std::string Short(const std::string& pair) {
  if (pair == "-") return "-";
  std::string out;
  for (absl::string_view side : absl::StrSplit(pair, '/')) {
    if (!out.empty()) out += "/";
    if (absl::StartsWith(side, "host")) out += "H";
    if (absl::StartsWith(side, "srflx")) out += "S";
    if (absl::StartsWith(side, "prflx")) out += "P";
    if (absl::StartsWith(side, "relay")) {
      out += "R";
      if (absl::StrContains(side, "(tcp)")) out += "t";
      if (absl::StrContains(side, "(tls)")) out += "s";
    }
  }
  return out;
}

const CellResult* Lookup(const std::vector<CellResult>& results,
                         const std::string& row, const std::string& column,
                         bool turn) {
  for (const CellResult& result : results) {
    if (result.cell.row == row && result.cell.column == column &&
        result.cell.turn == turn) {
      return &result;
    }
  }
  return nullptr;
}

}  // namespace

std::string Cell::Key() const {
  return absl::StrCat(turn ? kWith : kWithout, " ", row, " ", column);
}

std::string CellResult::GoldenLine() const {
  return absl::StrCat(
      cell.Key(), " ", outcome, " ",
      connected_at.has_value() ? FormatOffset(*connected_at) : std::string("-"),
      " ", row_pair, " ", column_pair);
}

absl::StatusOr<std::vector<MatrixProfile>> Profiles() {
  MatrixProfiles profiles;
  if (absl::Status status =
          sim::ParseTextproto("scenarios/matrix/profiles.textproto",
                              Embedded("profiles"), profiles);
      !status.ok()) {
    return status;
  }
  return std::vector<MatrixProfile>(profiles.profiles().begin(),
                                    profiles.profiles().end());
}

std::vector<Cell> Cells(const std::vector<MatrixProfile>& profiles) {
  std::vector<Cell> cells;
  for (bool turn : {false, true}) {
    for (const MatrixProfile& row : profiles) {
      for (const MatrixProfile& column : profiles) {
        cells.push_back({row.name(), column.name(), turn});
      }
    }
  }
  return cells;
}

Scenario CellScenario(const MatrixProfile& row, const MatrixProfile& column,
                      bool turn) {
  Scenario s;
  s.set_description(absl::StrCat(row.name(), " (controlling) to ",
                                 column.name(), " (controlled), ",
                                 turn ? "with" : "without", " TURN"));
  s.set_duration("60s");
  auto network = [&](const std::string& name, const MatrixProfile* profile) {
    Network* n = s.add_networks();
    n->set_name(name);
    if (profile != nullptr) {
      *n->mutable_middleboxes() = profile->middleboxes();
    }
  };
  network("left", &row);
  network("right", &column);
  network("dc", nullptr);
  auto host = [&](const std::string& name, const std::string& net) {
    Host* h = s.add_hosts();
    h->set_name(name);
    h->add_interfaces()->set_network(net);
  };
  host("alice", "left");
  host("bob", "right");
  host("server", "dc");
  TurnServer* server = s.add_turn_servers();
  server->set_name("turn");
  server->set_host("server");
  for (auto [transport, port] :
       {std::make_pair(UDP, 3478), std::make_pair(TCP, 3478),
        std::make_pair(TLS, 443)}) {
    Listen* listen = server->add_listen();
    listen->set_transport(transport);
    listen->set_port(static_cast<uint32_t>(port));
  }
  for (const char* user : {"alice", "bob"}) {
    TurnUser* u = server->add_users();
    u->set_name(user);
    u->set_password(absl::StrCat(user, "-secret"));
  }
  for (const char* name : {"alice", "bob"}) {
    Agent* agent = s.add_agents();
    agent->set_name(name);
    agent->set_host(name);
    agent->add_stun("turn");
    if (!turn) continue;
    for (auto [transport, port] :
         {std::make_pair(UDP, 3478), std::make_pair(TCP, 3478),
          std::make_pair(TLS, 443)}) {
      TurnRef* ref = agent->add_turn();
      ref->set_server("turn");
      ref->set_transport(transport);
      ref->set_port(static_cast<uint32_t>(port));
      ref->set_user(name);
    }
  }
  Call* call = s.add_calls();
  call->set_name("call");
  call->set_controlling("alice");
  call->set_controlled("bob");
  return s;
}

absl::StatusOr<CellResult> RunCell(const std::vector<MatrixProfile>& profiles,
                                   const Cell& cell) {
  const MatrixProfile* row = Find(profiles, cell.row);
  const MatrixProfile* column = Find(profiles, cell.column);
  if (row == nullptr || column == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("no profile for cell ", cell.Key()));
  }
  const Scenario scenario = CellScenario(*row, *column, cell.turn);
  if (absl::Status status = ValidateScenario(scenario); !status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cell ", cell.Key(), ": ", status.message()));
  }
  RunOptions options;
  options.stop_when_settled = true;
  absl::StatusOr<RunResult> run = RunScenario(scenario, options);
  if (!run.ok()) return run.status();
  CellResult result;
  result.cell = cell;
  const AgentReport& alice = *run->agent("alice");
  const AgentReport& bob = *run->agent("bob");
  auto failed = [](const AgentReport& agent) {
    return !agent.states.empty() &&
           agent.states.back().state == ice::ConnectionState::kFailed;
  };
  if (alice.connected_at.has_value() && bob.connected_at.has_value()) {
    result.outcome = "connected";
    result.connected_at = std::max(*alice.connected_at, *bob.connected_at);
  } else {
    result.outcome = failed(alice) || failed(bob) ? "failed" : "timeout";
  }
  result.row_pair =
      alice.selections.empty() ? "-" : PairTypes(alice.selections.back().pair);
  result.column_pair =
      bob.selections.empty() ? "-" : PairTypes(bob.selections.back().pair);
  return result;
}

absl::string_view EmbeddedGolden() { return Embedded("golden"); }

absl::StatusOr<std::map<std::string, std::string>> ParseGolden(
    absl::string_view text) {
  std::map<std::string, std::string> lines;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (fields.size() != 7 || (fields[0] != kWith && fields[0] != kWithout)) {
      return absl::InvalidArgumentError(
          absl::StrCat("golden line ", number,
                       ": want \"turn|no-turn ROW COLUMN OUTCOME TIME ROW_PAIR "
                       "COLUMN_PAIR\", not \"",
                       line, "\""));
    }
    const std::string key =
        absl::StrCat(fields[0], " ", fields[1], " ", fields[2]);
    if (!lines.emplace(key, std::string(line)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("golden line ", number, ": cell ", key, " again"));
    }
  }
  return lines;
}

std::string GoldenText(const std::vector<CellResult>& results) {
  std::string out =
      "# The NAT matrix's expected cells, written by\n"
      "#   ./bazelw run //tools:pinhole -- matrix --update\n"
      "# One line per cell: TURN ROW COLUMN OUTCOME TIME ROW_PAIR "
      "COLUMN_PAIR,\n"
      "# where ROW is the controlling agent's profile, COLUMN the controlled\n"
      "# agent's, TIME the simulated time until both were connected, and the\n"
      "# pairs each side's selected candidate types (local/remote).\n";
  for (const CellResult& result : results) {
    absl::StrAppend(&out, result.GoldenLine(), "\n");
  }
  return out;
}

std::string TerminalTable(const std::vector<MatrixProfile>& profiles,
                          const std::vector<CellResult>& results, bool turn) {
  std::string out = absl::StrCat(
      "NAT matrix ", turn ? "with" : "without",
      " TURN (rows: controlling, columns: controlled; each cell: the "
      "controlling agent's selected pair, local/remote, and the seconds until "
      "both sides were connected)\n");
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%-22s", "");
  out += buffer;
  for (size_t c = 0; c < profiles.size(); ++c) {
    std::snprintf(buffer, sizeof(buffer), " %9zu", c + 1);
    out += buffer;
  }
  out += "\n";
  for (size_t r = 0; r < profiles.size(); ++r) {
    std::snprintf(buffer, sizeof(buffer), "%2zu %-19s", r + 1,
                  profiles[r].name().substr(0, 19).c_str());
    out += buffer;
    for (const MatrixProfile& column : profiles) {
      const CellResult* result =
          Lookup(results, profiles[r].name(), column.name(), turn);
      std::string cell = "?";
      if (result != nullptr) {
        if (result->outcome == "connected") {
          char time[16];
          std::snprintf(
              time, sizeof(time), "%.2f",
              static_cast<double>(result->connected_at->ToMicroseconds()) /
                  1e6);
          cell = absl::StrCat(Short(result->row_pair), " ", time);
        } else {
          cell = result->outcome;
        }
      }
      std::snprintf(buffer, sizeof(buffer), " %9s", cell.c_str());
      out += buffer;
    }
    out += "\n";
  }
  out +=
      "H host, S server-reflexive, P peer-reflexive, R relayed (Rt: TURN over "
      "TCP, Rs: over TLS)\n";
  return out;
}

std::string Markdown(const std::vector<MatrixProfile>& profiles,
                     const std::vector<CellResult>& results) {
  std::string out = "# NAT matrix\n\n";
  out +=
      "Rows: the controlling agent's situation; columns: the controlled "
      "agent's. Each cell: the controlling agent's selected pair (local/"
      "remote candidate types; a relayed candidate's transport to the TURN "
      "server in brackets) and the simulated time until both sides were "
      "connected.\n\n";
  for (bool turn : {false, true}) {
    absl::StrAppend(&out, "## ", turn ? "With" : "Without", " TURN\n\n| |");
    for (const MatrixProfile& column : profiles) {
      absl::StrAppend(&out, " ", column.name(), " |");
    }
    out += "\n|---|";
    for (size_t i = 0; i < profiles.size(); ++i) out += "---|";
    out += "\n";
    for (const MatrixProfile& row : profiles) {
      absl::StrAppend(&out, "| **", row.name(), "** |");
      for (const MatrixProfile& column : profiles) {
        const CellResult* result =
            Lookup(results, row.name(), column.name(), turn);
        if (result == nullptr) {
          out += " ? |";
        } else if (result->outcome == "connected") {
          absl::StrAppend(&out, " ", result->row_pair, " ",
                          FormatOffset(*result->connected_at), " |");
        } else {
          absl::StrAppend(&out, " **", result->outcome, "** |");
        }
      }
      out += "\n";
    }
    out += "\n";
  }
  out += "## Profiles\n\n";
  for (const MatrixProfile& profile : profiles) {
    absl::StrAppend(&out, "- **", profile.name(), "**: ", profile.description(),
                    "\n");
  }
  return out;
}

std::string HeatMapHtml(const std::vector<MatrixProfile>& profiles,
                        const std::vector<CellResult>& results) {
  net::Duration slowest = net::Duration::Milliseconds(1);
  for (const CellResult& result : results) {
    if (result.connected_at.has_value()) {
      slowest = std::max(slowest, *result.connected_at);
    }
  }
  std::string out =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Pinhole "
      "NAT matrix</title><style>body{font-family:sans-serif;font-size:13px}"
      "table{border-collapse:collapse}td,th{border:1px solid #fff;padding:"
      "4px 6px;text-align:center}th{background:#eee}td.fail{background:"
      "#444;color:#fff}</style></head><body>\n<h1>NAT matrix</h1>\n<p>Rows: "
      "controlling agent; columns: controlled agent. Colour: time until both "
      "sides were connected, green (fast) to red (slow); dark: no "
      "connection. Hover for both sides' selected pairs.</p>\n";
  for (bool turn : {false, true}) {
    absl::StrAppend(&out, "<h2>", turn ? "With" : "Without",
                    " TURN</h2>\n<table><tr><th></th>");
    for (const MatrixProfile& column : profiles) {
      absl::StrAppend(&out, "<th>", HtmlEscape(column.name()), "</th>");
    }
    out += "</tr>\n";
    for (const MatrixProfile& row : profiles) {
      absl::StrAppend(&out, "<tr><th>", HtmlEscape(row.name()), "</th>");
      for (const MatrixProfile& column : profiles) {
        const CellResult* result =
            Lookup(results, row.name(), column.name(), turn);
        if (result == nullptr || !result->connected_at.has_value()) {
          absl::StrAppend(&out, "<td class=\"fail\" title=\"",
                          result == nullptr ? "?" : result->outcome, "\">",
                          result == nullptr ? "?" : result->outcome, "</td>");
          continue;
        }
        const double f =
            static_cast<double>(result->connected_at->ToNanoseconds()) /
            static_cast<double>(slowest.ToNanoseconds());
        const int red = static_cast<int>(80 + 175 * f);
        const int green = static_cast<int>(200 - 120 * f);
        char colour[16];
        std::snprintf(colour, sizeof(colour), "#%02x%02x60", red, green);
        absl::StrAppend(
            &out, "<td style=\"background:", colour, "\" title=\"",
            HtmlEscape(row.name()), " ", HtmlEscape(result->row_pair), " / ",
            HtmlEscape(column.name()), " ", HtmlEscape(result->column_pair),
            "\">", Short(result->row_pair), "<br>",
            FormatOffset(*result->connected_at), "</td>");
      }
      out += "</tr>\n";
    }
    out += "</table>\n";
  }
  out += "</body></html>\n";
  return out;
}

}  // namespace pinhole::scenarios::matrix
