//! A small JSON parser that keeps the byte span of every value and member name.
//!
//! Policy errors must point at the exact place in the document, and duplicate member names must
//! be reported (a general-purpose parser silently keeps one of them), so policies are read with
//! this parser rather than with `serde_json`.

use miette::SourceSpan;

use crate::error::{PolicyError, SourceLocation, span};

/// Deepest nesting accepted; policies are shallow, and the limit keeps recursion bounded.
const MAX_DEPTH: usize = 64;

/// A JSON value and the span of its text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Json {
    pub(crate) kind: JsonKind,
    pub(crate) span: SourceSpan,
}

/// The kinds of JSON value; numbers keep their text as written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum JsonKind {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<Member>),
}

/// One `"name": value` member of an object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Member {
    pub(crate) name: String,
    pub(crate) name_span: SourceSpan,
    pub(crate) value: Json,
}

impl Json {
    /// How the value is described in messages, e.g. `a string`.
    pub(crate) fn kind_name(&self) -> &'static str {
        match self.kind {
            JsonKind::Null => "null",
            JsonKind::Bool(_) => "a boolean",
            JsonKind::Number(_) => "a number",
            JsonKind::String(_) => "a string",
            JsonKind::Array(_) => "an array",
            JsonKind::Object(_) => "an object",
        }
    }

    /// The first character of the value, for labels that should not underline a whole block.
    pub(crate) fn start_span(&self) -> SourceSpan {
        span(self.span.offset(), self.span.len().min(1))
    }
}

/// Parses `text`, appending every problem found to `problems`.
///
/// Returns the document when its structure could be read; duplicate member names are reported
/// and the later member is dropped, so the returned tree is still usable.
pub(crate) fn parse(text: &str, problems: &mut Vec<PolicyError>) -> Option<Json> {
    let mut parser = Parser {
        text,
        pos: 0,
        problems,
        open: Vec::new(),
    };
    parser.document().ok()
}

/// Raised when the parser cannot go on; the problem has been recorded already.
// Limitation: the parser recovers only from a missing or trailing comma, a duplicate member
// and a bad escape; after any other syntax error it stops, so problems later in the document
// (syntax or policy grammar) are reported only once that error is fixed.
struct Stop;

type Step<T> = Result<T, Stop>;

/// An opened object or array not closed yet, for the end-of-input message.
#[derive(Clone, Copy)]
struct Open {
    closer: Option<char>,
    offset: usize,
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    problems: &'a mut Vec<PolicyError>,
    open: Vec<Open>,
}

/// The advice for an empty document: the smallest policy the parser accepts, since
/// `Statement` needs at least one statement.
const EMPTY_DOCUMENT_HELP: &str = "a policy is a JSON object such as `{\"Version\": \
     \"2012-10-17\", \"Statement\": [{\"Effect\": \"Deny\", \"Action\": \"s3:DeleteBucket\", \
     \"Resource\": \"*\"}]}`";

impl Parser<'_> {
    fn document(&mut self) -> Step<Json> {
        self.skip_leading_byte_order_mark();
        self.skip_whitespace();
        if self.peek().is_none() {
            let error = PolicyError::new("policy document is empty", span(0, 0), "no JSON here")
                .with_help(EMPTY_DOCUMENT_HELP);
            return Err(self.record(error));
        }
        if self.looks_like_bare_members() {
            return Err(self.bare_members());
        }

        let value = self.value(0)?;
        self.skip_whitespace();
        if let Some(found) = self.peek() {
            let error = PolicyError::new(
                format!("unexpected `{found}` after the end of the document"),
                span(self.pos, found.len_utf8()),
                "expected the end of the input",
            )
            .with_secondary(value.start_span(), "the document starts here");
            return Err(self.record(error));
        }
        Ok(value)
    }

    /// Whether the text starts with `"name":`, i.e. object members without their braces.
    fn looks_like_bare_members(&self) -> bool {
        let mut probe = Parser {
            text: self.text,
            pos: self.pos,
            problems: &mut Vec::new(),
            open: Vec::new(),
        };
        if probe.peek() != Some('"') || probe.string().is_err() {
            return false;
        }
        probe.skip_whitespace();
        probe.peek() == Some(':')
    }

    /// Reports members written without an enclosing object, then reads on to find more problems.
    fn bare_members(&mut self) -> Stop {
        let start = self.pos;
        let error = PolicyError::new(
            "policy document is not a JSON object",
            span(start, 1),
            "a member name outside of any object",
        )
        .with_help(
            "a policy starts with `{`; these look like the members of one statement, which \
             belong in `{\"Version\": \"2012-10-17\", \"Statement\": [{ ... }]}`",
        );
        self.record(error);
        self.open.push(Open {
            closer: None,
            offset: start,
        });
        // The members are read only to find further problems; the document stays invalid.
        let _members = self.members(None, 0);
        Stop
    }

    fn value(&mut self, depth: usize) -> Step<Json> {
        self.skip_whitespace();
        let start = self.pos;
        let Some(first) = self.peek() else {
            return Err(self.end_of_input());
        };
        if depth > MAX_DEPTH && matches!(first, '{' | '[') {
            let error = PolicyError::new(
                "JSON is nested too deeply",
                span(start, 1),
                format!("more than {MAX_DEPTH} levels"),
            );
            return Err(self.record(error));
        }
        let kind = match first {
            '{' => self.object(depth)?,
            '[' => self.array(depth)?,
            '"' => JsonKind::String(self.string()?),
            '-' | '0'..='9' => JsonKind::Number(self.number()?),
            _ if first.is_alphabetic() => self.word()?,
            _ => return Err(self.unexpected(first, "expected a JSON value")),
        };
        Ok(Json {
            kind,
            span: span(start, self.pos - start),
        })
    }

    fn object(&mut self, depth: usize) -> Step<JsonKind> {
        let offset = self.pos;
        self.bump('{');
        self.open.push(Open {
            closer: Some('}'),
            offset,
        });
        let members = self.members(Some('}'), depth)?;
        self.open.pop();
        Ok(JsonKind::Object(members))
    }

    /// Reads members up to `closer` (consumed), or to the end of input when there is none.
    fn members(&mut self, closer: Option<char>, depth: usize) -> Step<Vec<Member>> {
        let mut members: Vec<Member> = Vec::new();
        self.skip_whitespace();
        if closer.is_some() && self.peek() == closer {
            self.pos += 1;
            return Ok(members);
        }
        loop {
            self.skip_whitespace();
            let member = self.member(depth)?;
            self.add_member(&mut members, member);

            self.skip_whitespace();
            match self.peek() {
                None if closer.is_none() => return Ok(members),
                None => return Err(self.end_of_input()),
                Some(',') => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.skip_whitespace();
                    if closer.is_some() && self.peek() == closer {
                        self.trailing_comma(comma);
                        self.pos += 1;
                        return Ok(members);
                    }
                }
                Some(found) if Some(found) == closer => {
                    self.pos += 1;
                    return Ok(members);
                }
                Some('"') => self.missing_comma("members"),
                Some(found) => {
                    let expected = match closer {
                        Some(closer) => format!("expected `,` or `{closer}`"),
                        None => "expected `,`".to_owned(),
                    };
                    return Err(self.unexpected(found, &expected));
                }
            }
        }
    }

    fn member(&mut self, depth: usize) -> Step<Member> {
        let name_start = self.pos;
        match self.peek() {
            Some('"') => {}
            Some(found) if found.is_alphabetic() => {
                let word_end = self.bare_name_end();
                let word = self.text.get(name_start..word_end).unwrap_or_default();
                let error = PolicyError::new(
                    format!("member name `{word}` is not in double quotes"),
                    span(name_start, word_end - name_start),
                    "expected a string",
                )
                .with_help(format!("write it as `\"{word}\"`"));
                return Err(self.record(error));
            }
            Some(found) => return Err(self.unexpected(found, "expected a member name")),
            None => return Err(self.end_of_input()),
        }
        let name = self.string()?;
        let name_span = span(name_start, self.pos - name_start);

        self.skip_whitespace();
        match self.peek() {
            Some(':') => self.pos += 1,
            Some(found) => {
                let expected = format!("expected `:` after `{name}`");
                return Err(self.unexpected(found, &expected));
            }
            None => return Err(self.end_of_input()),
        }
        let value = self.value(depth + 1)?;
        Ok(Member {
            name,
            name_span,
            value,
        })
    }

    /// Adds `member` unless its name is taken, which is reported instead.
    fn add_member(&mut self, members: &mut Vec<Member>, member: Member) {
        let earlier = members.iter().find(|earlier| earlier.name == member.name);
        if let Some(earlier) = earlier {
            let error = PolicyError::new(
                format!("duplicate member `{}`", member.name),
                member.name_span,
                "defined again here",
            )
            .with_secondary(earlier.name_span, "first defined here")
            .with_help("JSON parsers disagree on which one wins; keep only one of them");
            self.record(error);
            return;
        }
        members.push(member);
    }

    fn array(&mut self, depth: usize) -> Step<JsonKind> {
        let offset = self.pos;
        self.bump('[');
        self.open.push(Open {
            closer: Some(']'),
            offset,
        });
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(']') {
            self.pos += 1;
            self.open.pop();
            return Ok(JsonKind::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_whitespace();
            match self.peek() {
                None => return Err(self.end_of_input()),
                Some(',') => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.skip_whitespace();
                    if self.peek() == Some(']') {
                        self.trailing_comma(comma);
                        break;
                    }
                }
                Some(']') => break,
                Some('"' | '{' | '[') => self.missing_comma("items"),
                Some(found) => return Err(self.unexpected(found, "expected `,` or `]`")),
            }
        }
        self.pos += 1;
        self.open.pop();
        Ok(JsonKind::Array(items))
    }

    fn string(&mut self) -> Step<String> {
        let start = self.pos;
        self.bump('"');
        let mut value = String::new();
        loop {
            let Some(found) = self.peek() else {
                let error = PolicyError::new(
                    "string is not closed",
                    span(start, 1),
                    "this string never ends",
                )
                .with_help("add the closing `\"`");
                return Err(self.record(error));
            };
            match found {
                '"' => {
                    self.pos += 1;
                    return Ok(value);
                }
                '\\' => self.escape(&mut value),
                '\n' | '\r' => {
                    let error = PolicyError::new(
                        "string is not closed before the end of the line",
                        span(start, 1),
                        "this string never ends",
                    )
                    .with_help(
                        "add the closing `\"`; a line break inside a string is written `\\n`",
                    );
                    return Err(self.record(error));
                }
                _ if found.is_control() => {
                    let error = PolicyError::new(
                        "control character in a string",
                        span(self.pos, found.len_utf8()),
                        "not allowed unescaped",
                    )
                    .with_help("write it as a `\\u` escape");
                    self.record(error);
                    self.pos += found.len_utf8();
                }
                _ => {
                    value.push(found);
                    self.pos += found.len_utf8();
                }
            }
        }
    }

    /// Reads one escape sequence; a bad one is reported and skipped.
    fn escape(&mut self, value: &mut String) {
        let start = self.pos;
        self.pos += 1;
        let Some(kind) = self.peek() else {
            return;
        };
        self.pos += kind.len_utf8();
        let simple = match kind {
            '"' => Some('"'),
            '\\' => Some('\\'),
            '/' => Some('/'),
            'b' => Some('\u{8}'),
            'f' => Some('\u{c}'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            _ => None,
        };
        if let Some(simple) = simple {
            value.push(simple);
            return;
        }
        if kind == 'u' {
            let decoded = self.unicode_escape();
            value.push(decoded.unwrap_or(char::REPLACEMENT_CHARACTER));
            if decoded.is_none() {
                let error = PolicyError::new(
                    "invalid unicode escape",
                    span(start, self.pos - start),
                    "not a `\\u` escape of four hex digits",
                );
                self.record(error);
            }
            return;
        }
        let error = PolicyError::new(
            format!("invalid escape `\\{kind}`"),
            span(start, self.pos - start),
            "unknown escape",
        )
        .with_help(
            "valid escapes are `\\\"`, `\\\\`, `\\/`, `\\b`, `\\f`, `\\n`, `\\r`, `\\t` \
             and `\\u` with four hex digits",
        );
        self.record(error);
    }

    /// Reads the digits of a `\u` escape (the `\u` is consumed), joining surrogate pairs.
    fn unicode_escape(&mut self) -> Option<char> {
        let first = self.hex4()?;
        if !(0xD800..0xDC00).contains(&first) {
            return char::from_u32(first);
        }
        if self.text.get(self.pos..)?.starts_with("\\u") {
            self.pos += 2;
            let second = self.hex4()?;
            if (0xDC00..0xE000).contains(&second) {
                let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                return char::from_u32(combined);
            }
        }
        None
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.pos..self.pos + 4)?;
        if !digits.chars().all(|digit| digit.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 4;
        u32::from_str_radix(digits, 16).ok()
    }

    fn number(&mut self) -> Step<String> {
        let start = self.pos;
        let end = self.scan_number_end();
        let text = self.text.get(start..end).unwrap_or_default();
        self.pos = end;
        if is_json_number(text) {
            return Ok(text.to_owned());
        }
        let error = PolicyError::new(
            format!("invalid number `{text}`"),
            span(start, end - start),
            "not a JSON number",
        )
        .with_help("write the value in double quotes if it is text");
        Err(self.record(error))
    }

    fn scan_number_end(&self) -> usize {
        let rest = self.text.get(self.pos..).unwrap_or_default();
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.')))
            .unwrap_or(rest.len());
        self.pos + len
    }

    fn word(&mut self) -> Step<JsonKind> {
        let start = self.pos;
        let end = self.word_end();
        let word = self.text.get(start..end).unwrap_or_default();
        let kind = match word {
            "true" => JsonKind::Bool(true),
            "false" => JsonKind::Bool(false),
            "null" => JsonKind::Null,
            _ => {
                let error = PolicyError::new(
                    format!("unexpected word `{word}`"),
                    span(start, end - start),
                    "expected a JSON value",
                )
                .with_help(format!("text is written in double quotes: `\"{word}\"`"));
                return Err(self.record(error));
            }
        };
        self.pos = end;
        Ok(kind)
    }

    fn word_end(&self) -> usize {
        let rest = self.text.get(self.pos..).unwrap_or_default();
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | ':')))
            .unwrap_or(rest.len());
        self.pos + len
    }

    /// The end of an unquoted member name such as `Effect` in `{Effect: "Deny"}`.
    fn bare_name_end(&self) -> usize {
        let rest = self.text.get(self.pos..).unwrap_or_default();
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-')))
            .unwrap_or(rest.len());
        self.pos + len
    }

    fn trailing_comma(&mut self, comma: usize) {
        let error = PolicyError::new(
            "trailing comma",
            span(comma, 1),
            "nothing follows this comma",
        )
        .with_help("remove the comma; JSON does not allow one before a closing bracket");
        self.record(error);
    }

    fn missing_comma(&mut self, what: &str) {
        let error = PolicyError::new(
            format!("missing `,` between {what}"),
            span(self.pos, 1),
            "expected `,` before this",
        );
        self.record(error);
    }

    fn unexpected(&mut self, found: char, expected: &str) -> Stop {
        let error = PolicyError::new(
            format!("unexpected `{found}`"),
            span(self.pos, found.len_utf8()),
            expected,
        );
        self.record(error)
    }

    /// Reports the end of input inside open objects or arrays, pointing at each opener.
    fn end_of_input(&mut self) -> Stop {
        let end = self.text.len();
        let mut error = PolicyError::new(
            "unexpected end of input",
            span(end, 0),
            "the text ends here",
        );
        let mut closers = String::new();
        for open in self.open.iter().rev() {
            let Some(closer) = open.closer else {
                continue;
            };
            closers.push(closer);
            let opener = if closer == '}' { '{' } else { '[' };
            let at = SourceLocation::of_offset(self.text, open.offset);
            error = error.with_secondary(
                span(open.offset, 1),
                format!("this `{opener}` (line {}) is never closed", at.line),
            );
        }
        if !closers.is_empty() {
            error = error.with_help(format!("add `{closers}` to close what is still open"));
        }
        self.record(error)
    }

    fn record(&mut self, error: PolicyError) -> Stop {
        self.problems.push(error);
        Stop
    }

    fn peek(&self) -> Option<char> {
        self.text
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
    }

    /// Consumes `expected`, which the caller has just peeked.
    fn bump(&mut self, expected: char) {
        self.pos += expected.len_utf8();
    }

    fn skip_whitespace(&mut self) {
        let rest = self.text.get(self.pos..).unwrap_or_default();
        let trimmed = rest.trim_start_matches([' ', '\t', '\n', '\r']);
        self.pos += rest.len() - trimmed.len();
    }

    fn skip_leading_byte_order_mark(&mut self) {
        if self.pos == 0 && self.text.starts_with('\u{feff}') {
            self.pos = '\u{feff}'.len_utf8();
        }
    }
}

/// Whether `text` follows JSON's number grammar:
/// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
fn is_json_number(text: &str) -> bool {
    let rest = text.strip_prefix('-').unwrap_or(text);
    let (integer, rest) = split_digits(rest);
    if integer.is_empty() || (integer.len() > 1 && integer.starts_with('0')) {
        return false;
    }
    let rest = match rest.strip_prefix('.') {
        Some(fraction) => {
            let (digits, rest) = split_digits(fraction);
            if digits.is_empty() {
                return false;
            }
            rest
        }
        None => rest,
    };
    match rest.strip_prefix(['e', 'E']) {
        Some(exponent) => {
            let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            let (digits, rest) = split_digits(exponent);
            !digits.is_empty() && rest.is_empty()
        }
        None => rest.is_empty(),
    }
}

fn split_digits(text: &str) -> (&str, &str) {
    let len = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    text.split_at(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Json {
        let mut problems = Vec::new();
        let json = parse(text, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        json.unwrap()
    }

    fn parse_err(text: &str) -> Vec<PolicyError> {
        let mut problems = Vec::new();
        let _json = parse(text, &mut problems);
        assert!(!problems.is_empty());
        problems
    }

    #[test]
    fn keeps_spans_of_values_and_names() {
        let json = parse_ok(r#" {"a": [1, "x\n", true, null], "b": {}} "#);
        assert_eq!(json.span, span(1, 38));
        let JsonKind::Object(members) = &json.kind else {
            panic!("not an object")
        };
        assert_eq!(members[0].name_span, span(2, 3));
        assert_eq!(members[0].value.span, span(7, 22));
        let JsonKind::Array(items) = &members[0].value.kind else {
            panic!("not an array")
        };
        assert_eq!(items[1].kind, JsonKind::String("x\n".into()));
        assert_eq!(items[1].span, span(11, 5));
        assert_eq!(members[1].name, "b");
    }

    #[test]
    fn decodes_unicode_escapes_and_surrogate_pairs() {
        let json = parse_ok(r#""\u00e9\ud83d\ude00""#);
        assert_eq!(json.kind, JsonKind::String("é😀".into()));
    }

    #[test]
    fn reports_duplicate_members_with_both_places() {
        let problems = parse_err("{\"a\": 1,\n \"a\": 2}");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].message(), "duplicate member `a`");
        assert_eq!(problems[0].span(), span(10, 3));
        assert_eq!(problems[0].secondary_labels()[0].0, span(1, 3));
    }

    #[test]
    fn reports_several_recoverable_problems() {
        let problems = parse_err(r#"{"a": [1, 2,], "b": 1 "c": 2, "a": 3,}"#);
        let messages: Vec<_> = problems.iter().map(PolicyError::message).collect();
        assert_eq!(
            messages,
            [
                "trailing comma",
                "missing `,` between members",
                "duplicate member `a`",
                "trailing comma"
            ]
        );
    }

    #[test]
    fn end_of_input_points_at_every_unclosed_opener() {
        let problems = parse_err("{\"a\": [\n{\"b\": 1}");
        assert_eq!(problems[0].message(), "unexpected end of input");
        let labels = problems[0].secondary_labels();
        assert_eq!(
            labels[0],
            (span(6, 1), "this `[` (line 1) is never closed".into())
        );
        assert_eq!(
            labels[1],
            (span(0, 1), "this `{` (line 1) is never closed".into())
        );
        assert_eq!(
            problems[0].help(),
            Some("add `]}` to close what is still open")
        );
    }

    #[test]
    fn rejects_bad_numbers_words_and_strings() {
        assert_eq!(parse_err("01")[0].message(), "invalid number `01`");
        assert_eq!(parse_err("1.")[0].message(), "invalid number `1.`");
        assert_eq!(parse_err("True")[0].message(), "unexpected word `True`");
        assert_eq!(
            parse_err("{Effect: 1}")[0].message(),
            "member name `Effect` is not in double quotes"
        );
        assert_eq!(
            parse_err("\"abc\ndef\"")[0].message(),
            "string is not closed before the end of the line"
        );
        assert_eq!(parse_err(r#""\x""#)[0].message(), "invalid escape `\\x`");
        assert_eq!(parse_err("")[0].message(), "policy document is empty");
        assert_eq!(
            parse_err("{} {}")[0].message(),
            "unexpected `{` after the end of the document"
        );
    }

    #[test]
    fn accepts_json_numbers() {
        for number in ["0", "-0", "12", "1.5", "-1.5e10", "2E-3"] {
            assert!(is_json_number(number), "{number}");
        }
        for number in ["-", "1.", ".5", "1e", "+1", "0x1"] {
            assert!(!is_json_number(number), "{number}");
        }
    }

    #[test]
    fn limits_nesting() {
        let deep = "[".repeat(100);
        assert_eq!(parse_err(&deep)[0].message(), "JSON is nested too deeply");
    }
}
