//! Cytoscape.js JSON: `{"elements": {"nodes": [{"data": {...}}], "edges": [{"data": {...}}]}}`,
//! readable by Cytoscape.js (`cy.add(json.elements)`) and Cytoscape desktop (File → Import →
//! Network from File).

use std::io::{self, Write};

use serde_json::{Map, Value as Json};

use super::{Value, View};

/// Writes the view as Cytoscape.js JSON, one element per line.
pub fn write(view: &View<'_>, mut out: impl Write) -> io::Result<()> {
    writeln!(out, "{{\"data\": {{\"name\": \"papergraph\", \"directed\": {}}},", view.directed)?;
    writeln!(out, "\"elements\": {{\"nodes\": [")?;
    let node_attributes = view.node_attributes();
    for (i, n) in view.graph.node_indices().enumerate() {
        let mut data = Map::new();
        data.insert("id".into(), Json::from(view.graph[n].iri.as_str()));
        insert_all(&mut data, &node_attributes, view.node_values(n));
        element(&mut out, data, i > 0)?;
    }
    writeln!(out, "\n], \"edges\": [")?;
    let edge_attributes = view.edge_attributes();
    for (i, (edge, source, target)) in view.edges().enumerate() {
        let mut data = Map::new();
        data.insert("id".into(), Json::from(format!("e{i}")));
        data.insert("source".into(), Json::from(source));
        data.insert("target".into(), Json::from(target));
        insert_all(&mut data, &edge_attributes, view.edge_values(edge));
        element(&mut out, data, i > 0)?;
    }
    writeln!(out, "\n]}}}}")?;
    out.flush()
}

fn insert_all(data: &mut Map<String, Json>, attributes: &[(&str, super::AttrType)], values: Vec<Value<'_>>) {
    for ((name, _), value) in attributes.iter().zip(values) {
        let json = match value {
            Value::Str(s) => Json::from(s),
            Value::Int(i) => Json::from(i),
            Value::Double(x) => Json::from(x),
        };
        data.insert((*name).into(), json);
    }
}

fn element(out: &mut impl Write, data: Map<String, Json>, comma: bool) -> io::Result<()> {
    if comma {
        writeln!(out, ",")?;
    }
    let mut element = Map::new();
    element.insert("data".into(), Json::Object(data));
    serde_json::to_writer(&mut *out, &element).map_err(io::Error::other)
}
