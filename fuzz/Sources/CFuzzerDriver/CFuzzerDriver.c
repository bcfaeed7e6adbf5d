// The header is all there is; SwiftPM wants a source file in every C target.
#include "CFuzzerDriver.h"
