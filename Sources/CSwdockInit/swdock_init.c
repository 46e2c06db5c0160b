/* The container init (see include/swdock_init.h). Built up by the runtime work. */
#include "swdock_init.h"
_Static_assert(sizeof(struct swdock_init_report) == 248, "report layout is part of the sync protocol");
