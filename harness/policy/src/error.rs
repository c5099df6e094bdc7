//! Problems found in a policy document, each with its place in the source text, and the
//! pieces every reader of a text file shares: line and column counting, snippets whose headers
//! agree with it, and decoding a file's bytes as UTF-8 text.

use std::fmt;

use miette::{
    Diagnostic, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

/// A 1-based line and column (in characters) in a policy document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceLocation {
    /// The line, counting from 1.
    pub line: usize,
    /// The column in characters, counting from 1.
    pub column: usize,
}

impl SourceLocation {
    /// The location of byte `offset` in `text`.
    pub fn of_offset(text: &str, offset: usize) -> SourceLocation {
        let before = text.get(..offset).unwrap_or(text);
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        let line = before.matches('\n').count() + 1;
        let column = before
            .get(line_start..)
            .map_or(0, |rest| rest.chars().count())
            + 1;
        SourceLocation { line, column }
    }
}

/// The line and column of many offsets in one text, in time linear in the text overall: the
/// start of every line is found once, a line by binary search, and a column by counting the
/// characters from the line's start, or from the offset located before when it is on the same
/// line and not after the new one (so offsets located in order cost one pass over their lines).
#[derive(Debug, Clone)]
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    last: Option<(usize, SourceLocation)>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the lines of `text`.
    pub(crate) fn new(text: &'a str) -> Self {
        let newlines = text.match_indices('\n').map(|(newline, _)| newline + 1);
        LineIndex {
            text,
            line_starts: std::iter::once(0).chain(newlines).collect(),
            last: None,
        }
    }

    /// The location of byte `offset`, as [`SourceLocation::of_offset`] gives it: an offset past
    /// the end or inside a character is located at the end of the text.
    pub(crate) fn locate(&mut self, offset: usize) -> SourceLocation {
        let offset = if self.text.is_char_boundary(offset) {
            offset
        } else {
            self.text.len()
        };
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let line_start = self
            .line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0);
        let (from, column_before) = match self.last {
            Some((last, at)) if at.line == line && last <= offset => (last, at.column),
            _ => (line_start, 1),
        };
        let counted = self
            .text
            .get(from..offset)
            .map_or(0, |part| part.chars().count());
        let location = SourceLocation {
            line,
            column: column_before + counted,
        };
        self.last = Some((offset, location));
        location
    }
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// A named source text for miette's snippets whose headers count lines and columns as
/// [`SourceLocation`] does.
///
/// Miette's own sources count a column in bytes, so after a non-ASCII character a snippet's
/// `[file:line:column]` header would disagree with the `line:column` of the message above it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceText<T> {
    name: String,
    text: T,
    language: Option<String>,
}

impl<T: AsRef<str>> SourceText<T> {
    /// The text `text` of the file named `name`.
    pub fn new(name: impl Into<String>, text: T) -> Self {
        SourceText {
            name: name.into(),
            text,
            language: None,
        }
    }

    /// Names the language of the text, e.g. `TOML`, for highlighting.
    pub fn with_language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }

    /// The name of the text, e.g. its file name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The text itself.
    pub fn text(&self) -> &str {
        self.text.as_ref()
    }
}

impl<T: AsRef<str> + Send + Sync> SourceCode for SourceText<T> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = self.text.as_ref();
        let wants_context = context_lines_before > 0 || context_lines_after > 0;
        if let Some(window) = wants_context
            .then(|| long_line_window(text, span))
            .flatten()
        {
            return Ok(Box::new(self.contents(text, window, 1)));
        }
        let contents = text.read_span(span, context_lines_before, context_lines_after)?;
        let range = contents.span().offset()..contents.span().offset() + contents.span().len();
        // Long lines around the span are left out: they would bury the span's own lines.
        let snippet = text.get(range.clone()).unwrap_or_default();
        let long_context =
            wants_context && snippet.lines().any(|line| line.chars().count() > LONG_LINE);
        if long_context && let Some(own) = own_lines(text, span) {
            let lines = text.get(own.clone()).unwrap_or_default().lines().count();
            return Ok(Box::new(self.contents(text, own, lines.max(1))));
        }
        Ok(Box::new(self.contents(text, range, contents.line_count())))
    }
}

impl<T: AsRef<str>> SourceText<T> {
    /// The snippet of `range` of `text`, named and numbered as the file is.
    fn contents<'a>(
        &'a self,
        text: &'a str,
        range: std::ops::Range<usize>,
        line_count: usize,
    ) -> MietteSpanContents<'a> {
        // Miette numbers lines and columns from 0.
        let start = SourceLocation::of_offset(text, range.start);
        let data = text.get(range.clone()).unwrap_or_default().as_bytes();
        let mut named = MietteSpanContents::new_named(
            self.name.clone(),
            data,
            SourceSpan::from(range),
            start.line.saturating_sub(1),
            start.column.saturating_sub(1),
            line_count,
        );
        if let Some(language) = &self.language {
            named = named.with_language(language.clone());
        }
        named
    }
}

/// Lines longer than this many characters are cut to a window around the span in snippets, as
/// minified policies and decision vectors are one long line each.
const LONG_LINE: usize = 160;

/// How many characters a window shows on each side of its span.
const WINDOW_MARGIN: usize = 60;

/// The byte range of the whole lines that `span` covers.
fn own_lines(text: &str, span: &SourceSpan) -> Option<std::ops::Range<usize>> {
    let (start, end) = (span.offset(), span.offset() + span.len());
    let line_start = text
        .get(..start)?
        .rfind('\n')
        .map_or(0, |newline| newline + 1);
    let mut line_end = text
        .get(end..)?
        .find('\n')
        .map_or(text.len(), |newline| end + newline);
    // The `\r` of a CRLF line end is left out too: miette would count it as a line of its own.
    if line_end > end && text.get(..line_end)?.ends_with('\r') {
        line_end -= 1;
    }
    Some(line_start..line_end)
}

/// The byte range of a window of at most `WINDOW_MARGIN` characters on each side of `span`,
/// when the span lies on one line longer than `LONG_LINE` characters; `None` otherwise, when
/// whole lines are shown.
fn long_line_window(text: &str, span: &SourceSpan) -> Option<std::ops::Range<usize>> {
    let (start, end) = (span.offset(), span.offset() + span.len());
    let line = own_lines(text, span)?;
    let line_text = text.get(line.clone())?;
    if line_text.contains('\n') || line_text.chars().count() <= LONG_LINE {
        return None;
    }
    let (line_start, line_end) = (line.start, line.end);
    let before = text.get(line_start..start)?;
    let from = before
        .char_indices()
        .rev()
        .nth(WINDOW_MARGIN.saturating_sub(1))
        .map_or(line_start, |(at, _)| line_start + at);
    let after = text.get(end..line_end)?;
    let to = after
        .char_indices()
        .nth(WINDOW_MARGIN)
        .map_or(line_end, |(at, _)| end + at);
    Some(from..to)
}

/// A file whose bytes are not UTF-8 text, with the place of the first byte that is not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotUtf8 {
    byte: u8,
    offset: usize,
    location: SourceLocation,
    source: SourceText<String>,
}

/// Decodes `bytes`, the content of the file named `name`, as UTF-8 text.
pub fn decode_utf8(name: &str, bytes: Vec<u8>) -> Result<String, NotUtf8> {
    String::from_utf8(bytes).map_err(|error| {
        let bytes = error.as_bytes();
        let offset = error.utf8_error().valid_up_to();
        let valid = bytes
            .get(..offset)
            .and_then(|prefix| std::str::from_utf8(prefix).ok())
            .unwrap_or_default();
        let replaced = String::from_utf8_lossy(bytes).into_owned();
        NotUtf8 {
            byte: bytes.get(offset).copied().unwrap_or_default(),
            offset,
            location: SourceLocation::of_offset(valid, offset),
            source: SourceText::new(name, replaced),
        }
    })
}

impl NotUtf8 {
    /// The first byte that is not part of UTF-8 text.
    pub fn byte(&self) -> u8 {
        self.byte
    }

    /// The offset of that byte in the file, counting from 0.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The line and column of that byte; the column counts the characters before it.
    pub fn location(&self) -> SourceLocation {
        self.location
    }

    /// The name of the file.
    pub fn name(&self) -> &str {
        self.source.name()
    }

    /// The file's text with every invalid sequence replaced by U+FFFD, the replacement
    /// character; up to [`offset`](Self::offset) it is the file's bytes unchanged.
    pub fn replaced_text(&self) -> &str {
        self.source.text()
    }

    /// The span of the first replacement character in [`replaced_text`](Self::replaced_text).
    pub fn span(&self) -> SourceSpan {
        span(self.offset, char::REPLACEMENT_CHARACTER.len_utf8())
    }

    /// What is wrong, without the file's name, e.g. `not UTF-8 text: invalid byte 0xFF`.
    pub fn message(&self) -> String {
        format!(
            "not UTF-8 text: invalid byte 0x{byte:02X}",
            byte = self.byte
        )
    }
}

impl fmt::Display for NotUtf8 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{name}`: {message} at {location} (byte offset {offset})",
            name = self.name(),
            message = self.message(),
            location = self.location,
            offset = self.offset,
        )
    }
}

impl std::error::Error for NotUtf8 {}

impl Diagnostic for NotUtf8 {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("scpcheck::not_utf8"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("save the file as UTF-8 text"))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = LabeledSpan::new_primary_with_span(Some("not UTF-8".to_owned()), self.span());
        Some(Box::new(std::iter::once(label)))
    }
}

/// One problem in a source text (a policy document, a vector file): a message, the span it is
/// about, the text written under it, optional advice and further labelled places.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceProblem {
    message: String,
    span: SourceSpan,
    label: String,
    help: Option<String>,
    secondary: Vec<(SourceSpan, String)>,
    location: SourceLocation,
}

/// One problem in a policy document.
pub type PolicyError = SourceProblem;

impl SourceProblem {
    /// A problem about `span`, with `label` written under it; its location is set when it is
    /// collected with the text.
    pub(crate) fn new(
        message: impl Into<String>,
        span: SourceSpan,
        label: impl Into<String>,
    ) -> SourceProblem {
        SourceProblem {
            message: message.into(),
            span,
            label: label.into(),
            help: None,
            secondary: Vec::new(),
            location: SourceLocation { line: 0, column: 0 },
        }
    }

    /// Adds advice on how to fix the problem.
    pub(crate) fn with_help(mut self, help: impl Into<String>) -> SourceProblem {
        self.help = Some(help.into());
        self
    }

    /// Sets the location from the place of the span in the text `lines` indexes.
    pub(crate) fn located_with(mut self, lines: &mut LineIndex<'_>) -> SourceProblem {
        self.location = lines.locate(self.span.offset());
        self
    }

    /// Adds a second labelled place that explains the problem.
    pub(crate) fn with_secondary(mut self, span: SourceSpan, label: impl Into<String>) -> Self {
        self.secondary.push((span, label.into()));
        self
    }

    /// What is wrong, as one lowercase fragment.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The span of the source text the problem is about.
    pub fn span(&self) -> SourceSpan {
        self.span
    }

    /// The text written under the span.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Advice on how to fix the problem, if any.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// Further labelled places that explain the problem.
    pub fn secondary_labels(&self) -> &[(SourceSpan, String)] {
        &self.secondary
    }

    /// Where the span starts.
    pub fn location(&self) -> SourceLocation {
        self.location
    }
}

impl fmt::Display for SourceProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SourceProblem {}

impl Diagnostic for SourceProblem {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display + 'a>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = LabeledSpan::new_primary_with_span(Some(self.label.clone()), self.span);
        let secondary = self
            .secondary
            .iter()
            .map(|(span, label)| LabeledSpan::new_with_span(Some(label.clone()), *span));
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

/// Every problem found in one source text (a policy document, a vector file), with the text
/// for rendering them.
#[derive(Debug, Clone)]
pub struct SourceErrors {
    what: &'static str,
    source: SourceText<String>,
    errors: Vec<SourceProblem>,
}

/// Every problem found in one policy document.
pub type PolicyErrors = SourceErrors;

impl SourceErrors {
    /// Collects `errors` found in `text`, a `what` (e.g. `policy`), each located in the text
    /// and ordered by its place.
    pub(crate) fn collect(
        what: &'static str,
        source_name: &str,
        text: &str,
        errors: Vec<SourceProblem>,
    ) -> Self {
        let mut errors = errors;
        errors.sort_by_key(|error| error.span.offset());
        let mut lines = LineIndex::new(text);
        let errors = errors
            .into_iter()
            .map(|error| error.located_with(&mut lines))
            .collect();
        SourceErrors {
            what,
            source: SourceText::new(source_name, text.to_owned()),
            errors,
        }
    }

    /// The problems, in the order they appear in the text.
    pub fn errors(&self) -> &[SourceProblem] {
        &self.errors
    }

    /// The name of the text, e.g. its file name.
    pub fn source_name(&self) -> &str {
        self.source.name()
    }
}

impl fmt::Display for SourceErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, name) = (self.what, self.source.name());
        match self.errors.as_slice() {
            [only] => write!(f, "invalid {what} `{name}`: {only}"),
            errors => write!(f, "invalid {what} `{name}`: {} problems", errors.len()),
        }
    }
}

impl std::error::Error for SourceErrors {}

/// One problem is shown as the diagnostic itself, its message already in the header; several
/// are shown as related diagnostics, one snippet each.
impl Diagnostic for SourceErrors {
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        match self.errors.as_slice() {
            [only] => only.labels(),
            _ => None,
        }
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match self.errors.as_slice() {
            [only] => Diagnostic::help(only),
            _ => None,
        }
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.errors.len() < 2 {
            return None;
        }
        Some(Box::new(
            self.errors.iter().map(|error| error as &dyn Diagnostic),
        ))
    }
}

/// A span of `len` bytes starting at `offset`.
pub(crate) fn span(offset: usize, len: usize) -> SourceSpan {
    SourceSpan::new(offset.into(), len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_counts_lines_and_characters() {
        let text = "ab\ncdé\nfg";
        assert_eq!(
            SourceLocation::of_offset(text, 0),
            SourceLocation { line: 1, column: 1 }
        );
        assert_eq!(
            SourceLocation::of_offset(text, 3),
            SourceLocation { line: 2, column: 1 }
        );
        // The `é` is two bytes but one column.
        assert_eq!(
            SourceLocation::of_offset(text, 7),
            SourceLocation { line: 2, column: 4 }
        );
        assert_eq!(
            SourceLocation::of_offset(text, 8),
            SourceLocation { line: 3, column: 1 }
        );
    }

    #[test]
    fn line_index_agrees_with_locating_from_the_start_in_any_order() {
        let text = "ab\ncd\u{e9}\n\n\u{65e5}x\u{65e5}\r\ny";
        let offsets: Vec<usize> = (0..=text.len() + 2).collect();
        let backwards: Vec<usize> = offsets.iter().rev().copied().collect();
        let jumping = [9, 4, 12, 11, 0, 12, 7, 6, 15, 13];
        for order in [offsets.as_slice(), backwards.as_slice(), jumping.as_slice()] {
            let mut lines = LineIndex::new(text);
            for &offset in order {
                assert_eq!(
                    lines.locate(offset),
                    SourceLocation::of_offset(text, offset),
                    "offset {offset}"
                );
            }
        }
    }

    #[test]
    fn many_problems_on_one_long_line_are_located_in_characters() {
        let count = 50_000;
        let text = "\u{e9}x".repeat(count);
        let problems = (0..count)
            .rev()
            .map(|index| PolicyError::new("x", span(index * 3 + 2, 1), "here"))
            .collect();
        let errors = PolicyErrors::collect("policy", "p.json", &text, problems);

        let columns: Vec<usize> = errors
            .errors()
            .iter()
            .map(|e| e.location().column)
            .collect();
        let expected: Vec<usize> = (0..count).map(|index| index * 2 + 2).collect();
        assert_eq!(columns, expected);
        assert!(
            errors
                .errors()
                .iter()
                .all(|error| error.location().line == 1)
        );
    }

    /// The 1-based line and column a snippet of `span` starts at, as miette's headers show it.
    fn header_place(source: &dyn SourceCode, span: SourceSpan, context: usize) -> (usize, usize) {
        let contents = source.read_span(&span, context, context).unwrap();
        (contents.line() + 1, contents.column() + 1)
    }

    #[test]
    fn snippet_headers_count_columns_in_characters() {
        let text = "{\n  \"Sid\": \"é日本\", \"Effect\": 1\n}";
        let offset = text.find("1\n").unwrap();
        let source = SourceText::new("p.json", text.to_owned());

        let location = SourceLocation::of_offset(text, offset);
        assert_eq!(
            location,
            SourceLocation {
                line: 2,
                column: 27
            }
        );
        assert_eq!(header_place(&source, span(offset, 1), 0), (2, 27));
        // With context lines, a snippet starts at the start of a line.
        assert_eq!(header_place(&source, span(offset, 1), 1), (1, 1));
        // Miette's own count is in bytes: five more for `é日本`.
        assert_eq!(header_place(&text, span(offset, 1), 0), (2, 32));
    }

    #[test]
    fn policy_errors_render_with_the_location_of_their_message() {
        let text = "{\"Sid\": \"日本\", \"x\": 1}";
        let offset = text.find("\"x\"").unwrap();
        let error = PolicyError::new("unknown field `x`", span(offset, 3), "here");
        let errors = PolicyErrors::collect("policy", "p.json", text, vec![error]);

        let location = errors.errors()[0].location();
        assert_eq!(
            location,
            SourceLocation {
                line: 1,
                column: 15
            }
        );
        let source = errors.source_code().unwrap();
        assert_eq!(header_place(source, errors.errors()[0].span(), 0), (1, 15));
    }

    /// The text a snippet of `span` shows, with `context` lines asked for on each side.
    fn snippet(source: &dyn SourceCode, span: SourceSpan, context: usize) -> String {
        let contents = source.read_span(&span, context, context).unwrap();
        String::from_utf8(contents.data().to_vec()).unwrap()
    }

    #[test]
    fn a_span_on_a_long_line_shows_a_window_around_it() {
        let text = format!("{}\"Effect\": \"Dany\"{}", "é".repeat(400), "x".repeat(400));
        let offset = text.find("\"Dany\"").unwrap();
        let source = SourceText::new("v.jsonl", text.clone());

        let shown = snippet(&source, span(offset, 6), 2);
        assert_eq!(
            shown,
            format!("{}\"Effect\": \"Dany\"{}", "é".repeat(50), "x".repeat(60))
        );
        // The header names where the window starts, in characters.
        assert_eq!(header_place(&source, span(offset, 6), 2), (1, 351));
        // Without context lines miette shows the span alone, as for any line.
        assert_eq!(snippet(&source, span(offset, 6), 0), "\"Dany\"");
    }

    #[test]
    fn a_window_at_the_start_of_a_long_line_starts_with_the_line() {
        let text = format!("{{\"Bad\": 1, {}}}", "y".repeat(500));
        let source = SourceText::new("p.json", text.clone());

        let shown = snippet(&source, span(1, 5), 1);
        assert!(shown.starts_with("{\"Bad\": 1,"), "{shown}");
        assert_eq!(shown.chars().count(), 1 + 5 + 60);
        assert_eq!(header_place(&source, span(1, 5), 1), (1, 1));
    }

    #[test]
    fn long_lines_next_to_the_span_are_left_out() {
        let text = format!("{}\n\"Effect\": 1,\n{}\n", "a".repeat(300), "b".repeat(300));
        let offset = text.find('1').unwrap();
        let source = SourceText::new("p.json", text.clone());

        assert_eq!(snippet(&source, span(offset, 1), 1), "\"Effect\": 1,");
        assert_eq!(header_place(&source, span(offset, 1), 1), (2, 1));
        // Short neighbours stay.
        let short = "{\n\"Effect\": 1,\n}\n";
        let offset = short.find('1').unwrap();
        let source = SourceText::new("p.json", short.to_owned());
        assert_eq!(snippet(&source, span(offset, 1), 1), short);
    }

    #[test]
    fn crlf_lines_are_numbered_as_the_header_says() {
        use miette::{GraphicalReportHandler, GraphicalTheme};

        let long = "x".repeat(200);
        let text = format!("{{\r\n\"a\": 1,\r\n\"Sid\":\"a-b\",\r\n\"x\": \"{long}\"}}\r\n");
        let offset = text.find("\"a-b\"").unwrap();
        let source = SourceText::new("p.json", text.clone());
        assert_eq!(snippet(&source, span(offset, 5), 1), "\"Sid\":\"a-b\",");

        let error = PolicyError::new("bad sid", span(offset, 5), "here");
        let errors = PolicyErrors::collect("policy", "p.json", &text, vec![error]);
        let mut rendered = String::new();
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .render_report(&mut rendered, &errors)
            .unwrap();
        assert!(rendered.contains("[p.json:3:7]"), "{rendered}");
        assert!(rendered.contains(" 3 │ \"Sid\":\"a-b\","), "{rendered}");
    }

    #[test]
    fn a_window_renders_with_its_underline_under_the_span() {
        use miette::{GraphicalReportHandler, GraphicalTheme};

        let text = format!("{}\"Effect\": \"Dany\"{}", "a".repeat(300), "b".repeat(300));
        let offset = text.find("\"Dany\"").unwrap();
        let error = PolicyError::new(
            "`Effect` must be `Allow` or `Deny`",
            span(offset, 6),
            "here",
        );
        let errors = PolicyErrors::collect("vector", "v.jsonl", &text, vec![error]);
        let mut rendered = String::new();
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_width(400)
            .render_report(&mut rendered, &errors)
            .unwrap();

        assert!(rendered.contains("[v.jsonl:1:311]"), "{rendered}");
        assert!(!rendered.contains(&"a".repeat(61)), "{rendered}");
        let lines: Vec<&str> = rendered.lines().collect();
        let source_line = lines
            .iter()
            .position(|line| line.contains("\"Dany\""))
            .unwrap();
        let column = |line: &str, needle: &str| line[..line.find(needle).unwrap()].chars().count();
        let underline = lines[source_line + 1];
        assert_eq!(
            column(lines[source_line], "\"Dany\""),
            column(underline, "─"),
            "{rendered}"
        );
    }

    #[test]
    fn valid_utf8_decodes_unchanged() {
        assert_eq!(
            decode_utf8("a.json", "é日本\n".as_bytes().to_vec()),
            Ok("é日本\n".to_owned())
        );
    }

    #[test]
    fn invalid_utf8_names_the_file_line_column_and_offset() {
        let bytes = b"{\n  \"\xC3\xA9x\xFF\": 1\n}\n".to_vec();
        let problem = decode_utf8("dir/a.json", bytes).unwrap_err();

        assert_eq!(problem.byte(), 0xFF);
        assert_eq!(problem.offset(), 8);
        assert_eq!(problem.location(), SourceLocation { line: 2, column: 6 });
        assert_eq!(
            problem.to_string(),
            "`dir/a.json`: not UTF-8 text: invalid byte 0xFF at line 2, column 6 \
             (byte offset 8)"
        );
        assert_eq!(problem.replaced_text(), "{\n  \"éx\u{FFFD}\": 1\n}\n");
        assert_eq!(
            problem.replaced_text().get(problem.span().offset()..),
            Some("\u{FFFD}\": 1\n}\n")
        );
        assert_eq!(
            problem.help().map(|help| help.to_string()),
            Some("save the file as UTF-8 text".to_owned())
        );
        let source = problem.source_code().unwrap();
        assert_eq!(header_place(source, problem.span(), 0), (2, 6));
    }

    #[test]
    fn a_character_cut_off_at_the_end_is_reported_at_its_first_byte() {
        let problem = decode_utf8("a.json", b"ab\n\xE6\x97".to_vec()).unwrap_err();
        assert_eq!(problem.byte(), 0xE6);
        assert_eq!(problem.offset(), 3);
        assert_eq!(problem.location(), SourceLocation { line: 2, column: 1 });
    }
}
