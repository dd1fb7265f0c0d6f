import Foundation

/// Facts the paper states in its prose rather than in tables, each with where it appears.
///
/// These are constants on purpose: they are quotations. The audit compares them with the
/// tables; nothing else in the report uses them as results.
public enum PaperText {
    /// A number quoted from the paper, with its place in the text and the words around it.
    public struct Fact: Sendable {
        public let value: Double
        public let place: String
        public let quote: String
    }

    /// "our model achieved 98.49% accuracy on more than 7996 test images" (Abstract; also §1
    /// Introduction: "evaluated on more 7996 images").
    public static let abstractTestImages = Fact(
        value: 7996, place: "Abstract and §1 Introduction",
        quote: "achieved 98.49% accuracy on more than 7996 test images")
    /// "We evaluated our system in two different ways: one on more than 7796 images" (§5).
    public static let conclusionTestImages = Fact(
        value: 7796, place: "§5 Conclusion",
        quote: "one on more than 7796 images")
    /// "the system correctly identified almost 234 of 245 patients" (Abstract).
    public static let abstractIdentifiedPatients = Fact(
        value: 234, place: "Abstract", quote: "correctly identified almost 234 of 245 patients")
    /// The 245 of the same sentence.
    public static let abstractTestPatients = Fact(
        value: 245, place: "Abstract", quote: "correctly identified almost 234 of 245 patients")
    /// "a new dataset containing 15589 images of normal persons and 48260 images belonging to
    /// patients with COVID-19" (§5 Conclusion), the classes swapped relative to Table 1.
    public static let conclusionNormalImages = Fact(
        value: 15589, place: "§5 Conclusion",
        quote: "15589 images of normal persons and 48260 images belonging to patients with COVID-19")
    /// "Fig. 11 shows the training and validation accuracy in 20 epochs" (§3.1, Fig. 11 caption).
    public static let figure11Epochs = Fact(
        value: 20, place: "§3.1 and the caption of Fig. 11",
        quote: "training and validation accuracy in 20 epochs")
    /// "98.49% accuracy" (Abstract), compared with Table 8's Avg accuracy of "Our model".
    public static let abstractAccuracy = Fact(
        value: 0.9849, place: "Abstract", quote: "our model achieved 98.49% accuracy")
    /// "Almost 20 percent of the patients with COVID19 were allocated for testing in each fold" (§2.4).
    public static let covidTestShare = Fact(
        value: 0.20, place: "§2.4 Training Phase",
        quote: "Almost 20 percent of the patients with COVID19 were allocated for testing in each fold")
    /// "this system can process them near 4 to 6 seconds" for sequences under 100 images (§4).
    public static let speedUnder100Slices = Fact(
        value: 4, place: "§4 Discussion",
        quote: "less than 100 images in most cases ... this system can process them near 4 to 6 seconds")
}
