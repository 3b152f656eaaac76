// `TakeOpenSslErrors`: OpenSSL's reasons for the failure just seen, as text.
//
// OpenSSL records why a call failed in a per-thread queue of error codes. The
// real-socket backend runs on one thread and clears the queue before each
// call whose failure it reports (`ERR_clear_error`), so what is in the queue
// afterwards belongs to that call.
#ifndef PINHOLE_NET_REAL_OPENSSL_ERROR_H_
#define PINHOLE_NET_REAL_OPENSSL_ERROR_H_

#include <string>

namespace pinhole::net::real {

// Empties the calling thread's OpenSSL error queue and returns its reasons,
// oldest first, joined by "; " (e.g. "certificate verify failed"), or
// "no reason given by OpenSSL" when it was empty.
std::string TakeOpenSslErrors();

}  // namespace pinhole::net::real

#endif  // PINHOLE_NET_REAL_OPENSSL_ERROR_H_
