// `Liveness`: lets an object that calls out (a socket running its receive
// callback, a timer running `on_fire`) learn whether the callee destroyed it.
//
//   class Socket {
//     void Dispatch() {
//       Liveness::Scope scope(liveness_);
//       on_receive_(datagram);
//       if (!scope.alive()) return;  // `this` is gone: touch nothing.
//       ...
//     }
//     Liveness liveness_;
//   };
//
// Scopes nest; destroying the owner marks every open scope dead. Costs no
// allocation.
#ifndef PINHOLE_NET_REAL_LIVENESS_H_
#define PINHOLE_NET_REAL_LIVENESS_H_

#include <cstdint>
#include <utility>

namespace pinhole::net::real {

class Liveness {
 public:
  class Scope {
   public:
    explicit Scope(Liveness& owner) : owner_(owner), outer_(owner.innermost_) {
      owner.innermost_ = this;
    }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    ~Scope() {
      if (alive_) owner_.innermost_ = outer_;
    }

    // False once the owner of the `Liveness` was destroyed.
    bool alive() const { return alive_; }

   private:
    friend class Liveness;
    Liveness& owner_;
    Scope* const outer_;
    bool alive_ = true;
  };

  Liveness() = default;
  Liveness(const Liveness&) = delete;
  Liveness& operator=(const Liveness&) = delete;
  ~Liveness() {
    for (Scope* s = innermost_; s != nullptr; s = s->outer_) s->alive_ = false;
  }

 private:
  Scope* innermost_ = nullptr;
};

// Runs the callback `callbacks.*member` with `args` so that it may replace
// the callbacks (the owner then bumps `version`) or destroy their owner
// (`scope` then reports it dead): the callback is held here while it runs,
// and put back only when neither happened. What every stream's callback
// dispatch needs.
template <typename Callbacks, typename Member, typename... Args>
void InvokeHeldCallback(Callbacks& callbacks, const uint64_t& version,
                        Member member, const Liveness::Scope& scope,
                        Args&&... args) {
  auto callback = std::move(callbacks.*member);
  if (!callback) return;
  const uint64_t before = version;
  callback(std::forward<Args>(args)...);
  // `callbacks` and `version` are touched only while the owner lives.
  if (scope.alive() && version == before) {
    callbacks.*member = std::move(callback);
  }
}

}  // namespace pinhole::net::real

#endif  // PINHOLE_NET_REAL_LIVENESS_H_
