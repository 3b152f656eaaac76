// `RtoEstimator`: the retransmission timeout of RFC 6298 §2, in exact integer
// nanoseconds.
//
// Before the first sample RTO is the initial value (1 s by default, §2.1).
// The first sample R sets SRTT = R and RTTVAR = R/2 (§2.2); each later one
// sets RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|, then SRTT = 7/8 SRTT + 1/8 R
// (§2.3). RTO = SRTT + 4 RTTVAR, clamped to [min, max]. The clock granularity
// G of §2.3 is taken as 0: simulated time is exact, and the minimum RTO
// (200 ms by default, as Linux, instead of §2.4's 1 s) already floors it.
// `Backoff` doubles RTO up to the maximum (§5.5). Callers apply Karn's rule:
// no sample from a retransmitted segment (§3).
#ifndef PINHOLE_SIM_TCP_RTO_ESTIMATOR_H_
#define PINHOLE_SIM_TCP_RTO_ESTIMATOR_H_

#include "net/time.h"

namespace pinhole::sim::tcp {

class RtoEstimator {
 public:
  // Requires 0 < min_rto <= initial_rto <= max_rto.
  RtoEstimator(net::Duration initial_rto, net::Duration min_rto,
               net::Duration max_rto);

  // Takes one round-trip measurement; recomputes RTO (undoing any backoff).
  void AddSample(net::Duration rtt);
  // Doubles RTO, up to the maximum.
  void Backoff();
  // Sets RTO to `rto` (clamped) without touching SRTT and RTTVAR: RFC 6298
  // §5.7's 3 s after a retransmitted SYN when no sample has been taken.
  void Set(net::Duration rto);

  net::Duration rto() const { return rto_; }
  bool has_sample() const { return has_sample_; }
  // Meaningful only once `has_sample()`.
  net::Duration srtt() const { return srtt_; }
  net::Duration rttvar() const { return rttvar_; }

 private:
  net::Duration Clamp(net::Duration rto) const;

  net::Duration min_rto_;
  net::Duration max_rto_;
  net::Duration rto_;
  net::Duration srtt_;
  net::Duration rttvar_;
  bool has_sample_ = false;
};

}  // namespace pinhole::sim::tcp

#endif  // PINHOLE_SIM_TCP_RTO_ESTIMATOR_H_
