//! Graphviz DOT: nodes styled by kind (shape and colour), labels shortened with the full text
//! as tooltip, IRIs as links (clickable in SVG), edge thickness by weight.

use std::io::{self, Write};

use super::View;
use crate::graph::NodeKind;

/// Longest label drawn on a node; longer ones are cut with `…` (the tooltip keeps all of it).
const LABEL_CHARS: usize = 40;

/// Writes the view as a DOT graph; attribute values are written as Graphviz attributes too
/// (`kind`, `pagerank`, ...), which layout programs ignore and keep.
pub fn write(view: &View<'_>, mut out: impl Write) -> io::Result<()> {
    let (keyword, arrow) = if view.directed { ("digraph", "->") } else { ("graph", "--") };
    writeln!(out, "{keyword} papergraph {{")?;
    writeln!(out, "  graph [overlap=false, splines=true, outputorder=edgesfirst, fontname=\"Helvetica\"];")?;
    writeln!(out, "  node [style=filled, fontname=\"Helvetica\", fontsize=10];")?;
    writeln!(out, "  edge [color=\"#00000055\", arrowsize=0.5];")?;
    let attributes = view.node_attributes();
    for n in view.graph.node_indices() {
        let node = &view.graph[n];
        let (shape, colour) = style(node.kind);
        write!(
            out,
            "  {} [label={}, tooltip={}, URL={}, shape={shape}, fillcolor=\"{colour}\"",
            quote(&node.iri),
            quote(&crate::query::truncate(&node.label, LABEL_CHARS)),
            quote(&node.label),
            quote(&node.iri)
        )?;
        for ((name, _), value) in attributes.iter().zip(view.node_values(n)).filter(|((name, _), _)| !matches!(*name, "label" | "iri")) {
            write!(out, ", {name}={}", quote(&value.to_string()))?;
        }
        writeln!(out, "];")?;
    }
    for (edge, source, target) in view.edges() {
        let e = edge.weight();
        let pen = 1.0 + e.weight.ln_1p();
        write!(out, "  {} {arrow} {} [kind={}, weight={}, penwidth={pen:.2}", quote(source), quote(target), quote(e.kind.as_str()), e.weight.round().max(1.0))?;
        if let Some(npmi) = e.npmi {
            write!(out, ", npmi={npmi}")?;
        }
        writeln!(out, "];")?;
    }
    writeln!(out, "}}")?;
    out.flush()
}

/// Shape and fill colour of a node kind.
fn style(kind: NodeKind) -> (&'static str, &'static str) {
    match kind {
        NodeKind::Paper => ("box", "#cfe2f3"),
        NodeKind::Concept => ("ellipse", "#f9cb9c"),
        NodeKind::Method => ("diamond", "#d9ead3"),
        NodeKind::Repository => ("component", "#d9d2e9"),
        NodeKind::Dataset => ("cylinder", "#fff2cc"),
        NodeKind::Listing => ("note", "#eeeeee"),
        NodeKind::Author => ("plaintext", "#ffffff"),
        NodeKind::Category => ("hexagon", "#e6b8af"),
    }
}

/// A DOT double-quoted string.
fn quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                quoted.push('\\');
                quoted.push(c);
            }
            '\n' | '\r' => quoted.push(' '),
            _ => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_escape_quotes_and_backslashes() {
        assert_eq!(quote(r#"a "b" \c"#), r#""a \"b\" \\c""#);
    }
}
