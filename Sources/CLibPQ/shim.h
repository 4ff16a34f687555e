#ifndef FAZHI_CLIBPQ_SHIM_H
#define FAZHI_CLIBPQ_SHIM_H
// libpq, and the socket readiness calls its non-blocking mode is driven with.
#include <libpq-fe.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#endif
