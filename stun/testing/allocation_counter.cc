#include "stun/testing/allocation_counter.h"

#include <openssl/crypto.h>

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace {

std::atomic<long> allocations{0};

// OpenSSL allocates through its own hooks, not operator new: count those too.
void* CountingMalloc(size_t size, const char*, int) {
  ++allocations;
  return std::malloc(size);
}
void* CountingRealloc(void* p, size_t size, const char*, int) {
  ++allocations;
  return std::realloc(p, size);
}
void CountingFree(void* p, const char*, int) { std::free(p); }

// Must run before OpenSSL allocates anything.
[[maybe_unused]] const bool kHooksInstalled =
    CRYPTO_set_mem_functions(CountingMalloc, CountingRealloc, CountingFree) ==
    1;

}  // namespace

void* operator new(size_t size) {
  ++allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t size) { return operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

namespace pinhole::stun::testing {

long AllocationCount() { return allocations.load(); }

}  // namespace pinhole::stun::testing
