import CDicom
import Foundation

/// The header fields of one DICOM file that reading a CT series needs: geometry, pixel encoding
/// and the rescale to Hounsfield units. No patient-identifying attribute is read, so none can
/// reach a report or a manifest.
public struct DICOMHeader: Equatable, Sendable {
    public var seriesInstanceUID: String
    public var modality: String
    public var sopClassUID: String
    public var transferSyntaxUID: String
    public var transferSyntaxName: String
    public var photometricInterpretation: String
    public var seriesNumber: Int?
    public var instanceNumber: Int?
    /// ImagePositionPatient (x, y, z of the first pixel, mm) and ImageOrientationPatient (row
    /// and column direction cosines).
    public var position: [Double]?
    public var orientation: [Double]?
    /// PixelSpacing (row spacing, column spacing) in mm.
    public var pixelSpacing: [Double]?
    public var sliceThicknessMM: Double?
    /// RescaleSlope and RescaleIntercept (1 and 0 when absent; `hasRescale` says which).
    public var rescaleSlope: Double
    public var rescaleIntercept: Double
    public var hasRescale: Bool
    public var rows: Int, columns: Int
    public var bitsAllocated: Int, bitsStored: Int, pixelRepresentation: Int, samplesPerPixel: Int
    public var frames: Int
    public var hasPixelData: Bool

    /// The DICOMDIR media directory's SOP class: an index, not an image.
    static let mediaDirectoryClass = "1.2.840.10008.1.3.10"

    /// Whether the file holds one greyscale image to read as a slice (not a directory, report
    /// or presentation state).
    public var isImage: Bool { hasPixelData && sopClassUID != Self.mediaDirectoryClass && rows > 0 && columns > 0 }

    /// The slice's position along the body axis: ImagePositionPatient projected on the normal of
    /// the image plane (row × column direction); nil without both attributes.
    public var axialPosition: Double? {
        guard let p = position, let o = orientation, p.count == 3, o.count == 6 else { return nil }
        let n = [o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]]
        return p[0] * n[0] + p[1] * n[1] + p[2] * n[2]
    }
}

/// A DICOM file that cannot be used, with the file and the reason.
public enum DICOMError: Error, Equatable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    /// A series that cannot be read as one stack of slices.
    case unusableSeries(folder: String, series: String, reason: String)
    case noSeries(path: String)

    public var description: String {
        switch self {
        case let .unreadable(f, r): return "\(f): \(r)"
        case let .unusableSeries(d, s, r): return "\(d): series \(s): \(r)"
        case let .noSeries(p): return "\(p): no DICOM image series found (files with a DICM preamble or a .dcm name holding pixel data)"
        }
    }
}

/// Reads DICOM files through DCMTK (`CDicom`).
public enum DICOMFile {
    /// Whether `path` may be DICOM: it has the Part 10 preamble ("DICM" at byte 128) or a `.dcm`
    /// name (files without the preamble are read when so named).
    public static func isCandidate(_ path: String) -> Bool {
        if pr_dicom_has_preamble(path) != 0 { return true }
        return URL(fileURLWithPath: path).pathExtension.lowercased() == "dcm"
    }

    /// The header of `path`; nil when the file is not DICOM.
    /// - Throws: `DICOMError.unreadable` for a DICOM file that cannot be parsed.
    public static func header(_ path: String) throws -> DICOMHeader? {
        var h = pr_dicom_header()
        var error = [CChar](repeating: 0, count: 512)
        let rc = pr_dicom_read_header(path, &h, &error, error.count)
        if rc == Int32(PR_DICOM_NOT_DICOM) {
            if pr_dicom_has_preamble(path) != 0 {
                throw DICOMError.unreadable(file: path, reason: "not a readable DICOM file: \(string(error))")
            }
            return nil
        }
        if rc != Int32(PR_DICOM_OK) { throw DICOMError.unreadable(file: path, reason: string(error)) }
        func text<T>(_ t: T) -> String { withUnsafeBytes(of: t) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) } }
        func numbers<T>(_ t: T, _ n: Int) -> [Double] { withUnsafeBytes(of: t) { Array($0.bindMemory(to: Double.self).prefix(n)) } }
        return DICOMHeader(
            seriesInstanceUID: text(h.series_uid), modality: text(h.modality), sopClassUID: text(h.sop_class_uid),
            transferSyntaxUID: text(h.transfer_syntax_uid), transferSyntaxName: text(h.transfer_syntax_name),
            photometricInterpretation: text(h.photometric),
            seriesNumber: h.has_series_number != 0 ? Int(h.series_number) : nil,
            instanceNumber: h.has_instance_number != 0 ? Int(h.instance_number) : nil,
            position: h.has_position != 0 ? numbers(h.position, 3) : nil,
            orientation: h.has_orientation != 0 ? numbers(h.orientation, 6) : nil,
            pixelSpacing: h.has_pixel_spacing != 0 ? numbers(h.pixel_spacing, 2) : nil,
            sliceThicknessMM: h.has_slice_thickness != 0 ? h.slice_thickness : nil,
            rescaleSlope: h.rescale_slope, rescaleIntercept: h.rescale_intercept, hasRescale: h.has_rescale != 0,
            rows: Int(h.rows), columns: Int(h.columns), bitsAllocated: Int(h.bits_allocated),
            bitsStored: Int(h.bits_stored), pixelRepresentation: Int(h.pixel_representation),
            samplesPerPixel: Int(h.samples_per_pixel), frames: Int(h.frames), hasPixelData: h.has_pixel_data != 0)
    }

    /// The first frame of `path` in Hounsfield units: every stored pixel (decompressed when the
    /// transfer syntax is JPEG, JPEG-LS or RLE; masked to BitsStored, sign-extended when
    /// PixelRepresentation is 1) times RescaleSlope plus RescaleIntercept, row-major.
    /// - Throws: `DICOMError.unreadable` naming the file and the reason (e.g. a transfer syntax
    ///   DCMTK cannot decode).
    public static func hounsfield(_ path: String, rows: Int, columns: Int) throws -> [Float] {
        var out = [Float](repeating: 0, count: rows * columns)
        var error = [CChar](repeating: 0, count: 512)
        let rc = out.withUnsafeMutableBufferPointer { pr_dicom_read_frame(path, $0.baseAddress, $0.count, &error, error.count) }
        if rc != Int32(PR_DICOM_OK) { throw DICOMError.unreadable(file: path, reason: string(error)) }
        return out
    }

    /// COVID-CTset's stored values: HU + 1024, rounded, clamped to the 12-bit range 0...4095
    /// (so the selection's dark value 300 means −724 HU, as on the dataset's TIFFs).
    public static func storedValues(hounsfield hu: [Float]) -> [UInt16] {
        hu.map { v in
            let s = (Double(v) + 1024).rounded()
            return s.isNaN ? 0 : UInt16(min(max(s, 0), 4095))
        }
    }

    private static func string(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
