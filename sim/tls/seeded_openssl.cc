#include "sim/tls/seeded_openssl.h"

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "net/random.h"
#include "net/tls/openssl_error.h"

namespace pinhole::sim::tls {
namespace {

constexpr char kProviderName[] = "pinhole-seeded-rand";
constexpr char kRandName[] = "PINHOLE-SEEDED";
constexpr char kRandProperties[] = "provider=pinhole-seeded-rand";
// What the generator claims: enough for every use TLS makes of it.
constexpr unsigned int kStrength = 256;
constexpr size_t kMaxRequest = 1 << 16;

// The provider's context: where the bytes come from (set once the provider
// is loaded, before anything draws).
struct ProviderContext {
  net::Random* source = nullptr;
};

// One generator instance (OpenSSL makes a primary, a seed source and, per
// thread, a public and a private one): all draw from the same source.
struct RandContext {
  ProviderContext* provider;
  int state = EVP_RAND_STATE_UNINITIALISED;
};

void* RandNew(void* provctx, void* /*parent*/,
              const OSSL_DISPATCH* /*parent_dispatch*/) {
  return new RandContext{static_cast<ProviderContext*>(provctx)};
}

void RandFree(void* ctx) { delete static_cast<RandContext*>(ctx); }

int RandInstantiate(void* ctx, unsigned int /*strength*/,
                    int /*prediction_resistance*/,
                    const unsigned char* /*personalisation*/,
                    size_t /*personalisation_length*/,
                    const OSSL_PARAM /*params*/[]) {
  static_cast<RandContext*>(ctx)->state = EVP_RAND_STATE_READY;
  return 1;
}

int RandUninstantiate(void* ctx) {
  static_cast<RandContext*>(ctx)->state = EVP_RAND_STATE_UNINITIALISED;
  return 1;
}

int RandGenerate(void* ctx, unsigned char* out, size_t length,
                 unsigned int /*strength*/, int /*prediction_resistance*/,
                 const unsigned char* /*additional*/,
                 size_t /*additional_length*/) {
  net::Random* source = static_cast<RandContext*>(ctx)->provider->source;
  if (source == nullptr) return 0;
  source->Fill(absl::MakeSpan(out, length));
  return 1;
}

int RandReseed(void* /*ctx*/, int /*prediction_resistance*/,
               const unsigned char* /*entropy*/, size_t /*entropy_length*/,
               const unsigned char* /*additional*/,
               size_t /*additional_length*/) {
  return 1;
}

// As a parent (the seed source of the primary generator).
size_t RandGetSeed(void* ctx, unsigned char** seed, int /*entropy*/,
                   size_t min_length, size_t /*max_length*/,
                   int /*prediction_resistance*/,
                   const unsigned char* /*additional*/,
                   size_t /*additional_length*/) {
  auto* buffer = static_cast<unsigned char*>(OPENSSL_malloc(min_length));
  if (buffer == nullptr) return 0;
  if (RandGenerate(ctx, buffer, min_length, 0, 0, nullptr, 0) != 1) {
    OPENSSL_free(buffer);
    return 0;
  }
  *seed = buffer;
  return min_length;
}

void RandClearSeed(void* /*ctx*/, unsigned char* seed, size_t length) {
  OPENSSL_clear_free(seed, length);
}

// One thread: locking is a formality OpenSSL insists on.
int RandEnableLocking(void* /*ctx*/) { return 1; }
int RandLock(void* /*ctx*/) { return 1; }
void RandUnlock(void* /*ctx*/) {}

const OSSL_PARAM* RandGettableCtxParams(void* /*ctx*/, void* /*provctx*/) {
  static const OSSL_PARAM kGettable[] = {
      OSSL_PARAM_int(OSSL_RAND_PARAM_STATE, nullptr),
      OSSL_PARAM_uint(OSSL_RAND_PARAM_STRENGTH, nullptr),
      OSSL_PARAM_size_t(OSSL_RAND_PARAM_MAX_REQUEST, nullptr),
      OSSL_PARAM_END,
  };
  return kGettable;
}

int RandGetCtxParams(void* ctx, OSSL_PARAM params[]) {
  OSSL_PARAM* p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_STATE);
  if (p != nullptr &&
      !OSSL_PARAM_set_int(p, static_cast<RandContext*>(ctx)->state)) {
    return 0;
  }
  p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_STRENGTH);
  if (p != nullptr && !OSSL_PARAM_set_uint(p, kStrength)) return 0;
  p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_MAX_REQUEST);
  if (p != nullptr && !OSSL_PARAM_set_size_t(p, kMaxRequest)) return 0;
  return 1;
}

// OpenSSL passes a DRBG's settings (cipher, reseed intervals) to whatever
// generator it makes; this one has none and ignores them.
const OSSL_PARAM* RandSettableCtxParams(void* /*ctx*/, void* /*provctx*/) {
  static const OSSL_PARAM kSettable[] = {OSSL_PARAM_END};
  return kSettable;
}

int RandSetCtxParams(void* /*ctx*/, const OSSL_PARAM /*params*/[]) { return 1; }

template <typename Function>
OSSL_DISPATCH Entry(int id, Function* function) {
  return {id, reinterpret_cast<void (*)()>(function)};
}

const OSSL_DISPATCH* RandFunctions() {
  static const OSSL_DISPATCH kFunctions[] = {
      Entry(OSSL_FUNC_RAND_NEWCTX, &RandNew),
      Entry(OSSL_FUNC_RAND_FREECTX, &RandFree),
      Entry(OSSL_FUNC_RAND_INSTANTIATE, &RandInstantiate),
      Entry(OSSL_FUNC_RAND_UNINSTANTIATE, &RandUninstantiate),
      Entry(OSSL_FUNC_RAND_GENERATE, &RandGenerate),
      Entry(OSSL_FUNC_RAND_RESEED, &RandReseed),
      Entry(OSSL_FUNC_RAND_GET_SEED, &RandGetSeed),
      Entry(OSSL_FUNC_RAND_CLEAR_SEED, &RandClearSeed),
      Entry(OSSL_FUNC_RAND_ENABLE_LOCKING, &RandEnableLocking),
      Entry(OSSL_FUNC_RAND_LOCK, &RandLock),
      Entry(OSSL_FUNC_RAND_UNLOCK, &RandUnlock),
      Entry(OSSL_FUNC_RAND_GETTABLE_CTX_PARAMS, &RandGettableCtxParams),
      Entry(OSSL_FUNC_RAND_GET_CTX_PARAMS, &RandGetCtxParams),
      Entry(OSSL_FUNC_RAND_SETTABLE_CTX_PARAMS, &RandSettableCtxParams),
      Entry(OSSL_FUNC_RAND_SET_CTX_PARAMS, &RandSetCtxParams),
      {0, nullptr},
  };
  return kFunctions;
}

const OSSL_ALGORITHM* ProviderQuery(void* /*provctx*/, int operation,
                                    int* no_cache) {
  *no_cache = 0;
  static const OSSL_ALGORITHM kRands[] = {
      {kRandName, kRandProperties, RandFunctions(),
       "Pinhole: bytes from the simulation's seeded generator"},
      {nullptr, nullptr, nullptr, nullptr},
  };
  return operation == OSSL_OP_RAND ? kRands : nullptr;
}

void ProviderTeardown(void* provctx) {
  delete static_cast<ProviderContext*>(provctx);
}

int ProviderInit(const OSSL_CORE_HANDLE* /*handle*/,
                 const OSSL_DISPATCH* /*in*/, const OSSL_DISPATCH** out,
                 void** provctx) {
  static const OSSL_DISPATCH kProvider[] = {
      Entry(OSSL_FUNC_PROVIDER_QUERY_OPERATION, &ProviderQuery),
      Entry(OSSL_FUNC_PROVIDER_TEARDOWN, &ProviderTeardown),
      {0, nullptr},
  };
  *provctx = new ProviderContext;
  *out = kProvider;
  return 1;
}

absl::Status Failure(const char* what) {
  return absl::InternalError(absl::StrCat("seeded OpenSSL: ", what, ": ",
                                          net::tls::TakeOpenSslErrors()));
}

}  // namespace

absl::StatusOr<std::unique_ptr<SeededOpenSsl>> SeededOpenSsl::Create(
    std::unique_ptr<net::Random> random) {
  ERR_clear_error();
  std::unique_ptr<SeededOpenSsl> openssl(new SeededOpenSsl(std::move(random)));
  openssl->libctx_ = OSSL_LIB_CTX_new();
  if (openssl->libctx_ == nullptr) return Failure("no library context");
  OSSL_LIB_CTX* libctx = openssl->libctx_;
  if (OSSL_PROVIDER_add_builtin(libctx, kProviderName, &ProviderInit) != 1) {
    return Failure("cannot register the generator's provider");
  }
  openssl->seeded_ = OSSL_PROVIDER_load(libctx, kProviderName);
  if (openssl->seeded_ == nullptr) {
    return Failure("cannot load the generator's provider");
  }
  auto* provider = static_cast<ProviderContext*>(
      OSSL_PROVIDER_get0_provider_ctx(openssl->seeded_));
  if (provider == nullptr) return Failure("the provider has no context");
  provider->source = openssl->random_.get();
  openssl->default_ = OSSL_PROVIDER_load(libctx, "default");
  if (openssl->default_ == nullptr) {
    return Failure("cannot load OpenSSL's default provider");
  }
  if (RAND_set_DRBG_type(libctx, kRandName, kRandProperties, nullptr,
                         nullptr) != 1 ||
      RAND_set_seed_source_type(libctx, kRandName, kRandProperties) != 1) {
    return Failure("cannot select the seeded generator");
  }
  // Makes the primary generator now, so that a wrong set-up shows here.
  if (RAND_get0_primary(libctx) == nullptr) {
    return Failure("cannot make the primary generator");
  }
  return openssl;
}

SeededOpenSsl::SeededOpenSsl(std::unique_ptr<net::Random> random)
    : random_(std::move(random)) {}

SeededOpenSsl::~SeededOpenSsl() {
  if (default_ != nullptr) OSSL_PROVIDER_unload(default_);
  if (seeded_ != nullptr) OSSL_PROVIDER_unload(seeded_);
  // Frees the generators, which draw from `random_` until then.
  OSSL_LIB_CTX_free(libctx_);
}

}  // namespace pinhole::sim::tls
