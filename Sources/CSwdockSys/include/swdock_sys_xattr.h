/* The xattr calls (llistxattr, lgetxattr, lsetxattr, …), which the Swift Glibc module
 * leaves out. Header only: the functions are glibc's own. */
#ifndef SWDOCK_SYS_XATTR_H
#define SWDOCK_SYS_XATTR_H

#include <sys/xattr.h>

#endif
