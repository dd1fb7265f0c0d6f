// DCMTK-backed implementation of dicom_shim.h.
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmdata/dcrledrg.h"
#include "dcmtk/dcmjpeg/djdecode.h"
#include "dcmtk/dcmjpls/djdecode.h"
#include "dcmtk/oflog/oflog.h"

#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>

#include "dicom_shim.h"

namespace {

std::once_flag registered;

void setup() {
    std::call_once(registered, [] {
        // Quiet: errors are returned to the caller, not logged by DCMTK.
        OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
        DJDecoderRegistration::registerCodecs();
        DJLSDecoderRegistration::registerCodecs();
        DcmRLEDecoderRegistration::registerCodecs();
    });
}

void fail(char *error, size_t size, const std::string &message) {
    if (error && size > 0) std::snprintf(error, size, "%s", message.c_str());
}

void copy(DcmItem *item, const DcmTagKey &key, char *dst, size_t size) {
    OFString v;
    dst[0] = 0;
    if (item->findAndGetOFString(key, v).good()) std::snprintf(dst, size, "%s", v.c_str());
}

int loadFile(const char *path, DcmFileFormat &file, bool withPixels, char *error, size_t error_size) {
    setup();
    // Without pixels, values over 4 kB (the pixel data) are left on disk and not read.
    OFCondition c = file.loadFile(path, EXS_Unknown, EGL_noChange, withPixels ? DCM_MaxReadLength : 4096, ERM_autoDetect);
    if (c.bad()) {
        fail(error, error_size, c.text());
        return PR_DICOM_NOT_DICOM;
    }
    return PR_DICOM_OK;
}

}  // namespace

extern "C" int pr_dicom_has_preamble(const char *path) {
    FILE *f = std::fopen(path, "rb");
    if (!f) return 0;
    char buf[132];
    size_t n = std::fread(buf, 1, sizeof buf, f);
    std::fclose(f);
    return n == sizeof buf && std::memcmp(buf + 128, "DICM", 4) == 0;
}

extern "C" int pr_dicom_read_header(const char *path, pr_dicom_header *out, char *error, size_t error_size) {
    std::memset(out, 0, sizeof *out);
    DcmFileFormat file;
    int rc = loadFile(path, file, false, error, error_size);
    if (rc != PR_DICOM_OK) return rc;
    DcmDataset *d = file.getDataset();
    DcmMetaInfo *m = file.getMetaInfo();

    copy(d, DCM_SeriesInstanceUID, out->series_uid, sizeof out->series_uid);
    copy(d, DCM_Modality, out->modality, sizeof out->modality);
    copy(d, DCM_SOPClassUID, out->sop_class_uid, sizeof out->sop_class_uid);
    if (out->sop_class_uid[0] == 0 && m) copy(m, DCM_MediaStorageSOPClassUID, out->sop_class_uid, sizeof out->sop_class_uid);
    copy(d, DCM_PhotometricInterpretation, out->photometric, sizeof out->photometric);
    E_TransferSyntax xfer = d->getOriginalXfer();
    DcmXfer x(xfer);
    std::snprintf(out->transfer_syntax_uid, sizeof out->transfer_syntax_uid, "%s", x.getXferID());
    std::snprintf(out->transfer_syntax_name, sizeof out->transfer_syntax_name, "%s", x.getXferName());

    Sint32 i32;
    if (d->findAndGetSint32(DCM_SeriesNumber, i32).good()) { out->series_number = (int)i32; out->has_series_number = 1; }
    if (d->findAndGetSint32(DCM_InstanceNumber, i32).good()) { out->instance_number = (int)i32; out->has_instance_number = 1; }
    Float64 f;
    out->has_position = 1;
    for (int k = 0; k < 3; k++) {
        if (d->findAndGetFloat64(DCM_ImagePositionPatient, f, k).good()) out->position[k] = f; else out->has_position = 0;
    }
    out->has_orientation = 1;
    for (int k = 0; k < 6; k++) {
        if (d->findAndGetFloat64(DCM_ImageOrientationPatient, f, k).good()) out->orientation[k] = f; else out->has_orientation = 0;
    }
    out->has_pixel_spacing = 1;
    for (int k = 0; k < 2; k++) {
        if (d->findAndGetFloat64(DCM_PixelSpacing, f, k).good()) out->pixel_spacing[k] = f; else out->has_pixel_spacing = 0;
    }
    if (d->findAndGetFloat64(DCM_SliceThickness, f).good()) { out->slice_thickness = f; out->has_slice_thickness = 1; }
    out->rescale_slope = 1; out->rescale_intercept = 0;
    Float64 slope, intercept;
    bool hasSlope = d->findAndGetFloat64(DCM_RescaleSlope, slope).good();
    bool hasIntercept = d->findAndGetFloat64(DCM_RescaleIntercept, intercept).good();
    if (hasSlope) out->rescale_slope = slope;
    if (hasIntercept) out->rescale_intercept = intercept;
    out->has_rescale = hasSlope && hasIntercept;

    Uint16 u;
    if (d->findAndGetUint16(DCM_Rows, u).good()) out->rows = u;
    if (d->findAndGetUint16(DCM_Columns, u).good()) out->columns = u;
    if (d->findAndGetUint16(DCM_BitsAllocated, u).good()) out->bits_allocated = u;
    if (d->findAndGetUint16(DCM_BitsStored, u).good()) out->bits_stored = u;
    if (d->findAndGetUint16(DCM_HighBit, u).good()) out->high_bit = u; else out->high_bit = out->bits_stored - 1;
    if (d->findAndGetUint16(DCM_PixelRepresentation, u).good()) out->pixel_representation = u;
    if (d->findAndGetUint16(DCM_SamplesPerPixel, u).good()) out->samples_per_pixel = u; else out->samples_per_pixel = 1;
    OFString frames;
    out->frames = 1;
    if (d->findAndGetOFString(DCM_NumberOfFrames, frames).good()) out->frames = std::atoi(frames.c_str());
    DcmElement *px = nullptr;
    out->has_pixel_data = d->findAndGetElement(DCM_PixelData, px).good() ? 1 : 0;
    return PR_DICOM_OK;
}

extern "C" int pr_dicom_read_frame(const char *path, float *out, size_t count, char *error, size_t error_size) {
    DcmFileFormat file;
    int rc = loadFile(path, file, true, error, error_size);
    if (rc != PR_DICOM_OK) return PR_DICOM_ERROR;
    DcmDataset *d = file.getDataset();
    E_TransferSyntax original = d->getOriginalXfer();
    DcmXfer ox(original);
    if (ox.isEncapsulated()) {
        if (d->chooseRepresentation(EXS_LittleEndianExplicit, nullptr).bad() || !d->canWriteXfer(EXS_LittleEndianExplicit)) {
            fail(error, error_size, std::string("cannot decode transfer syntax ") + ox.getXferName() + " (" + ox.getXferID() + ")");
            return PR_DICOM_ERROR;
        }
    }
    // DCMTK's findAndGet* zero their output when the attribute is absent: read through this.
    auto get16 = [d](const DcmTagKey &key, Uint16 fallback) {
        Uint16 v = 0;
        return d->findAndGetUint16(key, v).good() ? v : fallback;
    };
    Uint16 rows = get16(DCM_Rows, 0), columns = get16(DCM_Columns, 0), allocated = get16(DCM_BitsAllocated, 0);
    Uint16 stored = get16(DCM_BitsStored, allocated);
    Uint16 high = get16(DCM_HighBit, stored ? stored - 1 : 0);
    Uint16 representation = get16(DCM_PixelRepresentation, 0), samples = get16(DCM_SamplesPerPixel, 1);
    size_t n = (size_t)rows * columns;
    if (n == 0 || n != count) {
        fail(error, error_size, "image of " + std::to_string(rows) + "x" + std::to_string(columns) + " does not match the expected " + std::to_string(count) + " pixels");
        return PR_DICOM_ERROR;
    }
    if (samples != 1) { fail(error, error_size, "not a greyscale image (SamplesPerPixel " + std::to_string(samples) + ")"); return PR_DICOM_ERROR; }
    if (stored == 0 || stored > allocated || high < stored - 1 || high >= allocated) {
        fail(error, error_size, "inconsistent BitsAllocated/BitsStored/HighBit " + std::to_string(allocated) + "/" + std::to_string(stored) + "/" + std::to_string(high));
        return PR_DICOM_ERROR;
    }
    Float64 slope = 1, intercept = 0, v = 0;
    if (d->findAndGetFloat64(DCM_RescaleSlope, v).good()) slope = v;
    if (d->findAndGetFloat64(DCM_RescaleIntercept, v).good()) intercept = v;
    unsigned shift = high + 1 - stored;
    unsigned long mask = stored >= 32 ? 0xffffffffUL : ((1UL << stored) - 1);
    auto value = [&](unsigned long raw) -> double {
        unsigned long v = (raw >> shift) & mask;
        long s = (long)v;
        if (representation == 1 && (v & (1UL << (stored - 1)))) s -= (long)(1UL << stored);
        return (double)s * slope + intercept;
    };
    if (allocated == 16) {
        const Uint16 *p = nullptr;
        if (d->findAndGetUint16Array(DCM_PixelData, p).bad() || !p) { fail(error, error_size, "no 16-bit pixel data"); return PR_DICOM_ERROR; }
        DcmElement *e = nullptr; d->findAndGetElement(DCM_PixelData, e);
        if (e && e->getLength() < n * 2) { fail(error, error_size, "pixel data shorter than Rows x Columns"); return PR_DICOM_ERROR; }
        for (size_t i = 0; i < n; i++) out[i] = (float)value(p[i]);
    } else if (allocated == 8) {
        const Uint8 *p = nullptr;
        if (d->findAndGetUint8Array(DCM_PixelData, p).bad() || !p) { fail(error, error_size, "no 8-bit pixel data"); return PR_DICOM_ERROR; }
        DcmElement *e = nullptr; d->findAndGetElement(DCM_PixelData, e);
        if (e && e->getLength() < n) { fail(error, error_size, "pixel data shorter than Rows x Columns"); return PR_DICOM_ERROR; }
        for (size_t i = 0; i < n; i++) out[i] = (float)value(p[i]);
    } else {
        fail(error, error_size, "BitsAllocated " + std::to_string(allocated) + " is not supported (8 or 16)");
        return PR_DICOM_ERROR;
    }
    return PR_DICOM_OK;
}
