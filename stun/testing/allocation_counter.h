// Counts heap allocations, for tests that assert a path allocates nothing (or
// exactly so much): every operator new and every allocation OpenSSL makes.
// Linking this library replaces the program's global operator new and
// installs OpenSSL's memory hooks before main(), so a test binary that uses
// it counts from its first allocation. Test-only; one per binary.
#ifndef PINHOLE_STUN_TESTING_ALLOCATION_COUNTER_H_
#define PINHOLE_STUN_TESTING_ALLOCATION_COUNTER_H_

namespace pinhole::stun::testing {

// Allocations since the program started.
long AllocationCount();

}  // namespace pinhole::stun::testing

#endif  // PINHOLE_STUN_TESTING_ALLOCATION_COUNTER_H_
