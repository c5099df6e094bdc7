//! Policy variables: `${aws:username}`, `${key, 'default'}` and the escapes `${*}` `${?}` `${$}`.
//!
//! IAM User Guide, reference_policies_variables.html: variables are replaced by the value of the
//! request's condition key; they work only under `"Version": "2012-10-17"`; `${*}`, `${?}` and
//! `${$}` stand for the literal characters; a default value is used when the key is absent.
//! A variable whose key is absent (and has no default) or multi-valued cannot be resolved: a
//! resource pattern that holds one matches no resource, and a condition value that holds one
//! matches no request value, so negated operators hold against it.

use crate::pattern::PatternText;
use crate::request::{Context, ContextValue};

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// Policy text; `*` and `?` are wildcards in patterns.
    Text(String),
    /// A character from `${*}`, `${?}` or `${$}`: never a wildcard.
    Literal(String),
    /// A condition key to substitute.
    Variable {
        key_lowercase: String,
        default: Option<String>,
    },
}

/// Policy text that holds at least one variable or escape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    pieces: Vec<Piece>,
}

impl Template {
    /// Reads the variables in `text`; `None` when it has none, so the text is used as written.
    ///
    /// A `${` without a well-formed variable after it is kept as plain text.
    pub(crate) fn parse(text: &str) -> Option<Template> {
        let mut pieces = Vec::new();
        let mut rest = text;
        let mut plain = String::new();
        while let Some(start) = rest.find("${") {
            let (before, from_dollar) = rest.split_at(start);
            plain.push_str(before);
            let parsed = from_dollar
                .get(2..)
                .and_then(|inner| inner.find('}').map(|end| (inner.get(..end), end)));
            let Some((Some(inner), end)) = parsed else {
                plain.push_str(from_dollar);
                rest = "";
                break;
            };
            let consumed = end + 3;
            match parse_variable(inner) {
                Some(piece) => {
                    flush(&mut plain, &mut pieces);
                    pieces.push(piece);
                }
                None => plain.push_str(from_dollar.get(..consumed).unwrap_or_default()),
            }
            rest = from_dollar.get(consumed..).unwrap_or_default();
        }
        plain.push_str(rest);
        let has_variables = !pieces.is_empty();
        flush(&mut plain, &mut pieces);
        has_variables.then_some(Template { pieces })
    }

    /// The pieces with every variable replaced, or `None` if one cannot be resolved.
    pub(crate) fn resolve<'a>(&'a self, context: &'a Context) -> Option<Vec<PatternText<'a>>> {
        self.pieces
            .iter()
            .map(|piece| match piece {
                Piece::Text(text) => Some(PatternText::Wild(text)),
                Piece::Literal(text) => Some(PatternText::Literal(text)),
                Piece::Variable {
                    key_lowercase,
                    default,
                } => resolve_variable(key_lowercase, default.as_deref(), context),
            })
            .collect()
    }
}

fn resolve_variable<'a>(
    key_lowercase: &str,
    default: Option<&'a str>,
    context: &'a Context,
) -> Option<PatternText<'a>> {
    match context.get_lowercase(key_lowercase) {
        Some(ContextValue::Single(value)) => Some(PatternText::Literal(value)),
        Some(ContextValue::Multi(_)) => None,
        None => default.map(PatternText::Literal),
    }
}

/// The text of resolved pieces, wildcards kept as characters.
pub(crate) fn join(pieces: &[PatternText<'_>]) -> String {
    pieces
        .iter()
        .map(|piece| match piece {
            PatternText::Wild(text) | PatternText::Literal(text) => *text,
        })
        .collect()
}

/// The text of resolved pieces for an explanation: a `*` or `?` that is literal (from `${*}`,
/// `${?}` or a variable's value) is written as its escape, so that it does not read as a
/// wildcard.
pub(crate) fn display(pieces: &[PatternText<'_>]) -> String {
    let mut shown = String::new();
    for piece in pieces {
        match piece {
            PatternText::Wild(text) => shown.push_str(text),
            PatternText::Literal(text) => {
                for c in text.chars() {
                    match c {
                        '*' => shown.push_str("${*}"),
                        '?' => shown.push_str("${?}"),
                        _ => shown.push(c),
                    }
                }
            }
        }
    }
    shown
}

fn flush(plain: &mut String, pieces: &mut Vec<Piece>) {
    if !plain.is_empty() {
        pieces.push(Piece::Text(std::mem::take(plain)));
    }
}

/// Reads what is between `${` and `}`.
fn parse_variable(inner: &str) -> Option<Piece> {
    if let "*" | "?" | "$" = inner {
        return Some(Piece::Literal(inner.to_owned()));
    }
    let (key, default) = match inner.split_once(',') {
        Some((key, default)) => (key.trim(), Some(parse_default(default)?)),
        None => (inner.trim(), None),
    };
    let well_formed = !key.is_empty() && !key.contains(char::is_whitespace);
    well_formed.then(|| Piece::Variable {
        key_lowercase: key.to_ascii_lowercase(),
        default,
    })
}

/// Reads ` 'default'`: a single-quoted value.
fn parse_default(text: &str) -> Option<String> {
    let quoted = text.trim();
    let inner = quoted.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> Context {
        let mut context = Context::new();
        context.insert_single("aws:PrincipalTag/team", "blue");
        context.insert("aws:TagKeys", ContextValue::Multi(vec!["a".into()]));
        context
    }

    fn resolved(text: &str) -> Option<String> {
        let context = context();
        let template = Template::parse(text).unwrap();
        template.resolve(&context).map(|pieces| join(&pieces))
    }

    #[test]
    fn text_without_variables_has_no_template() {
        assert_eq!(Template::parse("arn:aws:s3:::bucket/*"), None);
        assert_eq!(Template::parse("cost ${"), None);
        assert_eq!(Template::parse("${ }"), None);
    }

    #[test]
    fn substitutes_keys_case_insensitively() {
        assert_eq!(
            resolved("team/${aws:principaltag/TEAM}/*").as_deref(),
            Some("team/blue/*")
        );
    }

    #[test]
    fn defaults_apply_only_to_absent_keys() {
        assert_eq!(
            resolved("${aws:PrincipalTag/missing, 'none'}").as_deref(),
            Some("none")
        );
        assert_eq!(
            resolved("${aws:PrincipalTag/team,'none'}").as_deref(),
            Some("blue")
        );
        assert_eq!(resolved("${aws:PrincipalTag/missing}"), None);
        assert_eq!(resolved("${aws:TagKeys, 'x'}"), None);
    }

    #[test]
    fn escapes_are_literal() {
        let context = context();
        let template = Template::parse("a${*}b${?}${$}").unwrap();
        let pieces = template.resolve(&context).unwrap();
        assert_eq!(
            pieces,
            [
                PatternText::Wild("a"),
                PatternText::Literal("*"),
                PatternText::Wild("b"),
                PatternText::Literal("?"),
                PatternText::Literal("$"),
            ]
        );
    }

    #[test]
    fn literal_wildcards_are_displayed_as_their_escapes() {
        let pieces = [
            PatternText::Wild("a/*"),
            PatternText::Literal("*x?"),
            PatternText::Wild("?"),
        ];
        assert_eq!(display(&pieces), "a/*${*}x${?}?");
        assert_eq!(join(&pieces), "a/**x??");
    }
}
