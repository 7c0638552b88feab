//! GEXF 1.3 (Gephi's own format): nodes with `label`, edges with `weight`, and every other
//! attribute declared in `<attributes>` with its type.

use std::io::{self, Write};

use quick_xml::events::{BytesDecl, Event};
use quick_xml::Writer;

use super::{AttrType, Value, View};

const GEXF_NS: &str = "http://gexf.net/1.3";
const SCHEMA_LOCATION: &str = "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd";

/// Writes the view as GEXF 1.3. The node label and edge weight are GEXF's own attributes; the
/// rest are `<attvalue>`s (the edge's kind is also its `label`).
pub fn write(view: &View<'_>, out: impl Write) -> io::Result<()> {
    let mut xml = Writer::new_with_indent(out, b' ', 2);
    xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let node_attributes = view.node_attributes();
    let edge_attributes = view.edge_attributes();
    xml.create_element("gexf")
        .with_attributes([
            ("xmlns", GEXF_NS),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            ("xsi:schemaLocation", SCHEMA_LOCATION),
            ("version", "1.3"),
        ])
        .write_inner_content(|xml| {
            xml.create_element("meta").write_inner_content(|xml| {
                xml.create_element("creator").write_text_content(quick_xml::events::BytesText::new("papergraph"))?;
                Ok(())
            })?;
            let direction = if view.directed { "directed" } else { "undirected" };
            xml.create_element("graph")
                .with_attributes([("defaultedgetype", direction), ("mode", "static")])
                .write_inner_content(|xml| {
                    for (class, attributes) in [("node", &node_attributes), ("edge", &edge_attributes)] {
                        xml.create_element("attributes").with_attribute(("class", class)).write_inner_content(|xml| {
                            for &(name, ty) in attributes.iter().filter(|(name, _)| !is_native(name)) {
                                xml.create_element("attribute")
                                    .with_attributes([("id", name), ("title", name), ("type", ty.xml_name())])
                                    .write_empty()?;
                            }
                            Ok(())
                        })?;
                    }
                    xml.create_element("nodes").write_inner_content(|xml| {
                        for n in view.graph.node_indices() {
                            let node = &view.graph[n];
                            let values = view.node_values(n);
                            xml.create_element("node")
                                .with_attributes([("id", node.iri.as_str()), ("label", node.label.as_str())])
                                .write_inner_content(|xml| write_values(xml, &node_attributes, &values))?;
                        }
                        Ok(())
                    })?;
                    xml.create_element("edges").write_inner_content(|xml| {
                        for (i, (edge, source, target)) in view.edges().enumerate() {
                            let values = view.edge_values(edge);
                            let (id, weight) = (i.to_string(), edge.weight().weight.to_string());
                            xml.create_element("edge")
                                .with_attributes([
                                    ("id", id.as_str()),
                                    ("source", source),
                                    ("target", target),
                                    ("label", edge.weight().kind.as_str()),
                                    ("weight", weight.as_str()),
                                ])
                                .write_inner_content(|xml| write_values(xml, &edge_attributes, &values))?;
                        }
                        Ok(())
                    })?;
                    Ok(())
                })?;
            Ok(())
        })?;
    xml.get_mut().write_all(b"\n")?;
    xml.into_inner().flush()
}

/// Attributes GEXF carries natively on the element (`label`, `weight`), not as `<attvalue>`s.
fn is_native(name: &str) -> bool {
    matches!(name, "label" | "weight")
}

fn write_values<W: Write>(xml: &mut Writer<W>, attributes: &[(&'static str, AttrType)], values: &[Value<'_>]) -> io::Result<()> {
    xml.create_element("attvalues").write_inner_content(|xml| {
        for ((name, _), value) in attributes.iter().zip(values).filter(|((name, _), _)| !is_native(name)) {
            let value = value.to_string();
            xml.create_element("attvalue").with_attributes([("for", *name), ("value", value.as_str())]).write_empty()?;
        }
        Ok(())
    })?;
    Ok(())
}
