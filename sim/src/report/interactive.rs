//! The shell of a report's interactive pages (`timeline.html`,
//! `messages.html`, `linear.html`): one HTML file holding its data as a
//! JSON island, its CSS and its script, so the page opens from disk with
//! nothing fetched from anywhere (no fonts, styles or scripts from
//! elsewhere). The script draws SVG from the data; the same data gives the
//! same bytes.

use crate::report::html::escape;
use serde_json::Value;

/// Shared CSS of the interactive pages.
const STYLE: &str = include_str!("../../assets/interactive.css");

/// Shared script: tooltips, SVG helpers, time formatting.
const COMMON_JS: &str = include_str!("../../assets/common.js");

/// `value` as JSON that is safe inside `<script>`: no `<`, `>` or `&`
/// survives literally (escaped as `\u003c` etc., which JSON reads back).
pub fn json_island(value: &Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page: `body` (trusted HTML built by the caller, text escaped),
/// the data island `data` (read by `script` as `DATA`), then `script`.
pub fn page(title: &str, body: &str, data: &Value, script: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>{title}</h1>\n{body}\n<div id=\"tip\" class=\"tip\" hidden></div>\n\
         <script type=\"application/json\" id=\"data\">{data}</script>\n\
         <script>\n{COMMON_JS}\n{script}\n</script>\n\
         <noscript><p>This page draws its diagram with JavaScript; the same data \
         is in history.jsonl.</p></noscript>\n</body>\n</html>\n",
        title = escape(title),
        data = json_island(data),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_island_cannot_close_its_script() {
        let v = json!({ "a": "</script><b>&" });
        let island = json_island(&v);
        assert!(!island.contains('<') && !island.contains('>'), "{island}");
        let back: Value = serde_json::from_str(&island).unwrap();
        assert_eq!(back, v);
        let html = page("t <x>", "<p>b</p>", &v, "draw();");
        assert!(html.contains("<title>t &lt;x&gt;</title>"));
        assert!(!html.contains("http://") && !html.contains("https://"));
    }
}
