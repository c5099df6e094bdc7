//! Problems found in a policy document, each with its place in the source text.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceSpan};

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

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// One problem in a policy document: a message, the span it is about, and optional advice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    message: String,
    span: SourceSpan,
    label: String,
    help: Option<String>,
    secondary: Vec<(SourceSpan, String)>,
    location: SourceLocation,
}

impl PolicyError {
    /// A problem about `span`, with `label` written under it.
    pub(crate) fn new(
        message: impl Into<String>,
        span: SourceSpan,
        label: impl Into<String>,
    ) -> PolicyError {
        PolicyError {
            message: message.into(),
            span,
            label: label.into(),
            help: None,
            secondary: Vec::new(),
            location: SourceLocation { line: 0, column: 0 },
        }
    }

    /// Adds advice on how to fix the problem.
    pub(crate) fn with_help(mut self, help: impl Into<String>) -> PolicyError {
        self.help = Some(help.into());
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

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PolicyError {}

impl Diagnostic for PolicyError {
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
pub struct SourceErrors<E> {
    what: &'static str,
    source: NamedSource<String>,
    errors: Vec<E>,
}

/// Every problem found in one policy document.
pub type PolicyErrors = SourceErrors<PolicyError>;

impl<E> SourceErrors<E> {
    /// Collects `errors` found in `text`, a `what` (e.g. `policy`), ordered by `place`.
    pub(crate) fn collect(
        what: &'static str,
        source_name: &str,
        text: &str,
        mut errors: Vec<E>,
        place: impl Fn(&E) -> usize,
    ) -> Self {
        errors.sort_by_key(|error| place(error));
        SourceErrors {
            what,
            source: NamedSource::new(source_name, text.to_owned()),
            errors,
        }
    }

    /// The problems, in the order they appear in the text.
    pub fn errors(&self) -> &[E] {
        &self.errors
    }

    /// The name of the text, e.g. its file name.
    pub fn source_name(&self) -> &str {
        self.source.name()
    }
}

impl PolicyErrors {
    /// Collects `errors` found in `text`, ordered by their place in the text.
    pub(crate) fn new(source_name: &str, text: &str, mut errors: Vec<PolicyError>) -> Self {
        for error in &mut errors {
            error.location = SourceLocation::of_offset(text, error.span.offset());
        }
        Self::collect("policy", source_name, text, errors, |error| {
            error.span.offset()
        })
    }
}

impl<E: fmt::Display> fmt::Display for SourceErrors<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, name) = (self.what, self.source.name());
        match self.errors.as_slice() {
            [only] => write!(f, "invalid {what} `{name}`: {only}"),
            errors => write!(f, "invalid {what} `{name}`: {} problems", errors.len()),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for SourceErrors<E> {}

impl<E: Diagnostic> Diagnostic for SourceErrors<E> {
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
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
}
