//! The aligned text table `papergraph query` prints by default.

use std::io::{self, Write};

use oxigraph::model::{Term, Variable};

use crate::rdf::vocab::PREFIXES;

/// Cells longer than this are cut with `…` (use `--format csv` or `json` for full values).
pub const MAX_CELL_CHARS: usize = 100;

/// A term for reading: IRIs shortened to `prefix:local` where a standard prefix fits, literals
/// as their bare value.
pub fn render_term(term: &Term) -> String {
    match term {
        Term::NamedNode(node) => PREFIXES
            .iter()
            .find_map(|(prefix, ns)| {
                let local = node.as_str().strip_prefix(ns)?;
                (!local.is_empty()).then(|| format!("{prefix}:{local}"))
            })
            .unwrap_or_else(|| format!("<{}>", node.as_str())),
        Term::Literal(literal) => literal.value().to_owned(),
        other => other.to_string(),
    }
}

/// Writes solutions as a table with a header row, a rule, and a row count.
pub fn write_table(variables: &[Variable], rows: &[Vec<Option<Term>>], out: &mut impl Write) -> io::Result<()> {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| row.iter().map(|t| t.as_ref().map(|t| shorten(&render_term(t))).unwrap_or_default()).collect())
        .collect();
    let mut widths: Vec<usize> = variables.iter().map(|v| v.as_str().chars().count()).collect();
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |out: &mut dyn Write, values: &mut dyn Iterator<Item = &str>| -> io::Result<()> {
        let padded: Vec<String> = values.zip(&widths).map(|(v, w)| format!("{v:<w$}")).collect();
        writeln!(out, "{}", padded.join("  ").trim_end())
    };
    line(out, &mut variables.iter().map(Variable::as_str))?;
    writeln!(out, "{}", widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("  "))?;
    for row in &cells {
        line(out, &mut row.iter().map(String::as_str))?;
    }
    writeln!(out, "({} row{})", rows.len(), if rows.len() == 1 { "" } else { "s" })
}

fn shorten(text: &str) -> String {
    truncate(&text.replace(['\n', '\r', '\t'], " "), MAX_CELL_CHARS)
}

/// Cuts `text` to at most `max` characters, marking a cut with `…`.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(max - 1).collect::<String>())
    }
}
