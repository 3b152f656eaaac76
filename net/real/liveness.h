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

}  // namespace pinhole::net::real

#endif  // PINHOLE_NET_REAL_LIVENESS_H_
