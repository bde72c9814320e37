//! HTML to plain text: one line per block element, page chrome elements dropped.

use scraper::{Html, Node};

/// Elements whose content is never report text.
const SKIP: &[&str] = &[
    "script", "style", "noscript", "template", "head", "nav", "footer", "header", "aside", "form",
    "button", "select", "option", "iframe", "svg", "object", "canvas", "input", "textarea", "map",
];

/// Elements that start a new line.
const BLOCK: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "tr",
    "table",
    "tbody",
    "section",
    "article",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "dl",
    "hr",
    "center",
    "main",
    "td",
    "th",
    "body",
    "html",
];

/// Class or id fragments of page chrome.
const CHROME: &[&str] = &[
    "nav",
    "footer",
    "breadcrumb",
    "crumb",
    "share",
    "menu",
    "copyright",
    "toolbar",
    "position",
    "location",
];

/// Renders the text of an HTML page; returns it with the `<title>`.
pub fn html_to_text(src: &str) -> (String, Option<String>) {
    let doc = Html::parse_document(src);
    let mut out = String::with_capacity(src.len() / 2);
    let mut title = None;
    let mut skip_until: Option<ego_tree::NodeId> = None;
    for edge in doc.tree.root().traverse() {
        match edge {
            ego_tree::iter::Edge::Open(node) => {
                if skip_until.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Element(e) => {
                        let name = e.name();
                        if name == "head" || name == "title" {
                            let t: Option<String> = node
                                .descendants()
                                .find(|n| {
                                    n.value().as_element().is_some_and(|e| e.name() == "title")
                                })
                                .map(|n| {
                                    n.descendants()
                                        .filter_map(|d| d.value().as_text().map(|t| t.to_string()))
                                        .collect()
                                });
                            if let Some(t) = t {
                                title = Some(t.trim().to_string());
                            }
                        }
                        let chrome = e.attrs().any(|(k, v)| {
                            (k == "class" || k == "id")
                                && CHROME.iter().any(|c| v.to_ascii_lowercase().contains(c))
                        });
                        if SKIP.contains(&name) || chrome {
                            skip_until = Some(node.id());
                            continue;
                        }
                        if BLOCK.contains(&name) {
                            newline(&mut out);
                        }
                    }
                    Node::Text(t) => push_text(&mut out, t),
                    _ => {}
                }
            }
            ego_tree::iter::Edge::Close(node) => {
                if let Some(id) = skip_until {
                    if id == node.id() {
                        skip_until = None;
                    }
                    continue;
                }
                if let Node::Element(e) = node.value()
                    && BLOCK.contains(&e.name())
                {
                    newline(&mut out);
                }
            }
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    (out, title)
}

fn newline(out: &mut String) {
    while out.ends_with(' ') {
        out.pop();
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

/// Appends text, collapsing runs of blank space (NBSP and the ideographic space included).
fn push_text(out: &mut String, t: &str) {
    for c in t.chars() {
        if c.is_whitespace() || c == '\u{a0}' {
            if !(out.is_empty() || out.ends_with(' ') || out.ends_with('\n')) {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_become_lines_and_chrome_goes() {
        let (t, title) = html_to_text(
            "<html><head><title>报告_某区政府</title><script>var a=1;</script></head><body>\
             <nav>首页 新闻</nav><div class=\"breadcrumb\">首页 &gt; 报告</div>\
             <p>一、主要举措&amp;成效</p><p>&nbsp;&nbsp;合法性审查<b>131</b>次。</p>\
             <footer>版权所有</footer></body></html>",
        );
        assert_eq!(t, "一、主要举措&成效\n合法性审查131次。");
        assert_eq!(title.as_deref(), Some("报告_某区政府"));
    }
}
