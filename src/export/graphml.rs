//! GraphML: one `<node>` per node and one `<edge>` per edge, with typed `<key>`s for every
//! attribute the [`View`] has. Valid against the published GraphML schema, whose ids are
//! XML name tokens: nodes are `n0`, `n1`, ... and carry their IRI as the `iri` attribute.

use std::io::{self, Write};

use quick_xml::events::{BytesDecl, BytesText, Event};
use petgraph::visit::EdgeRef;
use quick_xml::Writer;

use super::{AttrType, Value, View};

const GRAPHML_NS: &str = "http://graphml.graphdrawing.org/xmlns";
const SCHEMA_LOCATION: &str = "http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd";

/// Writes the view as GraphML. Keys are `n_<name>` for nodes and `e_<name>` for edges, so a
/// node's `kind` and an edge's `kind` stay apart.
pub fn write(view: &View<'_>, out: impl Write) -> io::Result<()> {
    let mut xml = Writer::new_with_indent(out, b' ', 2);
    xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let node_attributes = view.node_attributes();
    let edge_attributes = view.edge_attributes();
    xml.create_element("graphml")
        .with_attributes([
            ("xmlns", GRAPHML_NS),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            ("xsi:schemaLocation", SCHEMA_LOCATION),
        ])
        .write_inner_content(|xml| {
            for (target, prefix, attributes) in [("node", "n_", &node_attributes), ("edge", "e_", &edge_attributes)] {
                for &(name, ty) in attributes {
                    let id = format!("{prefix}{name}");
                    xml.create_element("key")
                        .with_attributes([("id", id.as_str()), ("for", target), ("attr.name", name), ("attr.type", ty.xml_name())])
                        .write_empty()?;
                }
            }
            let direction = if view.directed { "directed" } else { "undirected" };
            xml.create_element("graph")
                .with_attributes([("id", "papergraph"), ("edgedefault", direction)])
                .write_inner_content(|xml| {
                    for n in view.graph.node_indices() {
                        let values = view.node_values(n);
                        let id = format!("n{}", n.index());
                        xml.create_element("node").with_attribute(("id", id.as_str())).write_inner_content(|xml| {
                            write_data(xml, "n_", &node_attributes, &values)
                        })?;
                    }
                    for edge in view.graph.edge_references() {
                        let values = view.edge_values(edge);
                        let (source, target) = (format!("n{}", edge.source().index()), format!("n{}", edge.target().index()));
                        xml.create_element("edge")
                            .with_attributes([("source", source.as_str()), ("target", target.as_str())])
                            .write_inner_content(|xml| write_data(xml, "e_", &edge_attributes, &values))?;
                    }
                    Ok(())
                })?;
            Ok(())
        })?;
    xml.get_mut().write_all(b"\n")?;
    xml.into_inner().flush()
}

fn write_data<W: Write>(xml: &mut Writer<W>, prefix: &str, attributes: &[(&str, AttrType)], values: &[Value<'_>]) -> io::Result<()> {
    for ((name, _), value) in attributes.iter().zip(values) {
        let key = format!("{prefix}{name}");
        xml.create_element("data").with_attribute(("key", key.as_str())).write_text_content(BytesText::new(&value.to_string()))?;
    }
    Ok(())
}
