/// The image-level decision (§2.4): an image is COVID-19 when the network's softmax P(COVID)
/// exceeds one half — the argmax of two classes.
public enum ClassDecision {
    /// The decision threshold on P(COVID).
    public static let threshold = 0.5

    /// True when `covidProbability` calls the image COVID-19.
    @inline(__always) public static func isCovid(_ covidProbability: Double) -> Bool { covidProbability > threshold }

    /// True when `covidProbability` calls the image COVID-19 at `threshold`.
    @inline(__always) public static func isCovid(_ covidProbability: Double, threshold: Double) -> Bool {
        covidProbability > threshold
    }
}
