#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver (compiler-rt), for an executable whose `main` SwiftPM names itself.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

// libFuzzer's own mutation of an input, for a custom mutator to fall back on.
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
