import Foundation

/// Counts dark pixels (stored value < `darkValue`) in the selection region of a slice (§2.2).
public enum DarkPixelCounter {
    /// Counts over a band of rows already cut to `region.rows` (`band` has `region.rows.count`
    /// rows of `width` pixels). Branch-free: each comparison adds 0 or 1.
    @inlinable
    public static func count(band: UnsafeBufferPointer<UInt16>, width: Int, columns: Range<Int>, darkValue: Int) -> Int {
        let rows = band.count / width
        let limit = UInt16(clamping: darkValue)
        var total = 0
        for r in 0..<rows {
            let row = band.baseAddress! + r * width + columns.lowerBound
            var rowCount: UInt32 = 0
            for c in 0..<columns.count {
                rowCount &+= row[c] < limit ? 1 : 0
            }
            total += Int(rowCount)
        }
        return total
    }

    /// Counts in a full image (`pixels` has `height` rows of `width`).
    public static func count(pixels: [UInt16], width: Int, height: Int, darkValue: Int = 300) -> Int {
        let region = SelectionRegion(width: width, height: height)
        return pixels.withUnsafeBufferPointer { all in
            let band = UnsafeBufferPointer(rebasing: all[(region.rows.lowerBound * width)..<(region.rows.upperBound * width)])
            return count(band: band, width: width, columns: region.columns, darkValue: darkValue)
        }
    }

    /// Reads only the region's rows of the TIFF at `path` and counts. Returns the count, the
    /// image size and the file's header facts (sample type, pages). Float images are counted on
    /// their values (a float < darkValue is dark).
    public static func count(path: String, darkValue: Int) throws -> (count: Int, width: Int, height: Int, info: TIFFInfo) {
        var region = SelectionRegion(width: 512, height: 512)
        var size = (0, 0)
        var header: TIFFInfo? = nil
        let band = try TIFFReader.readRows(path) { info in
            region = SelectionRegion(width: info.width, height: info.height)
            size = (info.width, info.height)
            header = info
            return region.rows
        }
        let width = size.0
        switch band.pixels {
        case .uint16(let px):
            let n = px.withUnsafeBufferPointer { count(band: $0, width: width, columns: region.columns, darkValue: darkValue) }
            return (n, size.0, size.1, header!)
        case .float32(let px):
            var n = 0
            let limit = Float(darkValue)
            for r in 0..<band.height {
                for c in region.columns { n += px[r * width + c] < limit ? 1 : 0 }
            }
            return (n, size.0, size.1, header!)
        }
    }
}
