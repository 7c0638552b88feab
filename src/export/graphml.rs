//! GraphML: one `<node>` per paper, concept and repository (id = its IRI) with typed `label`,
//! `kind` and `iri` attributes; one `<edge>` per link with its `kind`. Written as a stream.

use std::io::{self, Write};

use petgraph::visit::EdgeRef;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use crate::graph::KnowledgeGraph;

const GRAPHML_NS: &str = "http://graphml.graphdrawing.org/xmlns";
const SCHEMA_LOCATION: &str = "http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd";

/// `(id, for, attr.name, attr.type)` of every data key.
const KEYS: [(&str, &str, &str, &str); 4] = [
    ("label", "node", "label", "string"),
    ("kind", "node", "kind", "string"),
    ("iri", "node", "iri", "string"),
    ("edge_kind", "edge", "kind", "string"),
];

/// Writes the graph as GraphML.
pub fn write(graph: &KnowledgeGraph, out: impl Write) -> io::Result<()> {
    let mut xml = Writer::new_with_indent(out, b' ', 2);
    xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    xml.create_element("graphml")
        .with_attributes([
            ("xmlns", GRAPHML_NS),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            ("xsi:schemaLocation", SCHEMA_LOCATION),
        ])
        .write_inner_content(|xml| {
            for (id, target, name, kind) in KEYS {
                xml.create_element("key")
                    .with_attributes([("id", id), ("for", target), ("attr.name", name), ("attr.type", kind)])
                    .write_empty()?;
            }
            xml.create_element("graph")
                .with_attributes([("id", "papergraph"), ("edgedefault", "directed")])
                .write_inner_content(|xml| {
                    for node in graph.node_weights() {
                        xml.create_element("node").with_attribute(("id", node.iri.as_str())).write_inner_content(|xml| {
                            data(xml, "label", &node.label)?;
                            data(xml, "kind", node.kind.as_str())?;
                            data(xml, "iri", &node.iri)
                        })?;
                    }
                    for edge in graph.edge_references() {
                        xml.create_element("edge")
                            .with_attributes([
                                ("source", graph[edge.source()].iri.as_str()),
                                ("target", graph[edge.target()].iri.as_str()),
                            ])
                            .write_inner_content(|xml| data(xml, "edge_kind", edge.weight().kind.as_str()))?;
                    }
                    Ok(())
                })?;
            Ok(())
        })?;
    xml.get_mut().write_all(b"\n")?;
    xml.into_inner().flush()
}

fn data<W: Write>(xml: &mut Writer<W>, key: &str, value: &str) -> io::Result<()> {
    xml.create_element("data").with_attribute(("key", key)).write_text_content(BytesText::new(value))?;
    Ok(())
}
