#include <tiffio.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>

/* Swift cannot call C variadic functions; these wrappers give libtiff's tag accessors and
   message formatting fixed signatures. */

/// Receives libtiff's formatted messages: is_error 1 for errors, 0 for warnings.
typedef void (*ctiff_sink_fn)(int is_error, const char *module, const char *message);
static ctiff_sink_fn ctiff_sink = 0;

/* The calling thread's last libtiff error, kept in C thread-local storage (cheap to clear). */
static inline char *ctiff_last_error_buffer(void) {
    static __thread char text[1024];
    return text;
}

/// The calling thread's last libtiff error message ("" when none since the last clear).
static inline const char *ctiff_last_error(void) { return ctiff_last_error_buffer(); }
/// Forgets the calling thread's last libtiff error.
static inline void ctiff_clear_last_error(void) { ctiff_last_error_buffer()[0] = 0; }

static void ctiff_forward(int is_error, const char *module, const char *fmt, va_list ap) {
    char buffer[1024];
    vsnprintf(buffer, sizeof buffer, fmt, ap);
    if (is_error) snprintf(ctiff_last_error_buffer(), 1024, "%s%s%s",
                           module ? module : "", module ? ": " : "", buffer);
    if (ctiff_sink) ctiff_sink(is_error, module, buffer);
}

/// Opens an already-open descriptor for reading without memory mapping (read(2) only).
static inline TIFF *ctiff_fd_open_read(int fd, const char *name) {
    return TIFFFdOpen(fd, name, "rm");
}
static void ctiff_on_warning(const char *module, const char *fmt, va_list ap) { ctiff_forward(0, module, fmt, ap); }
static void ctiff_on_error(const char *module, const char *fmt, va_list ap) { ctiff_forward(1, module, fmt, ap); }

/// Routes libtiff's warning and error handlers to `sink` (formatted text, never raw stderr).
static inline void ctiff_install_handlers(ctiff_sink_fn sink) {
    ctiff_sink = sink;
    TIFFSetWarningHandler(ctiff_on_warning);
    TIFFSetErrorHandler(ctiff_on_error);
}
/// TIFFSetField for a tag whose value is a 32-bit unsigned integer.
static inline int ctiff_set_u32(TIFF *tif, uint32_t tag, uint32_t value) {
    return TIFFSetField(tif, tag, value);
}
/// TIFFSetField for a tag whose value is a 16-bit unsigned integer (passed as int, as C promotes it).
static inline int ctiff_set_u16(TIFF *tif, uint32_t tag, uint16_t value) {
    return TIFFSetField(tif, tag, (int)value);
}
/// TIFFGetFieldDefaulted for a 32-bit unsigned tag. Returns 1 when present.
static inline int ctiff_get_u32(TIFF *tif, uint32_t tag, uint32_t *value) {
    return TIFFGetFieldDefaulted(tif, tag, value);
}
/// TIFFGetFieldDefaulted for a 16-bit unsigned tag. Returns 1 when present.
static inline int ctiff_get_u16(TIFF *tif, uint32_t tag, uint16_t *value) {
    return TIFFGetFieldDefaulted(tif, tag, value);
}
/// TIFFGetField (no default) for a 16-bit unsigned tag. Returns 1 when present.
static inline int ctiff_get_u16_nodefault(TIFF *tif, uint32_t tag, uint16_t *value) {
    return TIFFGetField(tif, tag, value);
}
