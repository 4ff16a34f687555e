#ifndef FAZHI_CLIBPQ_SHIM_H
#define FAZHI_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#include <poll.h>
#endif
