/* The cblas.h of OpenBLAS (Debian: libopenblas-dev, the pthread variant by default). */
#include <cblas.h>
