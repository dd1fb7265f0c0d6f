import CCMarkGFM
import Foundation

/// CommonMark + GitHub tables to HTML with cmark-gfm.
public enum MarkdownToHTML {
    /// Converts `markdown` to an HTML fragment. Raw HTML in the input is escaped (cmark's
    /// safe mode), so the report's text can never inject markup.
    /// - Throws: `ReportError.markdown` when the table extension is missing or parsing fails.
    public static func render(_ markdown: String) throws -> String {
        cmark_gfm_core_extensions_ensure_registered()
        guard let table = cmark_find_syntax_extension("table") else {
            throw ReportError.markdown(reason: "cmark-gfm's table extension is not available")
        }
        let options = CMARK_OPT_DEFAULT
        guard let parser = cmark_parser_new(options) else { throw ReportError.markdown(reason: "cannot create a parser") }
        defer { cmark_parser_free(parser) }
        cmark_parser_attach_syntax_extension(parser, table)
        markdown.withCString { pointer in
            cmark_parser_feed(parser, pointer, strlen(pointer))
        }
        guard let document = cmark_parser_finish(parser) else { throw ReportError.markdown(reason: "parse failed") }
        defer { cmark_node_free(document) }
        guard let html = cmark_render_html(document, options, cmark_parser_get_syntax_extensions(parser)) else {
            throw ReportError.markdown(reason: "render failed")
        }
        defer { free(html) }
        return String(cString: html)
    }
}
