//! A small JSON parser that keeps the byte span of every value and member name.
//!
//! Policy errors must point at the exact place in the document, duplicate member names must
//! be reported (a general-purpose parser silently keeps one of them), and every syntax error
//! of a document should be reported at once, so policies are read with this parser rather than
//! with `serde_json`.

use miette::SourceSpan;

use crate::error::{PolicyError, SourceLocation, span};

/// Deepest nesting accepted; policies are shallow, and the limit keeps recursion bounded.
const MAX_DEPTH: usize = 64;

/// A JSON value and the span of its text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Json {
    pub(crate) kind: JsonKind,
    pub(crate) span: SourceSpan,
    damage: Damage,
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

/// What a syntax error, reported already, cost a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Damage {
    /// Read in full.
    Intact,
    /// An object or array that lost members or items to a syntax error inside it, or that the
    /// input ended in; what could be read is kept.
    Incomplete,
    /// Not read at all; the kind is a placeholder.
    Unreadable,
}

impl Json {
    /// How the value is described in messages, e.g. `a string`.
    pub(crate) fn kind_name(&self) -> &'static str {
        if self.is_unreadable() {
            return "a value that could not be read";
        }
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

    /// Whether the value could not be read: its syntax error is reported already, so nothing
    /// more should be said about it, and its kind is a placeholder.
    pub(crate) fn is_unreadable(&self) -> bool {
        self.damage == Damage::Unreadable
    }

    /// Whether the value was read in full: an object or array that lost a member or an item to
    /// a syntax error, or that the input ended in, is not, so a member or item missing from it
    /// may be in the text.
    pub(crate) fn is_whole(&self) -> bool {
        self.damage == Damage::Intact
    }
}

/// Parses `text`, appending every problem found to `problems`.
///
/// Returns the document only when it was read as written: a missing or trailing comma, a
/// duplicate member name (the later member is dropped) and a bad escape or control character
/// in a string are reported and leave the tree usable; after any other syntax error the
/// problems are still all reported, but no tree is returned.
pub(crate) fn parse(text: &str, problems: &mut Vec<PolicyError>) -> Option<Json> {
    let mut parser = Parser::new(text, problems);
    let document = parser.document();
    document.filter(|_| !parser.guessed)
}

/// Parses `text` as [`parse`] does, but returns the tree read past any syntax error: a value
/// that could not be read is [unreadable](Json::is_unreadable), and an object or array that
/// lost members or items is not [whole](Json::is_whole), so that a reader of the tree can avoid
/// reporting the same error a second time.
///
/// Returns `None` when no tree could be read: an empty document, a first value that could not
/// be read, or members written without an enclosing object.
// Limitation: after a syntax error inside an object or array, reading resumes at the next `,`
// or closing bracket that is outside of the brackets and double-quoted strings met on the way,
// or at the end of a line whose quotes do not pair up; the text skipped is not checked. A
// member whose name cannot be read, or whose name is not followed by `:`, is lost (a name
// without quotes or in single quotes is read when a `:` follows it). A problem right after
// another, such as a stray `]` just after `tru`, is not reported, as it may follow from the
// first. A `}` or `]` where a value should be is taken as stray when a value follows it, and
// otherwise as closing its object or array with the value missing; after a value, a closing
// bracket of the wrong kind is skipped as stray, so a `}` missing before a `]` is reported as
// that stray `]` and then as an unexpected end of input. `"name": value` pairs among the items
// of an array are taken as the members of an object that a stray `}` closed too early: the
// first is reported, and none is checked. A string left open inside a line is closed by the
// quote meant to open the next string, so the rest of that line is misread, and the problems
// reported there may be wrong. Reading stops, without reporting the end of the input again, at
// a string or a `/*` comment not closed before the end of the input, at a string not closed
// before the end of its line when only whitespace follows, and at nesting deeper than 64
// levels that is never closed. Members written without an enclosing object are checked for
// syntax errors only, and nothing after a first value that cannot be read (as in `tru {...}`)
// is checked.
pub(crate) fn parse_with_recovery(text: &str, problems: &mut Vec<PolicyError>) -> Option<Json> {
    Parser::new(text, problems).document()
}

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
    /// Whether a syntax error had to be read past by guessing, so the tree may differ from
    /// what the author meant.
    guessed: bool,
    /// Whether the end of the input is reported already, or explained by an earlier problem
    /// (a string or comment left open up to it, nesting too deep never closed), so that it is
    /// not reported again.
    end_explained: bool,
}

/// The advice for an empty document: the smallest policy the parser accepts, since
/// `Statement` needs at least one statement.
const EMPTY_DOCUMENT_HELP: &str = "a policy is a JSON object such as `{\"Version\": \
     \"2012-10-17\", \"Statement\": [{\"Effect\": \"Deny\", \"Action\": \"s3:DeleteBucket\", \
     \"Resource\": \"*\"}]}`";

impl<'a> Parser<'a> {
    fn new(text: &'a str, problems: &'a mut Vec<PolicyError>) -> Self {
        Parser {
            text,
            pos: 0,
            problems,
            open: Vec::new(),
            guessed: false,
            end_explained: false,
        }
    }

    fn document(&mut self) -> Option<Json> {
        self.skip_leading_byte_order_mark();
        let reported = self.problems.len();
        self.skip_blank();
        if self.peek().is_none() {
            // A document of comments alone has had them reported; that it is empty follows.
            if self.problems.len() > reported {
                return None;
            }
            let error = PolicyError::new("policy document is empty", span(0, 0), "no JSON here")
                .with_help(EMPTY_DOCUMENT_HELP);
            self.record(error);
            return None;
        }
        if self.looks_like_bare_members() {
            self.bare_members();
            return None;
        }

        let value = self.value(0);
        if value.is_unreadable() {
            return None;
        }
        self.skip_blank();
        if let Some(found) = self.peek() {
            let error = PolicyError::new(
                format!("unexpected `{found}` after the end of the document"),
                span(self.pos, found.len_utf8()),
                "expected the end of the input",
            )
            .with_secondary(value.start_span(), "the document starts here");
            self.record(error);
            self.guessed = true;
        }
        Some(value)
    }

    /// Whether the text starts with `"name":`, i.e. object members without their braces.
    fn looks_like_bare_members(&self) -> bool {
        let mut ignored = Vec::new();
        let mut probe = Parser::new(self.text, &mut ignored);
        probe.pos = self.pos;
        if probe.peek() != Some('"') || probe.string().is_none() {
            return false;
        }
        probe.skip_whitespace();
        probe.peek() == Some(':')
    }

    /// Reports members written without an enclosing object, then reads on to find more problems.
    fn bare_members(&mut self) {
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
    }

    /// Reads one value; one that cannot be read is reported, skipped up to the next `,` or
    /// closing bracket, and returned as unreadable. At the end of the input the value is
    /// unreadable and nothing is reported: the object or array around it reports the end.
    fn value(&mut self, depth: usize) -> Json {
        self.skip_blank();
        let start = self.pos;
        let (kind, damage) = match self.peek() {
            None => (JsonKind::Null, Damage::Unreadable),
            Some('{' | '[') if depth > MAX_DEPTH => self.too_deep(),
            Some('{') => self.object(depth),
            Some('[') => self.array(depth),
            Some('"') => readable(self.string().map(JsonKind::String)),
            Some('\'') => match self.single_quoted() {
                Some(_) => (JsonKind::Null, Damage::Unreadable),
                None => self.not_a_value('\''),
            },
            Some('-' | '0'..='9') => readable(self.number()),
            Some(first) if first.is_alphabetic() => readable(self.word()),
            Some(closer @ ('}' | ']')) if self.value_follows_next() => {
                // A stray bracket before the value, as in `"Condition": }{...}`, rather than a
                // missing value that the bracket closes the object or array after.
                self.unexpected(closer, "expected a JSON value");
                self.pos += 1;
                return self.value(depth);
            }
            Some(first) => self.not_a_value(first),
        };
        self.finish(start, kind, damage)
    }

    /// Whether a string, an object, an array or a number starts after the next character.
    fn value_follows_next(&self) -> bool {
        let mut after = self.rest().chars();
        after.next();
        let next = after
            .as_str()
            .trim_start_matches([' ', '\t', '\n', '\r'])
            .chars()
            .next();
        matches!(next, Some('"' | '{' | '[' | '-' | '0'..='9'))
    }

    /// The value read from `start` up to here; an unreadable one does not include the
    /// whitespace skipped after it.
    fn finish(&mut self, start: usize, kind: JsonKind, damage: Damage) -> Json {
        let mut end = self.pos;
        if damage != Damage::Intact {
            self.guessed = true;
        }
        if damage == Damage::Unreadable {
            let text = self.text.get(start..end).unwrap_or_default();
            end = start + text.trim_end().len();
        }
        Json {
            kind,
            span: span(start, end - start),
            damage,
        }
    }

    /// Reports `first`, which cannot start a value, and skips what follows it up to the next
    /// `,` or closing bracket; a `,` or closing bracket itself is left for the caller.
    fn not_a_value(&mut self, first: char) -> (JsonKind, Damage) {
        self.unexpected(first, "expected a JSON value");
        self.skip_to_delimiter();
        (JsonKind::Null, Damage::Unreadable)
    }

    /// Reports an object or array nested too deeply and skips it; when it is never closed,
    /// nothing after it can be read.
    fn too_deep(&mut self) -> (JsonKind, Damage) {
        let error = PolicyError::new(
            "JSON is nested too deeply",
            span(self.pos, 1),
            format!("more than {MAX_DEPTH} levels"),
        );
        self.record(error);
        self.skip_to_delimiter();
        if self.peek().is_none() {
            self.end_explained = true;
        }
        (JsonKind::Null, Damage::Unreadable)
    }

    fn object(&mut self, depth: usize) -> (JsonKind, Damage) {
        let offset = self.pos;
        self.bump('{');
        self.open.push(Open {
            closer: Some('}'),
            offset,
        });
        let (members, damage) = self.members(Some('}'), depth);
        self.open.pop();
        (JsonKind::Object(members), damage)
    }

    /// Reads members up to `closer` (consumed), or to the end of input when there is none.
    ///
    /// After a syntax error, reading goes on at the next `,` or closing bracket; `quiet` then
    /// holds back the problems that follow from the one just reported, such as a missing `,`
    /// after a string that is not closed.
    fn members(&mut self, closer: Option<char>, depth: usize) -> (Vec<Member>, Damage) {
        let mut members: Vec<Member> = Vec::new();
        let mut damage = Damage::Intact;
        let mut quiet = false;
        let mut comma = None;
        loop {
            self.skip_blank();
            match self.peek() {
                None if closer.is_none() => return (members, damage),
                None => return (members, self.cut_short()),
                Some(found) if Some(found) == closer => {
                    self.close(comma, quiet);
                    return (members, damage);
                }
                Some(',') => {
                    self.extra_comma("expected a member name", quiet);
                    quiet = true;
                    comma = Some(self.pos - 1);
                    continue;
                }
                Some(_) => {}
            }
            match self.member(depth, quiet) {
                Some(member) => {
                    quiet = member.value.is_unreadable();
                    self.add_member(&mut members, member);
                }
                None => {
                    quiet = true;
                    damage = Damage::Incomplete;
                    // What follows a name that cannot be read is no member name, unless the name
                    // was a string left open, which ends at its line break.
                    if !self.rest().starts_with(['\n', '\r']) {
                        self.skip_to_delimiter();
                    }
                }
            }

            loop {
                self.skip_blank();
                match self.peek() {
                    None if closer.is_none() => return (members, damage),
                    None => return (members, self.cut_short()),
                    Some(',') => {
                        comma = Some(self.pos);
                        self.pos += 1;
                        quiet = false;
                        break;
                    }
                    Some(found) if Some(found) == closer => {
                        self.pos += 1;
                        return (members, damage);
                    }
                    Some('"') => {
                        if !quiet {
                            self.missing_comma("members");
                        }
                        comma = None;
                        break;
                    }
                    Some(found) => {
                        let expected = match closer {
                            Some(closer) => format!("expected `,` or `{closer}`"),
                            None => "expected `,`".to_owned(),
                        };
                        if self.skip_after_error(found, &expected, quiet) {
                            damage = Damage::Incomplete;
                        }
                        quiet = true;
                    }
                }
            }
        }
    }

    /// Reads one `"name": value` member; `None` when its name cannot be read, which is
    /// reported, when no `:` follows it, which is reported unless `quiet`, or when the input
    /// ends, which the caller reports.
    ///
    /// A name without its `:` is most often a string ended early by a stray quote, as in
    /// `"Sid: "A"`, so the member is dropped and reading goes on at the next `,` or closing
    /// bracket, or at the end of the line.
    fn member(&mut self, depth: usize, quiet: bool) -> Option<Member> {
        let name_start = self.pos;
        let name = self.member_name()?;
        let name_span = span(name_start, self.pos - name_start);

        self.skip_blank();
        match self.peek() {
            Some(':') => self.pos += 1,
            Some(found) => {
                if !quiet {
                    let expected = format!("expected `:` after `{name}`");
                    self.unexpected(found, &expected);
                }
                self.guessed = true;
                self.skip_to_delimiter();
                return None;
            }
            None => return None,
        }
        let value = self.value(depth + 1);
        Some(Member {
            name,
            name_span,
            value,
        })
    }

    /// Reads the name of a member; `None` when there is none, which is reported unless the
    /// input ends.
    fn member_name(&mut self) -> Option<String> {
        match self.peek()? {
            '"' => self.string(),
            '\'' => {
                let name = self.single_quoted();
                if name.is_none() {
                    self.unexpected('\'', "expected a member name");
                }
                name
            }
            first if first.is_alphabetic() => self.bare_name(),
            found => {
                self.unexpected(found, "expected a member name");
                None
            }
        }
    }

    /// Reads and reports a member name without quotes, such as `Effect` in `{Effect: "Deny"}`;
    /// the name is kept when a `:` follows, as it then surely is a member name.
    fn bare_name(&mut self) -> Option<String> {
        let start = self.pos;
        let end = self.bare_name_end();
        let word = self.text.get(start..end).unwrap_or_default().to_owned();
        let error = PolicyError::new(
            format!("member name `{word}` is not in double quotes"),
            span(start, end - start),
            "expected a string",
        )
        .with_help(format!("write it as `\"{word}\"`"));
        self.record(error);
        self.guessed = true;
        self.pos = end;

        self.skip_blank();
        (self.peek() == Some(':')).then_some(word)
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

    fn array(&mut self, depth: usize) -> (JsonKind, Damage) {
        let offset = self.pos;
        self.bump('[');
        self.open.push(Open {
            closer: Some(']'),
            offset,
        });
        let (items, damage) = self.items(depth);
        self.open.pop();
        (JsonKind::Array(items), damage)
    }

    /// Reads the items of an array up to its `]` (consumed), recovering from syntax errors as
    /// [`members`](Self::members) does.
    ///
    /// A string followed by `:` is a member name, not an item: most often the object before it
    /// was closed too early by a stray `}`, and the rest of its members follow. The first one
    /// is reported and that object marked incomplete; the names are dropped, and the `}` that
    /// was meant to close the object is skipped without a word.
    fn items(&mut self, depth: usize) -> (Vec<Json>, Damage) {
        let mut items: Vec<Json> = Vec::new();
        let mut damage = Damage::Intact;
        let mut quiet = false;
        let mut comma = None;
        let mut misplaced_members = false;
        loop {
            self.skip_blank();
            match self.peek() {
                None => return (items, self.cut_short()),
                Some(']') => {
                    self.close(comma, quiet);
                    return (items, damage);
                }
                Some(',') => {
                    self.extra_comma("expected a JSON value", quiet);
                    quiet = true;
                    comma = Some(self.pos - 1);
                    continue;
                }
                Some(_) => {}
            }
            let item = self.value(depth + 1);
            quiet = item.is_unreadable();
            items.push(item);

            loop {
                self.skip_blank();
                match self.peek() {
                    None => return (items, self.cut_short()),
                    Some(',') => {
                        comma = Some(self.pos);
                        self.pos += 1;
                        quiet = false;
                        break;
                    }
                    Some(']') => {
                        self.pos += 1;
                        return (items, damage);
                    }
                    Some('"' | '{' | '[') => {
                        if !quiet {
                            self.missing_comma("items");
                        }
                        comma = None;
                        break;
                    }
                    Some(':') if items.last().is_some_and(is_name) => {
                        let name = items.pop().map(|name| name.kind);
                        if let Some(JsonKind::String(name)) = name
                            && !quiet
                            && !misplaced_members
                        {
                            self.misplaced_member(&name);
                        }
                        if !misplaced_members
                            && let Some(closed_early) = items.last_mut()
                            && matches!(closed_early.kind, JsonKind::Object(_))
                        {
                            closed_early.damage = Damage::Incomplete;
                        }
                        misplaced_members = true;
                        self.guessed = true;
                        self.skip_to_delimiter();
                        damage = Damage::Incomplete;
                        quiet = true;
                    }
                    Some('}') if misplaced_members => {
                        self.pos += 1;
                        quiet = true;
                    }
                    Some(found) => {
                        if self.skip_after_error(found, "expected `,` or `]`", quiet) {
                            damage = Damage::Incomplete;
                        }
                        quiet = true;
                    }
                }
            }
        }
    }

    /// Consumes the closing bracket of an object or array, reporting the `comma` before it
    /// unless an error just reported explains it.
    fn close(&mut self, comma: Option<usize>, quiet: bool) {
        if let Some(comma) = comma
            && !quiet
        {
            self.trailing_comma(comma);
        }
        self.pos += 1;
    }

    /// Consumes a `,` where a member or item should be, reporting it unless `quiet`.
    fn extra_comma(&mut self, expected: &str, quiet: bool) {
        if !quiet {
            self.unexpected(',', expected);
        }
        self.pos += 1;
    }

    /// Reports `found` where a `,` or the closing bracket should be (unless `quiet`: an error
    /// was just reported), then goes past it: a closing bracket of the other kind is skipped as
    /// a stray character, anything else up to the next `,` or closing bracket. Returns whether
    /// text that may hold members or items was skipped.
    fn skip_after_error(&mut self, found: char, expected: &str, quiet: bool) -> bool {
        if !quiet {
            self.unexpected(found, expected);
        }
        if matches!(found, '}' | ']') {
            self.pos += 1;
            return false;
        }
        self.skip_to_delimiter();
        true
    }

    /// Moves to the next `,`, `}` or `]` that is outside of brackets and double-quoted strings
    /// opened on the way, or to the end of the input. A string opened on the way ends at the end
    /// of its line, so that a stray quote does not hide the rest of the document; outside of
    /// brackets, the skipping stops there, since the quotes of the line did not pair up and the
    /// `,` that ended it may have been read as part of a string.
    fn skip_to_delimiter(&mut self) {
        let bytes = self.text.as_bytes();
        let mut depth = 0_usize;
        let mut in_string = false;
        let mut escaped = false;
        while let Some(&byte) = bytes.get(self.pos) {
            if in_string {
                match byte {
                    b'\n' | b'\r' if depth == 0 => return,
                    b'\n' | b'\r' => in_string = false,
                    _ if escaped => escaped = false,
                    b'\\' => escaped = true,
                    b'"' => in_string = false,
                    _ => {}
                }
            } else {
                match byte {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b',' | b'}' | b']' if depth == 0 => return,
                    b'}' | b']' => depth -= 1,
                    _ => {}
                }
            }
            // The bytes looked for are ASCII, never part of a longer UTF-8 character.
            self.pos += 1;
        }
    }

    /// Reads a string; `None` when it is not closed, which is reported.
    fn string(&mut self) -> Option<String> {
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
                self.record(error);
                self.end_explained = true;
                return None;
            };
            match found {
                '"' => {
                    self.pos += 1;
                    return Some(value);
                }
                '\\' => self.escape(&mut value),
                '\n' | '\r' => {
                    self.string_ends_at_line_break(start);
                    return None;
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

    /// Reports the string opened at `start` that reaches the end of its line; reading goes on
    /// after the line break as if the string had been closed.
    fn string_ends_at_line_break(&mut self, start: usize) {
        let error = PolicyError::new(
            "string is not closed before the end of the line",
            span(start, 1),
            "this string never ends",
        )
        .with_help("add the closing `\"`; a line break inside a string is written `\\n`");
        self.record(error);
        // Only whitespace after it: the open string is why the input ends too early.
        if self.rest().trim_start().is_empty() {
            self.end_explained = true;
        }
    }

    /// Reads and reports text in single quotes, such as `'Deny'`; `None`, with nothing
    /// reported or consumed, when no closing quote follows on the same line.
    fn single_quoted(&mut self) -> Option<String> {
        let start = self.pos;
        let inner_start = start + '\''.len_utf8();
        let rest = self.text.get(inner_start..)?;
        let close = rest.find(['\'', '\n', '\r'])?;
        if !rest.get(close..)?.starts_with('\'') {
            return None;
        }
        let inner = rest.get(..close)?.to_owned();
        self.pos = inner_start + close + 1;
        let error = PolicyError::new(
            "string in single quotes",
            span(start, self.pos - start),
            "not a JSON string",
        )
        .with_help(format!("JSON strings are in double quotes: `\"{inner}\"`"));
        self.record(error);
        self.guessed = true;
        Some(inner)
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
            value.push(*decoded.as_ref().unwrap_or(&char::REPLACEMENT_CHARACTER));
            if let Err(problem) = decoded {
                let error = PolicyError::new(
                    "invalid unicode escape",
                    span(start, self.pos - start),
                    problem,
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
    /// Reads the four hex digits of a `\\u` escape, and the low surrogate's escape after a high
    /// one (RFC 8259, section 7: a character outside the Basic Multilingual Plane is written as
    /// a surrogate pair); the error is the label of what is wrong.
    fn unicode_escape(&mut self) -> Result<char, &'static str> {
        const NOT_HEX: &str = "not a `\\u` escape of four hex digits";
        let first = self.hex4().ok_or(NOT_HEX)?;
        if (0xDC00..0xE000).contains(&first) {
            return Err("a low surrogate without the high surrogate before it");
        }
        if !(0xD800..0xDC00).contains(&first) {
            return char::from_u32(first).ok_or(NOT_HEX);
        }
        let lone_high = "a high surrogate without a `\\u` low surrogate after it";
        if !self
            .text
            .get(self.pos..)
            .unwrap_or_default()
            .starts_with("\\u")
        {
            return Err(lone_high);
        }
        self.pos += 2;
        let second = self.hex4().ok_or(NOT_HEX)?;
        if !(0xDC00..0xE000).contains(&second) {
            return Err(lone_high);
        }
        let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
        char::from_u32(combined).ok_or(NOT_HEX)
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.pos..self.pos + 4)?;
        if !digits.chars().all(|digit| digit.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 4;
        u32::from_str_radix(digits, 16).ok()
    }

    /// Reads a number; `None` when the text there is not one, which is reported and skipped.
    fn number(&mut self) -> Option<JsonKind> {
        let start = self.pos;
        let end = self.scan_number_end();
        let text = self.text.get(start..end).unwrap_or_default();
        self.pos = end;
        if is_json_number(text) {
            return Some(JsonKind::Number(text.to_owned()));
        }
        let error = PolicyError::new(
            format!("invalid number `{text}`"),
            span(start, end - start),
            "not a JSON number",
        )
        .with_help("write the value in double quotes if it is text");
        self.record(error);
        None
    }

    fn scan_number_end(&self) -> usize {
        let rest = self.rest();
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.')))
            .unwrap_or(rest.len());
        self.pos + len
    }

    /// Reads `true`, `false` or `null`; `None` for any other word, which is reported and
    /// skipped.
    fn word(&mut self) -> Option<JsonKind> {
        let start = self.pos;
        let end = self.word_end();
        let word = self.text.get(start..end).unwrap_or_default();
        self.pos = end;
        match word {
            "true" => Some(JsonKind::Bool(true)),
            "false" => Some(JsonKind::Bool(false)),
            "null" => Some(JsonKind::Null),
            _ => {
                let error = PolicyError::new(
                    format!("unexpected word `{word}`"),
                    span(start, end - start),
                    "expected a JSON value",
                )
                .with_help(format!("text is written in double quotes: `\"{word}\"`"));
                self.record(error);
                None
            }
        }
    }

    fn word_end(&self) -> usize {
        let rest = self.rest();
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | ':')))
            .unwrap_or(rest.len());
        self.pos + len
    }

    /// The end of an unquoted member name such as `Effect` in `{Effect: "Deny"}`.
    fn bare_name_end(&self) -> usize {
        let rest = self.rest();
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-')))
            .unwrap_or(rest.len());
        self.pos + len
    }

    /// Reports the `:` after `name`, an item of an array that looks like a member name.
    fn misplaced_member(&mut self, name: &str) {
        let error = PolicyError::new("unexpected `:`", span(self.pos, 1), "expected `,` or `]`")
            .with_help(format!(
                "`{name}` looks like a member of an object closed too early: look for a stray \
                 `}}` before it"
            ));
        self.record(error);
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
        let next = self.peek().map_or(0, char::len_utf8);
        let error = PolicyError::new(
            format!("missing `,` between {what}"),
            span(self.pos, next),
            "expected `,` before this",
        );
        self.record(error);
    }

    /// Reports `found` at the current place, where `expected` was; reading goes on by guessing.
    fn unexpected(&mut self, found: char, expected: &str) {
        let error = PolicyError::new(
            format!("unexpected `{found}`"),
            span(self.pos, found.len_utf8()),
            expected,
        );
        self.record(error);
        self.guessed = true;
    }

    /// Reports the end of the input inside an object or array, once, and marks what is being
    /// read as incomplete.
    fn cut_short(&mut self) -> Damage {
        self.end_of_input();
        Damage::Incomplete
    }

    /// Reports the end of input inside open objects or arrays, pointing at each opener, unless
    /// an earlier problem explains it.
    ///
    /// The end itself has no character to underline, and miette draws no label of length zero,
    /// so the label goes under the last character that is not whitespace.
    fn end_of_input(&mut self) {
        if self.end_explained {
            return;
        }
        self.end_explained = true;
        let blank = [' ', '\t', '\n', '\r'];
        let before_end = self.text.trim_end_matches(blank);
        let last = before_end.chars().next_back().map_or(0, char::len_utf8);
        let mut error = PolicyError::new(
            "unexpected end of input",
            span(before_end.len() - last, last),
            "the text ends after this",
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
        self.record(error);
    }

    fn record(&mut self, error: PolicyError) {
        self.problems.push(error);
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or_default()
    }

    /// Consumes `expected`, which the caller has just peeked.
    fn bump(&mut self, expected: char) {
        self.pos += expected.len_utf8();
    }

    fn skip_whitespace(&mut self) {
        let rest = self.rest();
        let trimmed = rest.trim_start_matches([' ', '\t', '\n', '\r']);
        self.pos += rest.len() - trimmed.len();
    }

    /// Skips whitespace and comments; each comment is reported, since JSON has none.
    fn skip_blank(&mut self) {
        loop {
            self.skip_whitespace();
            let rest = self.rest();
            let (error, len) = if rest.starts_with("//") {
                let len = rest.find(['\n', '\r']).unwrap_or(rest.len());
                (comment_error(span(self.pos, len)), len)
            } else if rest.starts_with("/*") {
                match rest.get(2..).and_then(|body| body.find("*/")) {
                    Some(body_len) => (comment_error(span(self.pos, body_len + 4)), body_len + 4),
                    None => {
                        self.end_explained = true;
                        (unclosed_comment_error(span(self.pos, 2)), rest.len())
                    }
                }
            } else {
                return;
            };
            self.pos += len;
            self.record(error);
            self.guessed = true;
        }
    }

    fn skip_leading_byte_order_mark(&mut self) {
        if self.pos == 0 && self.text.starts_with('\u{feff}') {
            self.pos = '\u{feff}'.len_utf8();
        }
    }
}

/// The kind and damage of a value that is read whole, or not at all (`None`).
fn readable(kind: Option<JsonKind>) -> (JsonKind, Damage) {
    match kind {
        Some(kind) => (kind, Damage::Intact),
        None => (JsonKind::Null, Damage::Unreadable),
    }
}

/// Whether `item` is a string that can be the name of a member.
fn is_name(item: &Json) -> bool {
    item.is_whole() && matches!(item.kind, JsonKind::String(_))
}

fn comment_error(comment: SourceSpan) -> PolicyError {
    PolicyError::new("comment in JSON", comment, "JSON has no comments")
        .with_help("remove the comment; a statement's `Sid` can say what the statement is for")
}

fn unclosed_comment_error(opener: SourceSpan) -> PolicyError {
    PolicyError::new("comment is not closed", opener, "this comment never ends")
        .with_help("remove the comment: JSON has no comments")
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
mod tests;
