// `TakeOpenSslErrors`: OpenSSL's reasons for the failure just seen, as text.
//
// OpenSSL records why a call failed in a per-thread queue of error codes.
// Both backends (the real-socket one and the simulator's TLS) run on one
// thread and clear the queue before each call whose failure they report
// (`ERR_clear_error`), so what is in the queue afterwards belongs to that
// call.
#ifndef PINHOLE_NET_TLS_OPENSSL_ERROR_H_
#define PINHOLE_NET_TLS_OPENSSL_ERROR_H_

#include <string>

namespace pinhole::net::tls {

// Empties the calling thread's OpenSSL error queue and returns its reasons,
// oldest first, joined by "; " (e.g. "certificate verify failed"), or
// "no reason given by OpenSSL" when it was empty.
std::string TakeOpenSslErrors();

}  // namespace pinhole::net::tls

#endif  // PINHOLE_NET_TLS_OPENSSL_ERROR_H_
