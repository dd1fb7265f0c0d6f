/// matplotlib's default rcParams, in points, used by every chart element.
/// (font.size 10; axes.titlesize "large" = 12; axes.linewidth 0.8; xtick.major.size 3.5, pad 3.5;
/// axes.labelpad 4; axes.titlepad 6; lines.linewidth 1.5; lines.markersize 6; grid #b0b0b0 0.8;
/// legend framealpha 0.8, edgecolor 0.8 grey; axes.xmargin/ymargin 0.05.)
enum Style {
    static let fontFamily = "DejaVu Sans"
    static let fontSize = 10.0
    static let titleSize = 12.0
    static let figureTitleSize = 12.0
    static let captionSize = 9.0
    static let spineWidth = 0.8
    static let tickLength = 3.5
    static let tickWidth = 0.8
    static let tickPad = 3.5
    static let labelPad = 4.0
    static let titlePad = 6.0
    static let lineWidth = 1.5
    static let markerSize = 6.0
    static let gridColor = Color(hex: "#b0b0b0")
    static let gridWidth = 0.8
    static let legendFrameAlpha = 0.8
    static let legendEdge = Color(gray: 0.8)
    static let margin = 0.05
    /// Padding between the figure's edge and any text, points.
    static let figurePad = 5.0
    /// Gap between neighbouring panels' decorations, points.
    static let panelGap = 10.0
}
