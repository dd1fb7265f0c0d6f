import Analysis
import Foundation
import Mustache

/// Renders a `ReportDocument` to Markdown with the Mustache templates in `report-templates/`
/// (`Sources/Report/Resources/templates`, shipped as a package resource),
/// and Markdown to a self-contained HTML page.
///
/// Templates: `report.md.mustache` (the document) with one partial per kind of section
/// (`banner`, `figure`, `table`, `pending`, `comparisons`, `audit`, `run`),
/// `page.html.mustache` (the HTML page around the converted Markdown) and `report.css`.
public struct ReportRenderer {
    /// The templates folder.
    public let directory: URL
    private let library: MustacheLibrary

    /// The templates shipped with the program (the package's copy of `report-templates/`).
    public static var bundledTemplates: URL? { Bundle.module.url(forResource: "templates", withExtension: nil) }

    /// The partials `report.md.mustache` uses.
    public static let partials = ["banner", "figure", "table", "pending", "comparisons", "audit", "run"]

    /// Loads every template.
    /// - Throws: `ReportError.template` naming a missing or unparsable file.
    public init(templates directory: URL) throws {
        self.directory = directory
        var library = MustacheLibrary()
        for name in ["report.md", "page.html"] + ReportRenderer.partials {
            let url = directory.appendingPathComponent("\(name).mustache")
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw ReportError.template(file: url.path, reason: "cannot read")
            }
            do { try library.register(text, named: name) } catch {
                throw ReportError.template(file: url.path, reason: "\(error)")
            }
        }
        self.library = library
    }

    /// The stylesheet's bytes, copied beside `index.html`.
    public func stylesheet() throws -> Data {
        let url = directory.appendingPathComponent("report.css")
        guard let data = try? Data(contentsOf: url) else { throw ReportError.template(file: url.path, reason: "cannot read") }
        return data
    }

    /// The report as Markdown.
    public func markdown(_ document: ReportDocument) throws -> String {
        guard let text = library.render(ReportContext.make(document), withTemplate: "report.md") else {
            throw ReportError.template(file: "report.md.mustache", reason: "render failed")
        }
        // Collapse runs of blank lines the sections leave, so the file is tidy and stable.
        var lines: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty, lines.last?.isEmpty ?? true { continue }
            lines.append(line.trimmingCharacters(in: .whitespaces).isEmpty ? "" : line)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The report as an HTML page: the Markdown converted by cmark-gfm, headings given
    /// GitHub-style ids, inside `page.html.mustache`.
    public func html(markdown: String, title: String) throws -> String {
        let body = ReportRenderer.addHeadingIDs(try MarkdownToHTML.render(markdown))
        guard let page = library.render(["title": title, "body": body], withTemplate: "page.html") else {
            throw ReportError.template(file: "page.html.mustache", reason: "render failed")
        }
        return page
    }

    /// Gives every `<h1>`-`<h4>` an `id` made by `Anchor.slug` from its text.
    static func addHeadingIDs(_ html: String) -> String {
        guard let regex = try? NSRegularExpression(pattern: "<h([1-4])>(.*?)</h\\1>") else { return html }
        var result = ""
        var last = html.startIndex
        for match in regex.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
            guard let whole = Range(match.range, in: html), let level = Range(match.range(at: 1), in: html),
                let inner = Range(match.range(at: 2), in: html)
            else { continue }
            result += html[last..<whole.lowerBound]
            let text = unescape(html[inner].replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression))
            result += "<h\(html[level]) id=\"\(Anchor.slug(text))\">\(html[inner])</h\(html[level])>"
            last = whole.upperBound
        }
        return result + html[last...]
    }

    private static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    }
}
