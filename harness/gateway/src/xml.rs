//! A small element tree over quick-xml, enough to read the emulator's XML responses.

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};

/// Deeper documents are refused; the responses read here are a few levels deep.
const MAX_DEPTH: usize = 64;

/// An XML document that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read xml: {0}")]
pub(crate) struct XmlError(String);

/// One element: its local name, its text and its child elements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Element {
    /// The local name, without namespace prefix.
    pub name: String,
    /// The concatenated text directly inside the element.
    pub text: String,
    /// The child elements, in document order.
    pub children: Vec<Element>,
}

impl Element {
    /// The first child named `name`.
    pub(crate) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|child| child.name == name)
    }

    /// The children named `name`.
    pub(crate) fn children_named<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |child| child.name == name)
    }

    /// The element reached by following child names from this one.
    pub(crate) fn path(&self, names: &[&str]) -> Option<&Element> {
        names
            .iter()
            .try_fold(self, |element, name| element.child(name))
    }

    /// The trimmed text of the element reached by `names`.
    pub(crate) fn text_at(&self, names: &[&str]) -> Option<&str> {
        self.path(names).map(|element| element.text.trim())
    }
}

/// Parses a document into its root element.
pub(crate) fn parse(document: &[u8]) -> Result<Element, XmlError> {
    let mut reader = Reader::from_reader(document);
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;

    loop {
        let event = reader
            .read_event()
            .map_err(|error| XmlError(error.to_string()))?;
        match event {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError(format!("nested deeper than {MAX_DEPTH} elements")));
                }
                stack.push(element_of(&start));
            }
            Event::Empty(start) => close(element_of(&start), &mut stack, &mut root),
            Event::End(_) => {
                let element = stack
                    .pop()
                    .ok_or_else(|| XmlError("unbalanced end tag".to_owned()))?;
                close(element, &mut stack, &mut root);
            }
            Event::Text(text) => {
                let text = text.decode().map_err(|error| XmlError(error.to_string()))?;
                append_text(&mut stack, &text);
            }
            Event::CData(data) => {
                let text = data.decode().map_err(|error| XmlError(error.to_string()))?;
                append_text(&mut stack, &text);
            }
            Event::GeneralRef(reference) => append_text(&mut stack, &resolve(&reference)?),
            Event::Eof => break,
            _ => {}
        }
    }

    if !stack.is_empty() {
        return Err(XmlError("the document ends inside an element".to_owned()));
    }
    root.ok_or_else(|| XmlError("the document has no element".to_owned()))
}

fn element_of(start: &BytesStart<'_>) -> Element {
    Element {
        name: String::from_utf8_lossy(start.local_name().as_ref()).into_owned(),
        ..Element::default()
    }
}

/// Attaches a finished element to its parent, or makes it the root.
fn close(element: Element, stack: &mut [Element], root: &mut Option<Element>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => {
            if root.is_none() {
                *root = Some(element);
            }
        }
    }
}

fn append_text(stack: &mut [Element], text: &str) {
    if let Some(current) = stack.last_mut() {
        current.text.push_str(text);
    }
}

/// The text an entity or character reference stands for.
fn resolve(reference: &BytesRef<'_>) -> Result<String, XmlError> {
    if let Some(character) = reference
        .resolve_char_ref()
        .map_err(|error| XmlError(error.to_string()))?
    {
        return Ok(character.to_string());
    }
    let name = reference
        .decode()
        .map_err(|error| XmlError(error.to_string()))?;
    resolve_predefined_entity(&name)
        .map(str::to_owned)
        .ok_or_else(|| XmlError(format!("unknown entity `&{name};`")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_text_with_entities() {
        let document = br#"<?xml version="1.0"?>
            <R xmlns="urn:x"><A><B>one &amp; two &#x41;</B><B>three</B><C/></A></R>"#;
        let root = parse(document).unwrap();
        assert_eq!(root.name, "R");
        assert_eq!(root.text_at(&["A", "B"]), Some("one & two A"));
        assert_eq!(root.path(&["A"]).unwrap().children_named("B").count(), 2);
        assert!(root.path(&["A", "C"]).is_some());
        assert_eq!(root.text_at(&["A", "D"]), None);
    }

    #[test]
    fn prefixed_names_are_local() {
        let root = parse(b"<s:Envelope xmlns:s='urn:s'><s:Body>x</s:Body></s:Envelope>").unwrap();
        assert_eq!(root.text_at(&["Body"]), Some("x"));
    }

    #[test]
    fn broken_documents_are_errors() {
        assert!(parse(b"<a><b></a>").is_err());
        assert!(parse(b"<a>").is_err());
        assert!(parse(b"").is_err());
        assert!(parse(b"<a>&bogus;</a>").is_err());
    }
}
