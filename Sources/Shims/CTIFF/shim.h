#include <tiffio.h>
#include <stdarg.h>
#include <stdio.h>

/// Formats a libtiff message (printf-style with a va_list) into `buffer`; Swift cannot call
/// variadic C functions with a va_list directly.
static inline int ctiff_format(char *buffer, size_t size, const char *fmt, va_list ap) {
    return vsnprintf(buffer, size, fmt, ap);
}
