#include "sim/loss_model.h"

namespace pinhole::sim {

LossModel LossModel::Independent(net::Ratio p) {
  LossModel model;
  model.kind_ = Kind::kIndependent;
  model.independent_ = p;
  return model;
}

LossModel LossModel::GilbertElliott(
    const GilbertElliottParameters& parameters) {
  LossModel model;
  model.kind_ = Kind::kGilbertElliott;
  model.ge_ = parameters;
  return model;
}

bool LossModel::Lose(net::Random& random) {
  switch (kind_) {
    case Kind::kNone:
      return false;
    case Kind::kIndependent:
      return random.Bernoulli(independent_);
    case Kind::kGilbertElliott:
      bad_ = bad_ ? !random.Bernoulli(ge_.r) : random.Bernoulli(ge_.p);
      return random.Bernoulli(bad_ ? ge_.loss_in_bad : ge_.loss_in_good);
  }
  return false;
}

}  // namespace pinhole::sim
