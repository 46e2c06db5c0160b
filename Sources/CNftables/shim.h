/* libnftables: the nft command language (and its JSON form) run as one kernel transaction. */
#include <nftables/libnftables.h>
