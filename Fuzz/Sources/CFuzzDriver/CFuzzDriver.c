// Declarations only: the driver itself comes from libFuzzer at link time.
#include "CFuzzDriver.h"
