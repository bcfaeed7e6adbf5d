#pragma once
#include <stddef.h>
#include <stdint.h>

// libFuzzer's entry point for programs that have a main of their own (compiler-rt's
// FuzzerInterface.h). SwiftPM renames an executable target's main on Linux, which hides it from
// libFuzzer's own main, so each harness's main calls this instead.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));
