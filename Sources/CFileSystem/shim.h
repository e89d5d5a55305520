// Linux file-system calls Glibc's Swift module leaves out (they need _GNU_SOURCE).
#define _GNU_SOURCE
#include <fcntl.h>

/// Gives the disk blocks of `offset..<offset + length` back to the file system, keeping the
/// file's size (the range then reads as zeros). 0, or -1 with errno.
static inline int keychain_punch_hole(int descriptor, long long offset, long long length) {
    return fallocate(descriptor, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)offset, (off_t)length);
}
