/* The container init: the only code that runs between clone() and execve().
 * It reads a flat bootstrap prepared by SwdockRuntime (no allocation, no locks, only
 * async-signal-safe calls), performs it, and reports failures as (stage, errno) records
 * over the sync socket. See Sources/SwdockRuntime for the side that builds it. */
#ifndef SWDOCK_INIT_H
#define SWDOCK_INIT_H

#include <stdint.h>

/* One failure report written by the child to the sync socket before it exits. */
struct swdock_init_report {
    uint32_t stage;     /* which step failed (an index into the stage names Swift knows) */
    int32_t  error;     /* errno of the failing call */
    char     detail[240]; /* the object: a path, a mount target, a file name */
};

#endif
