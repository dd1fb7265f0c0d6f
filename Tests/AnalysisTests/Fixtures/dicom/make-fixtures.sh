#!/usr/bin/env bash
# One-off: builds the DICOM test fixtures beside this script. Kept so that they can be rebuilt
# and checked; the tests read the files it wrote, not this script.
#   - pydicom/: files from pydicom's own test data (another writer: GE, Siemens, …), with the
#     Hounsfield units pydicom computes (pixel_array × RescaleSlope + RescaleIntercept) as raw
#     float32 little-endian beside each (<name>.hu.f32) and their sizes in expected.json;
#   - dcmtk/: small CT series written by DCMTK's own tools (dump2dcm, dcmcjpls, dcmcrle):
#     unsigned 12-bit with intercept −1024, signed 16-bit with slope 2, and the first compressed
#     as JPEG-LS lossless and RLE, file names deliberately not in body order.
# Needs: python3 with pydicom and numpy; DCMTK's command-line tools (Debian: dcmtk).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$here/pydicom" "$here/dcmtk"
mkdir -p "$here/pydicom" "$here/dcmtk"

python3 - "$here" <<'PY'
import json, os, shutil, sys
import numpy as np, pydicom
from pydicom.data import get_testdata_file
here = sys.argv[1]
expected = {}
for name in ["CT_small.dcm", "MR_small.dcm", "MR_small_RLE.dcm", "MR_small_jpeg_ls_lossless.dcm",
             "MR_small_bigendian.dcm", "JPEG2000.dcm"]:
    src = get_testdata_file(name)
    shutil.copy(src, os.path.join(here, "pydicom", name))
    ds = pydicom.dcmread(src)
    entry = {"rows": int(ds.Rows), "columns": int(ds.Columns), "modality": str(ds.Modality),
             "transferSyntax": str(ds.file_meta.TransferSyntaxUID)}
    if name != "JPEG2000.dcm":   # DCMTK's free toolkit does not decode JPEG 2000: the error case
        # The lossless JPEG-LS file holds MR_small's pixels; pydicom needs a plugin to decode it.
        ref = pydicom.dcmread(get_testdata_file("MR_small.dcm")) if "jpeg_ls" in name else ds
        px = ref.pixel_array.astype(np.float64)
        slope = float(getattr(ds, "RescaleSlope", 1)); intercept = float(getattr(ds, "RescaleIntercept", 0))
        (px * slope + intercept).astype("<f4").tofile(os.path.join(here, "pydicom", name + ".hu.f32"))
        entry.update(slope=slope, intercept=intercept)
    expected[name] = entry
json.dump(expected, open(os.path.join(here, "pydicom", "expected.json"), "w"), indent=1, sort_keys=True)

# DCMTK series: 3 slices of 16 x 16, head first at z = 10, 5, 0 mm.
rng = np.random.default_rng(20200407)
def dump(path, raw, z, instance, series_uid, series_number, signed, slope, intercept, bits_stored):
    lines = [
        "(0008,0016) UI =CTImageStorage", f"(0008,0018) UI [1.2.826.0.1.3680043.10.1137.{series_number}.{instance}]",
        "(0008,0060) CS [CT]", f"(0020,000e) UI [{series_uid}]", f"(0020,0011) IS [{series_number}]",
        f"(0020,0013) IS [{instance}]", f"(0020,0032) DS [-100\\-120\\{z}]", "(0020,0037) DS [1\\0\\0\\0\\1\\0]",
        "(0018,0050) DS [5]", "(0028,0030) DS [0.8\\0.8]", "(0028,0002) US 1", "(0028,0004) CS [MONOCHROME2]",
        "(0028,0010) US 16", "(0028,0011) US 16", "(0028,0100) US 16", f"(0028,0101) US {bits_stored}",
        f"(0028,0102) US {bits_stored - 1}", f"(0028,0103) US {1 if signed else 0}",
        f"(0028,1052) DS [{intercept}]", f"(0028,1053) DS [{slope}]", f"(7fe0,0010) OW ={raw}"]
    open(path, "w").write("\n".join(lines) + "\n")
series = {}
for name, signed, slope, intercept, bits in [("unsigned12", False, 1, -1024, 12), ("signed16", True, 2, -1000, 16)]:
    os.makedirs(os.path.join(here, "dcmtk", name, "nested"), exist_ok=True)
    hu = []
    # File names in reverse of body order; the middle slice one folder deeper.
    for k, (z, fname) in enumerate([(10, "c.dcm"), (5, "nested/b.dcm"), (0, "a.dcm")]):
        if signed: v = rng.integers(-600, 600, size=(16, 16)).astype("<i2")
        else: v = rng.integers(0, 4096, size=(16, 16)).astype("<u2")
        raw = os.path.join(here, "dcmtk", name, f"slice{k}.raw")
        v.tofile(raw)
        dump(os.path.join(here, "dcmtk", name, f"slice{k}.dump"), raw, z, 3 - k if name == "signed16" else k + 1,
             f"1.2.826.0.1.3680043.10.1137.{bits}", 2 if name == "unsigned12" else 3, signed, slope, intercept, bits)
        hu.append((v.astype(np.float64) * slope + intercept).ravel().tolist())
        series.setdefault(name, []).append(fname)
    json.dump({"files_head_first": series[name], "hu_head_first": hu}, open(os.path.join(here, "dcmtk", name, "expected.json"), "w"))
PY

for name in unsigned12 signed16; do
  d="$here/dcmtk/$name"
  files=(c.dcm nested/b.dcm a.dcm)
  for k in 0 1 2; do
    dump2dcm --write-xfer-little "$d/slice$k.dump" "$d/${files[$k]}"
    rm "$d/slice$k.dump" "$d/slice$k.raw"
  done
done
# The unsigned series again, JPEG-LS lossless and RLE compressed by DCMTK.
for codec in jpegls rle; do
  mkdir -p "$here/dcmtk/unsigned12-$codec/nested"
  cp "$here/dcmtk/unsigned12/expected.json" "$here/dcmtk/unsigned12-$codec/"
  for f in c.dcm nested/b.dcm a.dcm; do
    if [[ $codec == jpegls ]]; then dcmcjpls "$here/dcmtk/unsigned12/$f" "$here/dcmtk/unsigned12-$codec/$f"
    else dcmcrle "$here/dcmtk/unsigned12/$f" "$here/dcmtk/unsigned12-$codec/$f"; fi
  done
done
echo "fixtures written to $here"
