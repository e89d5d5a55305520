#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver (compiler-rt), for an executable whose `main` SwiftPM names itself.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
