#include "sim/tcp/rto_estimator.h"

#include <algorithm>

namespace pinhole::sim::tcp {

RtoEstimator::RtoEstimator(net::Duration initial_rto, net::Duration min_rto,
                           net::Duration max_rto)
    : min_rto_(min_rto), max_rto_(max_rto), rto_(Clamp(initial_rto)) {}

void RtoEstimator::AddSample(net::Duration rtt) {
  if (rtt < net::Duration::Zero()) rtt = net::Duration::Zero();
  if (!has_sample_) {
    srtt_ = rtt;
    rttvar_ = rtt / 2;
    has_sample_ = true;
  } else {
    const net::Duration error = srtt_ > rtt ? srtt_ - rtt : rtt - srtt_;
    rttvar_ = (rttvar_ * 3 + error) / 4;
    srtt_ = (srtt_ * 7 + rtt) / 8;
  }
  rto_ = Clamp(srtt_ + rttvar_ * 4);
}

void RtoEstimator::Backoff() { rto_ = Clamp(rto_ * 2); }

void RtoEstimator::Set(net::Duration rto) { rto_ = Clamp(rto); }

net::Duration RtoEstimator::Clamp(net::Duration rto) const {
  return std::min(std::max(rto, min_rto_), max_rto_);
}

}  // namespace pinhole::sim::tcp
