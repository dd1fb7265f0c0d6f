// A small C interface over DCMTK (libdcmtk-dev): the header fields paper-repro needs and one
// frame's stored pixels as Hounsfield units. Only geometry and pixel encoding are exposed; no
// patient-identifying attribute is read.
#ifndef PAPER_REPRO_DICOM_SHIM_H
#define PAPER_REPRO_DICOM_SHIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    char series_uid[72];
    char modality[20];
    char sop_class_uid[72];
    char transfer_syntax_uid[72];
    char transfer_syntax_name[96];
    char photometric[20];
    int series_number, has_series_number;
    int instance_number, has_instance_number;
    double position[3]; int has_position;
    double orientation[6]; int has_orientation;
    double pixel_spacing[2]; int has_pixel_spacing;
    double slice_thickness; int has_slice_thickness;
    double rescale_slope, rescale_intercept; int has_rescale;
    int rows, columns, bits_allocated, bits_stored, high_bit, pixel_representation, samples_per_pixel, frames;
    int has_pixel_data;
} pr_dicom_header;

/// Result codes.
enum { PR_DICOM_OK = 0, PR_DICOM_NOT_DICOM = 1, PR_DICOM_ERROR = 2 };

/// Whether the file starts with a DICOM Part 10 preamble ("DICM" at byte 128).
int pr_dicom_has_preamble(const char *path);

/// Reads the header (without loading the pixel data). Returns PR_DICOM_NOT_DICOM for a file that
/// does not parse as DICOM, PR_DICOM_ERROR with `error` filled for other failures.
int pr_dicom_read_header(const char *path, pr_dicom_header *out, char *error, size_t error_size);

/// Decodes the first frame (decompressing JPEG, JPEG-LS and RLE transfer syntaxes) and writes
/// `rows * columns` values of stored pixel × RescaleSlope + RescaleIntercept to `out`.
int pr_dicom_read_frame(const char *path, float *out, size_t count, char *error, size_t error_size);

#ifdef __cplusplus
}
#endif

#endif
