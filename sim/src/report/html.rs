//! A static HTML page (`index.html` of a report folder), built section by
//! section: headings, paragraphs, tables, the folder's plots and links to
//! its data files. Every piece of text is escaped here, links are relative
//! and percent-encoded, the CSS is inline and nothing outside the folder is
//! referenced (no scripts, fonts or styles from elsewhere). Each `<img>`
//! marks itself `data-loaded` or `data-broken` when it loads or fails, so
//! a headless browser's DOM dump shows whether every plot displayed
//! (`scripts/screenshot-report.sh`). The same input gives the same bytes.

use std::fmt::Write as _;
use std::path::PathBuf;

const STYLE: &str = "body{font-family:sans-serif;margin:1.5em;color:#222;max-width:1900px}\
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}\
th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}\
th{background:#f0f0f0}td.num{text-align:right;font-variant-numeric:tabular-nums}\
code{font-family:monospace;background:#f4f4f4;padding:0 .2em;word-break:break-all}\
.valid{color:#176b26;font-weight:bold}.invalid{color:#b3141b;font-weight:bold}\
.unknown{color:#a35f00;font-weight:bold}\
figure{display:inline-block;margin:.5em;vertical-align:top}\
figure img{max-width:100%;border:1px solid #ddd}figcaption{font-size:.85em}";

/// `text` escaped for HTML text and (double-quoted) attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A file name as a relative URL: every byte outside `[A-Za-z0-9._-]`
/// percent-encoded (so `#`, `?`, `/` and spaces cannot change its meaning).
pub fn href(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"._-".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// One table cell: text and how it is shown.
#[derive(Debug, Clone)]
pub struct Cell {
    text: String,
    class: &'static str,
}

impl Cell {
    /// Plain text.
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            class: "",
        }
    }
    /// A number, right-aligned.
    pub fn num(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            class: "num",
        }
    }
    /// Code (a command, a hash, a file name), monospace.
    pub fn code(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            class: "code",
        }
    }
    /// A verdict word (`valid`, `invalid`, `unknown`), coloured by class
    /// `class` (one of those three words).
    pub fn verdict(text: impl Into<String>, class: &str) -> Cell {
        let class = match class {
            "valid" => "valid",
            "invalid" => "invalid",
            _ => "unknown",
        };
        Cell {
            text: text.into(),
            class,
        }
    }

    fn html(&self) -> String {
        let text = escape(&self.text).replace('\n', "<br>");
        match self.class {
            "" => format!("<td>{text}</td>"),
            "code" => format!("<td><code>{text}</code></td>"),
            class => format!("<td class=\"{class}\">{text}</td>"),
        }
    }
}

/// A page under construction.
#[derive(Debug, Clone)]
pub struct Page {
    title: String,
    body: String,
}

impl Page {
    /// A page titled `title` (also its `<h1>`).
    pub fn new(title: &str) -> Page {
        Page {
            title: title.to_string(),
            body: format!("<h1>{}</h1>\n", escape(title)),
        }
    }

    /// A section heading.
    pub fn heading(&mut self, text: &str) {
        let _ = writeln!(self.body, "<h2>{}</h2>", escape(text));
    }

    /// A paragraph of text (line breaks become spaces).
    pub fn paragraph(&mut self, text: &str) {
        let text = escape(text.trim()).replace('\n', " ");
        let _ = writeln!(self.body, "<p>{text}</p>");
    }

    /// A two-column table: a name per row, then its value.
    pub fn key_values(&mut self, rows: Vec<(&str, Cell)>) {
        self.body.push_str("<table>\n");
        for (key, value) in rows {
            let _ = writeln!(
                self.body,
                "<tr><th>{}</th>{}</tr>",
                escape(key),
                value.html()
            );
        }
        self.body.push_str("</table>\n");
    }

    /// A table with a header row; every row must be as wide as the header.
    pub fn table(&mut self, header: &[&str], rows: &[Vec<Cell>]) {
        self.body.push_str("<table>\n<tr>");
        for h in header {
            let _ = write!(self.body, "<th>{}</th>", escape(h));
        }
        self.body.push_str("</tr>\n");
        for row in rows {
            assert_eq!(row.len(), header.len(), "html table: row width");
            self.body.push_str("<tr>");
            row.iter().for_each(|c| self.body.push_str(&c.html()));
            self.body.push_str("</tr>\n");
        }
        self.body.push_str("</table>\n");
    }

    /// Every PNG of `files` as an image (linking to itself), captioned
    /// with its name and a link to the SVG beside it when there is one.
    pub fn figures(&mut self, files: &[PathBuf]) {
        let names = file_names(files);
        for name in names.iter().filter(|n| n.ends_with(".png")) {
            let stem = name.trim_end_matches(".png");
            let svg = format!("{stem}.svg");
            let svg_link = if names.contains(&svg) {
                format!(" (<a href=\"{}\">SVG</a>)", href(&svg))
            } else {
                String::new()
            };
            let _ = writeln!(
                self.body,
                "<figure><a href=\"{src}\"><img src=\"{src}\" alt=\"{alt}\" \
                 onload=\"this.setAttribute('data-loaded','')\" \
                 onerror=\"this.setAttribute('data-broken','')\"></a>\
                 <figcaption>{alt}{svg_link}</figcaption></figure>",
                src = href(name),
                alt = escape(stem),
            );
        }
    }

    /// A list of links to those of `pages` (file name, what it shows) that
    /// are among `files`.
    pub fn page_links(&mut self, files: &[PathBuf], pages: &[(&str, &str)]) {
        let names = file_names(files);
        self.body.push_str("<ul>\n");
        for (name, what) in pages.iter().filter(|(n, _)| names.iter().any(|m| m == n)) {
            let _ = writeln!(
                self.body,
                "<li><a href=\"{}\">{}</a>: {}</li>",
                href(name),
                escape(name),
                escape(what)
            );
        }
        self.body.push_str("</ul>\n");
    }

    /// A list of links to `files` (by file name, relative).
    pub fn links(&mut self, files: &[PathBuf]) {
        self.body.push_str("<ul>\n");
        for name in file_names(files) {
            let _ = writeln!(
                self.body,
                "<li><a href=\"{}\">{}</a></li>",
                href(&name),
                escape(&name)
            );
        }
        self.body.push_str("</ul>\n");
    }

    /// The whole document.
    pub fn finish(self) -> String {
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{}</body>\n</html>\n",
            escape(&self.title),
            self.body
        )
    }
}

fn file_names(files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .filter_map(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_names_are_escaped() {
        let mut p = Page::new("a <b> & \"c\"");
        p.paragraph("x < y && 'z'");
        p.table(&["h<"], &[vec![Cell::code("<script>")]]);
        p.figures(&["dir/odd name#.png".into(), "dir/odd name#.svg".into()]);
        let html = p.finish();
        assert!(
            html.contains("<h1>a &lt;b&gt; &amp; &quot;c&quot;</h1>"),
            "{html}"
        );
        assert!(html.contains("x &lt; y &amp;&amp; &#39;z&#39;"));
        assert!(html.contains("<code>&lt;script&gt;</code>") && !html.contains("<script>"));
        assert!(html.contains("src=\"odd%20name%23.png\""), "{html}");
        assert!(html.contains("href=\"odd%20name%23.svg\""));
    }
}
