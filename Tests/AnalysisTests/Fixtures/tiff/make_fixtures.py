"""One-off script that wrote the TIFF fixtures with an independent writer (tifffile 2026.x).

Each fixture holds the same 13x11 pattern, value(y, x) = (y * 37 + x * 11) % 251 (plus an
offset per layout), so the Swift tests can recompute every pixel. Run from this folder:
    pip install tifffile imagecodecs numpy && python3 make_fixtures.py
"""
import numpy as np
import tifffile

h, w = 13, 11
y, x = np.mgrid[0:h, 0:w]
base = (y * 37 + x * 11) % 251

layouts = {
    "u8_none_le": (base.astype(np.uint8), dict()),
    "u16_none_le": ((base * 16 + 1000).astype(np.uint16), dict()),
    "u16_lzw_be": ((base * 16 + 1000).astype(np.uint16), dict(compression="lzw", byteorder=">")),
    "u16_deflate_le": ((base * 16 + 1000).astype(np.uint16), dict(compression="zlib")),
    "u16_packbits_be": ((base * 16 + 1000).astype(np.uint16), dict(compression="packbits", byteorder=">")),
    "u16_tiled_le": ((base * 16 + 1000).astype(np.uint16), dict(tile=(16, 16))),
    "i16_none_be": ((base * 16 - 1024).astype(np.int16), dict(byteorder=">")),
    "f32_deflate_le": ((base * 0.5 - 10.25).astype(np.float32), dict(compression="zlib")),
    "rgb_u8": (np.stack([base, base, base], axis=-1).astype(np.uint8), dict(photometric="rgb")),
    "f64_none": (base.astype(np.float64), dict()),
}
for name, (data, kw) in layouts.items():
    tifffile.imwrite(f"{name}.tif", data, rowsperstrip=4 if "tile" not in kw else None, **kw)
print("wrote", len(layouts), "fixtures")
