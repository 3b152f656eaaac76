// The matrix's data files compiled in (embed_textprotos.sh): "profiles"
// (profiles.textproto) and "golden" (golden.txt).
#ifndef PINHOLE_SCENARIOS_MATRIX_MATRIX_TEXTS_H_
#define PINHOLE_SCENARIOS_MATRIX_MATRIX_TEXTS_H_

#include "absl/types/span.h"
#include "sim/nat/embedded_textproto.h"

namespace pinhole::scenarios::matrix {

using sim::EmbeddedTextproto;

absl::Span<const EmbeddedTextproto> MatrixTexts();

}  // namespace pinhole::scenarios::matrix

#endif  // PINHOLE_SCENARIOS_MATRIX_MATRIX_TEXTS_H_
