// Debian's libopenblas-dev puts cblas.h under an alternatives-managed include dir;
// the pthread variant is the one `libopenblas-dev` pulls in.
#if __has_include(<openblas-pthread/cblas.h>)
#include <openblas-pthread/cblas.h>
#elif __has_include(<openblas/cblas.h>)
#include <openblas/cblas.h>
#else
#include <cblas.h>
#endif
