import Foundation

/// Short titles and the paper's own captions for every figure and table, copied from the
/// paper's text (`000_4b0b8e4633f82162.txt`), spelling and wording unchanged.
public enum Captions {
    /// Title and caption of one entry.
    public struct Caption: Sendable {
        public let title: String
        public let caption: String
    }

    /// The caption of `id`; a programmer error for numbers the paper does not have.
    public static func of(_ id: EntryID) -> Caption {
        guard let c = all[id] ?? supplementary[id] else { preconditionFailure("no caption for \(id)") }
        return c
    }

    /// Every figure (1-12) and table (1-8) of the paper.
    public static let all: [EntryID: Caption] = [
        EntryID(.figure, 1): Caption(
            title: "General view of the method",
            caption: "General view of our proposed method for automated patients classification."),
        EntryID(.figure, 2): Caption(
            title: "Sample images",
            caption: "Some of the images in COVID-CTset"),
        EntryID(.figure, 3): Caption(
            title: "Patients by age, sex and infection",
            caption: "This figure shows the number of patients based on age, gender and infections."),
        EntryID(.figure, 4): Caption(
            title: "First, middle and last images of a sequence",
            caption:
                "This figure presents some of the first, middle, and final images of a patient CT scans sequence. It is obvious from the images that in the first and the last images, inside the lung is not observable."
        ),
        EntryID(.figure, 5): Caption(
            title: "Closed and open lung",
            caption: "It can be visualized from this figure that a closed-lung has higher pixels values in the middle of the image."),
        EntryID(.figure, 6): Caption(
            title: "Flowchart of the selection algorithm",
            caption: "The flowchart of the proposed algorithm for selecting the efficient CT scan images of a sequence"),
        EntryID(.figure, 7): Caption(
            title: "The selection region",
            caption: "The selected region in different images with different scales"),
        EntryID(.figure, 8): Caption(
            title: "A sequence with discarded slices",
            caption:
                "The CT scan images of a patient are shown in this figure. The highlighted images are the ones that the algorithm discards. It is observable that those images that clearly show inside the lung are selected to be classified at the next stage."
        ),
        EntryID(.figure, 9): Caption(
            title: "ResNet50V2 with feature pyramid network",
            caption:
                "This figure shows our model, which uses ResNet50V2 as the backbone and applies the feature pyramid network and the designed layers for classification."
        ),
        EntryID(.figure, 10): Caption(
            title: "Average confusion matrices",
            caption: "The average data between five folds are shown on these confusion matrices"),
        EntryID(.figure, 11): Caption(
            title: "Training and validation accuracy",
            caption:
                "These plots show training and validation accuracy in 20 epochs. It is clear that our model is converging faster and reaches to higher values of accuracy."
        ),
        EntryID(.figure, 12): Caption(
            title: "Grad-CAM",
            caption:
                "Visualized Features by the Grad-CAM algorithm to show that the network is operating correctly and indicate the infection regions in the COVID-19 CT Scan images"
        ),
        EntryID(.table, 1): Caption(
            title: "Data distribution",
            caption: "COVID-CTset data distribution"),
        EntryID(.table, 2): Caption(
            title: "Training and test folds",
            caption: "Training and testing details of COVID-CTset"),
        EntryID(.table, 3): Caption(
            title: "Training parameters",
            caption: "Training Parameters"),
        EntryID(.table, 4): Caption(
            title: "Patient identification data",
            caption: "Details of the dataset used for the patient identification evaluation stage."),
        EntryID(.table, 5): Caption(
            title: "Identification thresholds, fold 1",
            caption:
                "Comparison between different patient identification thresholds for each of the trained networks in fold1. Threshold 1 is zero and Threshold2 is equal to 0.1 of the CT images."
        ),
        EntryID(.table, 6): Caption(
            title: "Patient identification",
            caption: "Patients identification results with the second threshold (0.1)"),
        EntryID(.table, 7): Caption(
            title: "Speed of the automated system",
            caption:
                "This table shows the fully automated system’s speed based on our model, for CT scans of different patients with various CT scan slices."
        ),
        EntryID(.table, 8): Caption(
            title: "Image classification",
            caption: "Evaluation results for each network in each fold")
    ]

    /// The report's own figures and tables (not in the paper): a title and what each shows.
    public static let supplementary: [EntryID: Caption] = [
        .supplement(.figure, 1): Caption(
            title: "Selection against ground truth",
            caption: Prose.text("Captions.1")),
        .supplement(.figure, 2): Caption(
            title: "Patient identification as the threshold varies",
            caption:
                "Patient accuracy, sensitivity and specificity when a patient is called COVID once the COVID-classified slices reach a fraction f of the selected slices, for f from 0 to 0.5; the paper tries only \"more than 0 slices\" and f = 0.1 (Tables 5 and 6)."
        ),
        .supplement(.figure, 3): Caption(
            title: "ROC curves",
            caption:
                "Image-level ROC curves of the three networks from the softmax P(COVID), all folds' test images pooled, with the area under each curve."
        ),
        .supplement(.table, 4): Caption(
            title: "Input scaling and augmentation",
            caption: Prose.text("Captions.2")),
        .supplement(.table, 1): Caption(
            title: "Selection parameter sweep",
            caption:
                "The selection algorithm on the twin for dark values 200–400 and divisors 1.2–2.0: precision and recall of \"selected\" versus \"lung open\" and the share of the labelled slices kept."
        ),
        .supplement(.table, 2): Caption(
            title: "Decision rules, with and without selection",
            caption:
                "Patient identification under the paper's two thresholds and other aggregation rules (mean P(COVID), mean of the top 5), with the selection step (§2.2) and without it (every slice classified), all folds' identification patients pooled."
        ),
        .supplement(.table, 11): Caption(
            title: "Metadata-only baseline",
            caption:
                "The image-level AUC of a classifier that sees only how each image was acquired (series, slice thickness, image noise), fitted on each fold's training images, beside the networks' AUC on the same test images."
        ),
        .supplement(.table, 12): Caption(
            title: "Image metrics by series and slice thickness",
            caption:
                "Table 8's accuracy, COVID-19 sensitivity and normal specificity for each network, split by the test image's series and by its slice thickness, all folds pooled."
        ),
        .supplement(.table, 13): Caption(
            title: "The fix, measured: series-balanced training",
            caption: Prose.text("Captions.3")),
        .supplement(.table, 10): Caption(
            title: "Counterfactual: lesions removed and drawn in",
            caption: Prose.text("Captions.4")),
        .supplement(.table, 5): Caption(
            title: "The twin against the literature",
            caption: Prose.text("Captions.5")),
        .supplement(.table, 6): Caption(
            title: "Where the labels come from",
            caption:
                "The expert-labelled images (all.csv) of each class by series (SR_2, SR_3, SR_4) and by the series' slice thickness (Patient_details.csv): all of all.csv, and the training and test sets of each fold this run used."
        ),
        .supplement(.figure, 4): Caption(
            title: "Thickness and series of the labels",
            caption: "For each class, the share of its labelled images by slice thickness (left) and by series (right)."),
        .supplement(.table, 7): Caption(
            title: "Series or thickness alone",
            caption:
                "The best rule that sees only an image's series, only its slice thickness, or only the two together, fitted on each fold's training labels (for accuracy and for balanced accuracy) and scored on the fold's test labels."
        ),
        .supplement(.table, 8): Caption(
            title: "Repeated labels",
            caption:
                "Rows of all.csv that list a slice a second time under another batch folder, and the normal columns of Table 2 counted with and without them: the paper's folds and this run's."
        ),
        .supplement(.table, 9): Caption(
            title: "Leakage check",
            caption:
                "Per fold: patients on both the training and the test side, validation patients in training, and repeated slices whose copies fall on both sides (all must be none)."
        ),
        .supplement(.table, 3): Caption(
            title: "Grad-CAM localisation",
            caption:
                "How well each network's Grad-CAM points at the twin's lesions: the share of CAM mass inside the lesion mask and the pointing-game hit rate (the CAM maximum inside the mask), on COVID test slices with a lesion."
        )
    ]
}
