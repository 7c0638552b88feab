//! CSV files for `neo4j-admin database import full`: `nodes.csv` (`id:ID`, `:LABEL`, properties
//! with typed headers) and `relationships.csv` (`:START_ID`, `:END_ID`, `:TYPE`, properties).
//!
//! ```text
//! neo4j-admin database import full --nodes=nodes.csv --relationships=relationships.csv neo4j
//! ```

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::{AttrType, View};

/// File names written into the output directory.
pub const NODES_FILE: &str = "nodes.csv";
pub const RELATIONSHIPS_FILE: &str = "relationships.csv";

/// Writes `nodes.csv` and `relationships.csv` into `dir` (created if needed); returns their paths.
pub fn write(view: &View<'_>, dir: &Path) -> io::Result<[PathBuf; 2]> {
    std::fs::create_dir_all(dir)?;
    let paths = [dir.join(NODES_FILE), dir.join(RELATIONSHIPS_FILE)];
    write_nodes(view, BufWriter::new(File::create(&paths[0])?))?;
    write_relationships(view, BufWriter::new(File::create(&paths[1])?))?;
    Ok(paths)
}

fn write_nodes(view: &View<'_>, mut out: impl Write) -> io::Result<()> {
    let attributes = view.node_attributes();
    let mut header = vec!["id:ID".to_owned(), ":LABEL".to_owned()];
    header.extend(attributes.iter().map(|&(name, ty)| typed(name, ty)));
    writeln!(out, "{}", header.join(","))?;
    for n in view.graph.node_indices() {
        let node = &view.graph[n];
        let mut row = vec![field(&node.iri), label(node.kind.as_str())];
        row.extend(view.node_values(n).iter().map(|v| field(&v.to_string())));
        writeln!(out, "{}", row.join(","))?;
    }
    out.flush()
}

fn write_relationships(view: &View<'_>, mut out: impl Write) -> io::Result<()> {
    let attributes = view.edge_attributes();
    let mut header = vec![":START_ID".to_owned(), ":END_ID".to_owned(), ":TYPE".to_owned()];
    header.extend(attributes.iter().map(|&(name, ty)| typed(name, ty)));
    writeln!(out, "{}", header.join(","))?;
    for (edge, source, target) in view.edges() {
        let kind = edge.weight().kind.as_str().to_uppercase().replace('-', "_");
        let mut row = vec![field(source), field(target), kind];
        row.extend(view.edge_values(edge).iter().map(|v| field(&v.to_string())));
        writeln!(out, "{}", row.join(","))?;
    }
    out.flush()
}

/// A property header: `name:type` (Neo4j's default type is string).
fn typed(name: &str, ty: AttrType) -> String {
    match ty {
        AttrType::String => name.to_owned(),
        AttrType::Int => format!("{name}:long"),
        AttrType::Double => format!("{name}:double"),
    }
}

/// A node label from a kind: `paper` → `Paper`.
fn label(kind: &str) -> String {
    let mut chars = kind.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A CSV field, quoted when it holds a comma, quote or line break (quotes doubled).
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field(r#"Say "hi", then"#), r#""Say ""hi"", then""#);
        assert_eq!(label("repository"), "Repository");
    }
}
