#include "scenarios/report.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ice/agent_config.h"
#include "ice/sdp.h"

namespace pinhole::scenarios {
namespace {

std::string Seconds(net::Duration d) {
  char text[48];
  std::snprintf(text, sizeof(text), "%.6f",
                static_cast<double>(d.ToNanoseconds()) / 1e9);
  return text;
}

const char* PairColour(ice::PairState state, bool removed) {
  if (removed) return "#d9d9d9";
  switch (state) {
    case ice::PairState::kFrozen:
      return "#bdbdbd";
    case ice::PairState::kWaiting:
      return "#9ecae1";
    case ice::PairState::kInProgress:
      return "#fdae6b";
    case ice::PairState::kSucceeded:
      return "#74c476";
    case ice::PairState::kFailed:
      return "#de2d26";
  }
  return "#ffffff";
}

const char* StateColour(ice::ConnectionState state) {
  switch (state) {
    case ice::ConnectionState::kNew:
      return "#f0f0f0";
    case ice::ConnectionState::kChecking:
      return "#fdae6b";
    case ice::ConnectionState::kConnected:
      return "#74c476";
    case ice::ConnectionState::kCompleted:
      return "#31a354";
    case ice::ConnectionState::kFailed:
      return "#de2d26";
    case ice::ConnectionState::kDisconnected:
      return "#fd8d3c";
    case ice::ConnectionState::kClosed:
      return "#969696";
  }
  return "#ffffff";
}

}  // namespace

std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  out += "\"";
  return out;
}

std::string HtmlEscape(absl::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string ResultText(const RunResult& result, absl::string_view source,
                       absl::string_view reproduce) {
  std::string out =
      absl::StrCat("scenario ", source, " (seed ", result.seed, ")\n");
  if (!result.description.empty()) {
    absl::StrAppend(&out, "  ", result.description, "\n");
  }
  size_t failed = 0;
  for (const ExpectationResult& r : result.expectations) {
    if (!r.met) ++failed;
    absl::StrAppend(&out, r.met ? "  [met]     " : "  [NOT MET] ",
                    r.expectation, "\n              ", r.outcome, "\n");
  }
  for (const AgentReport& agent : result.agents) {
    absl::StrAppend(&out, "  agent ", agent.name, " (",
                    ice::RoleName(agent.role), ", ", agent.host, "): ");
    if (agent.connected_at.has_value()) {
      absl::StrAppend(&out, "connected at ", FormatOffset(*agent.connected_at));
    } else {
      absl::StrAppend(&out, "never connected");
    }
    if (!agent.selections.empty()) {
      absl::StrAppend(&out, ", last selected ",
                      PairTypes(agent.selections.back().pair));
    }
    absl::StrAppend(&out, ", ", agent.stats.checks_sent, " checks sent, ",
                    agent.messages_received, " messages received\n");
  }
  absl::StrAppend(&out, "  ran ", FormatOffset(result.ran_for),
                  " of simulated time, ", result.events, " events; trace ",
                  result.trace_sha256.substr(0, 16), "\n");
  for (const std::string& output : result.outputs) {
    absl::StrAppend(&out, "  wrote ", output, "\n");
  }
  if (failed == 0) {
    absl::StrAppend(&out, "PASS: ", result.expectations.size(),
                    " expectations met\n");
  } else {
    absl::StrAppend(&out, "FAIL: ", failed, " of ", result.expectations.size(),
                    " expectations not met (seed ", result.seed,
                    ")\nreproduce: ", reproduce, "\n");
  }
  return out;
}

std::string ReproduceCommand(absl::string_view path, uint64_t seed) {
  return absl::StrCat("./bazelw run //tools:pinhole -- run ", path,
                      " --seed=", seed);
}

std::string SummaryJson(const RunResult& result) {
  std::string out = "{\n";
  absl::StrAppend(&out, "  \"description\": ", JsonString(result.description),
                  ",\n  \"seed\": ", result.seed,
                  ",\n  \"passed\": ", result.passed() ? "true" : "false",
                  ",\n  \"ran_for_s\": ", Seconds(result.ran_for),
                  ",\n  \"events\": ", result.events,
                  ",\n  \"trace_sha256\": ", JsonString(result.trace_sha256),
                  ",\n  \"expectations\": [");
  for (size_t i = 0; i < result.expectations.size(); ++i) {
    const ExpectationResult& r = result.expectations[i];
    absl::StrAppend(&out, i == 0 ? "\n" : ",\n",
                    "    {\"expectation\": ", JsonString(r.expectation),
                    ", \"met\": ", r.met ? "true" : "false",
                    ", \"outcome\": ", JsonString(r.outcome), "}");
  }
  absl::StrAppend(&out, "\n  ],\n  \"timeline\": [");
  for (size_t i = 0; i < result.events_applied.size(); ++i) {
    absl::StrAppend(
        &out, i == 0 ? "\n" : ",\n",
        "    {\"at_s\": ", Seconds(result.events_applied[i].first),
        ", \"event\": ", JsonString(result.events_applied[i].second), "}");
  }
  absl::StrAppend(&out, "\n  ],\n  \"agents\": [");
  for (size_t a = 0; a < result.agents.size(); ++a) {
    const AgentReport& agent = result.agents[a];
    absl::StrAppend(
        &out, a == 0 ? "\n" : ",\n",
        "    {\n      \"name\": ", JsonString(agent.name),
        ",\n      \"host\": ", JsonString(agent.host),
        ",\n      \"call\": ", JsonString(agent.call),
        ",\n      \"role\": ", JsonString(ice::RoleName(agent.role)),
        ",\n      \"connected_at_s\": ",
        agent.connected_at.has_value() ? Seconds(*agent.connected_at)
                                       : std::string("null"),
        ",\n      \"candidates\": [");
    for (size_t i = 0; i < agent.candidates.size(); ++i) {
      absl::StrAppend(
          &out, i == 0 ? "\n" : ",\n",
          "        {\"at_s\": ", Seconds(agent.candidates[i].first),
          ", \"line\": ",
          JsonString(ice::FormatCandidateAttribute(agent.candidates[i].second)),
          "}");
    }
    absl::StrAppend(&out, "\n      ],\n      \"states\": [");
    for (size_t i = 0; i < agent.states.size(); ++i) {
      absl::StrAppend(
          &out, i == 0 ? "\n" : ",\n",
          "        {\"at_s\": ", Seconds(agent.states[i].at), ", \"state\": ",
          JsonString(ice::ConnectionStateName(agent.states[i].state)), "}");
    }
    absl::StrAppend(&out, "\n      ],\n      \"selections\": [");
    for (size_t i = 0; i < agent.selections.size(); ++i) {
      const Selection& s = agent.selections[i];
      absl::StrAppend(
          &out, i == 0 ? "\n" : ",\n", "        {\"at_s\": ", Seconds(s.at),
          ", \"types\": ", JsonString(PairTypes(s.pair)),
          ", \"local\": ", JsonString(s.pair.local.address.ToString()),
          ", \"remote\": ", JsonString(s.pair.remote.address.ToString()), "}");
    }
    absl::StrAppend(
        &out,
        "\n      ],\n      \"messages\": {\"asked\": ", agent.messages_asked,
        ", \"sent\": ", agent.messages_sent,
        ", \"received\": ", agent.messages_received,
        ", \"corrupted\": ", agent.messages_corrupted,
        "},\n      \"stats\": {\"checks_sent\": ", agent.stats.checks_sent,
        ", \"checks_received\": ", agent.stats.checks_received,
        ", \"consent_checks_sent\": ", agent.stats.consent_checks_sent,
        ", \"role_conflicts\": ", agent.stats.role_conflicts, "}\n    }");
  }
  absl::StrAppend(&out, "\n  ],\n  \"drops\": {");
  size_t i = 0;
  for (const auto& [reason, count] : result.drops) {
    absl::StrAppend(&out, i++ == 0 ? "\n" : ",\n", "    ", JsonString(reason),
                    ": ", count);
  }
  absl::StrAppend(&out, "\n  }\n}\n");
  return out;
}

std::string TimelineHtml(const RunResult& result) {
  // The visible span: up to the last change worth seeing, plus a margin.
  net::Duration last = net::Duration::Milliseconds(100);
  for (const AgentReport& agent : result.agents) {
    for (const PairChange& c : agent.pairs) last = std::max(last, c.at);
    for (const StateChange& c : agent.states) last = std::max(last, c.at);
  }
  for (const auto& [at, text] : result.events_applied) {
    last = std::max(last, at);
  }
  const net::Duration span = std::min(
      result.ran_for, last + last / 10 + net::Duration::Milliseconds(1));
  const double width = 900;
  const double label = 330;
  const double row = 16;
  auto x = [&](net::Duration at) {
    const double f =
        static_cast<double>(std::min(at, span).ToNanoseconds()) /
        static_cast<double>(std::max<int64_t>(1, span.ToNanoseconds()));
    return label + f * width;
  };
  auto num = [](double v) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.1f", v);
    return std::string(text);
  };

  std::string out =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
      "<title>Pinhole scenario timeline</title>\n<style>body{font-family:"
      "sans-serif;font-size:13px}text{font-size:11px;font-family:monospace}"
      "</style></head><body>\n";
  absl::StrAppend(&out, "<h1>", HtmlEscape(result.description), "</h1>\n<p>",
                  result.passed() ? "PASS" : "FAIL", " &middot; seed ",
                  result.seed, " &middot; shown: 0 to ", FormatOffset(span),
                  " of ", FormatOffset(result.ran_for),
                  " simulated &middot; hover for exact times</p>\n<p>Pair "
                  "states: <span style=\"background:#bdbdbd\">frozen</span> "
                  "<span style=\"background:#9ecae1\">waiting</span> "
                  "<span style=\"background:#fdae6b\">in progress</span> "
                  "<span style=\"background:#74c476\">succeeded</span> "
                  "<span style=\"background:#de2d26\">failed</span> "
                  "<span style=\"background:#d9d9d9\">removed</span>; a black "
                  "outline marks the nominated pair.</p>\n");
  for (const AgentReport& agent : result.agents) {
    std::vector<std::string> rows;
    std::map<std::string, size_t> index;
    for (const PairChange& c : agent.pairs) {
      if (index.emplace(c.pair, rows.size()).second) rows.push_back(c.pair);
    }
    const double height = (static_cast<double>(rows.size()) + 3) * row + 20;
    absl::StrAppend(&out, "<h2>", HtmlEscape(agent.name), " (",
                    ice::RoleName(agent.role), ", host ",
                    HtmlEscape(agent.host), ")</h2>\n<svg width=\"",
                    num(label + width + 20), "\" height=\"", num(height),
                    "\" xmlns=\"http://www.w3.org/2000/svg\">\n");
    // Time axis: ten ticks.
    for (int t = 0; t <= 10; ++t) {
      const net::Duration at = span * t / 10;
      absl::StrAppend(&out, "<line x1=\"", num(x(at)), "\" y1=\"0\" x2=\"",
                      num(x(at)), "\" y2=\"", num(height - 14),
                      "\" stroke=\"#eee\"/><text x=\"", num(x(at)), "\" y=\"",
                      num(height - 2), "\" text-anchor=\"middle\">",
                      FormatOffset(at), "</text>\n");
    }
    // Connection state.
    absl::StrAppend(&out, "<text x=\"0\" y=\"", num(row - 4),
                    "\">connection state</text>\n");
    for (size_t i = 0; i < agent.states.size(); ++i) {
      const StateChange& c = agent.states[i];
      const net::Duration until =
          i + 1 < agent.states.size() ? agent.states[i + 1].at : span;
      if (c.at > span) break;
      absl::StrAppend(&out, "<rect x=\"", num(x(c.at)), "\" y=\"2\" width=\"",
                      num(std::max(1.0, x(until) - x(c.at))), "\" height=\"",
                      num(row - 4), "\" fill=\"", StateColour(c.state),
                      "\"><title>", ice::ConnectionStateName(c.state), " from ",
                      FormatOffset(c.at), "</title></rect>\n");
    }
    // Pairs.
    for (size_t r = 0; r < rows.size(); ++r) {
      const double y = (static_cast<double>(r) + 1.5) * row;
      absl::StrAppend(&out, "<text x=\"0\" y=\"", num(y + row - 5), "\">",
                      HtmlEscape(rows[r].substr(0, 52)), "</text>\n");
      std::vector<const PairChange*> changes;
      for (const PairChange& c : agent.pairs) {
        if (c.pair == rows[r]) changes.push_back(&c);
      }
      for (size_t i = 0; i < changes.size(); ++i) {
        const PairChange& c = *changes[i];
        if (c.at > span) break;
        const net::Duration until =
            i + 1 < changes.size() ? changes[i + 1]->at : span;
        absl::StrAppend(
            &out, "<rect x=\"", num(x(c.at)), "\" y=\"", num(y + 2),
            "\" width=\"", num(std::max(1.0, x(until) - x(c.at))),
            "\" height=\"", num(row - 4), "\" fill=\"",
            PairColour(c.state, c.removed), "\"",
            c.nominated ? " stroke=\"#000\" stroke-width=\"1.5\"" : "",
            "><title>", HtmlEscape(c.pair), ": ",
            c.removed ? "removed" : ice::PairStateName(c.state),
            c.nominated ? ", nominated" : "", " from ", FormatOffset(c.at),
            "</title></rect>\n");
      }
    }
    // The timeline's events.
    for (const auto& [at, text] : result.events_applied) {
      if (at > span) continue;
      absl::StrAppend(&out, "<line x1=\"", num(x(at)), "\" y1=\"0\" x2=\"",
                      num(x(at)), "\" y2=\"", num(height - 14),
                      "\" stroke=\"#6a51a3\" stroke-dasharray=\"4,3\"><title>",
                      HtmlEscape(text), " at ", FormatOffset(at),
                      "</title></line>\n");
    }
    absl::StrAppend(&out, "</svg>\n");
  }
  absl::StrAppend(&out, "<h2>Expectations</h2>\n<ul>\n");
  for (const ExpectationResult& r : result.expectations) {
    absl::StrAppend(&out, "<li>", r.met ? "met: " : "<b>NOT MET</b>: ",
                    HtmlEscape(r.expectation), " &mdash; ",
                    HtmlEscape(r.outcome), "</li>\n");
  }
  absl::StrAppend(&out, "</ul>\n</body></html>\n");
  return out;
}

}  // namespace pinhole::scenarios
