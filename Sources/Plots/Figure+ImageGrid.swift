extension Figure {
    /// A grid of images, `columns` per row, each `panelSize` inches square, with optional
    /// captions and a coloured border on the `highlighted` indices (e.g. discarded slices).
    /// - Precondition: `columns > 0`; captions, if given, one per image.
    public static func imageGrid(
        _ images: [GrayImage], columns: Int, window: DisplayWindow? = nil,
        captions: [String]? = nil, highlighted: Set<Int> = [],
        highlightColor: Color = .pureRed, title: String? = nil,
        panelSize: Double = 1.4, dpi: Double = 100
    ) -> Figure {
        precondition(columns > 0, "imageGrid needs at least one column")
        precondition(captions == nil || captions!.count == images.count, "imageGrid: one caption per image")
        let rows = max(1, (images.count + columns - 1) / columns)
        let captionRoom = captions == nil ? 0.0 : 0.22
        let titleRoom = title == nil ? 0.0 : 0.3
        let fig = Figure(
            width: Double(min(columns, max(images.count, 1))) * panelSize + 0.1,
            height: Double(rows) * (panelSize + captionRoom) + titleRoom + 0.1, dpi: dpi)
        fig.title = title
        for (i, img) in images.enumerated() {
            let ax = fig.addAxes(row: i / columns, col: i % columns)
            ax.image(img, window: window)
            ax.caption = captions?[i]
            if highlighted.contains(i) { ax.highlight(color: highlightColor, width: 3) }
        }
        return fig
    }
}
