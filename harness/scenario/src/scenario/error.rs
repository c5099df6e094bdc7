//! Problems found in scenario files, each with its file, line, column and underlined span.

use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, SourceCode};
use scpcheck_policy::{NotUtf8, SourceLocation, SourceText};

/// What kind of problem a [`ScenarioError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScenarioErrorKind {
    /// A file or directory could not be read.
    Io,
    /// The file is not valid TOML.
    Syntax,
    /// A field the format does not have.
    UnknownField,
    /// A required field is missing.
    MissingField,
    /// A field or value has the wrong type, or a value is not allowed.
    InvalidValue,
    /// An operation that is not in the catalogue.
    UnknownOperation,
    /// A parameter the operation does not have, or one that cannot be declared.
    InvalidParameter,
    /// A required parameter of the operation is not declared.
    MissingParameter,
    /// A rule that does not follow the rule grammar.
    RuleSyntax,
    /// A rule that names a parameter the operation does not declare.
    UndeclaredParameter,
    /// Two scenario files use the same id.
    DuplicateId,
    /// The file is not UTF-8 text.
    NotUtf8,
}

impl ScenarioErrorKind {
    /// A stable code for the kind, e.g. `scenario::unknown_field`.
    pub fn code(self) -> &'static str {
        match self {
            ScenarioErrorKind::Io => "scenario::io",
            ScenarioErrorKind::Syntax => "scenario::syntax",
            ScenarioErrorKind::UnknownField => "scenario::unknown_field",
            ScenarioErrorKind::MissingField => "scenario::missing_field",
            ScenarioErrorKind::InvalidValue => "scenario::invalid_value",
            ScenarioErrorKind::UnknownOperation => "scenario::unknown_operation",
            ScenarioErrorKind::InvalidParameter => "scenario::invalid_parameter",
            ScenarioErrorKind::MissingParameter => "scenario::missing_parameter",
            ScenarioErrorKind::RuleSyntax => "scenario::rule_syntax",
            ScenarioErrorKind::UndeclaredParameter => "scenario::undeclared_parameter",
            ScenarioErrorKind::DuplicateId => "scenario::duplicate_id",
            ScenarioErrorKind::NotUtf8 => "scenario::not_utf8",
        }
    }
}

/// One problem in a scenario file. It displays as `path:line:column: message`.
#[derive(Debug, Clone)]
pub struct ScenarioError {
    kind: ScenarioErrorKind,
    message: String,
    label: String,
    help: Option<String>,
    path: PathBuf,
    /// Boxed, as most results that can fail with this error succeed.
    place: Option<Box<Place>>,
}

/// Where in a file a problem is.
#[derive(Debug, Clone)]
struct Place {
    source: SourceText<Arc<str>>,
    span: Range<usize>,
    line: usize,
    column: usize,
}

impl ScenarioError {
    /// A problem with the file as a whole, e.g. one that could not be read.
    pub(crate) fn without_place(kind: ScenarioErrorKind, path: &Path, message: String) -> Self {
        Self {
            kind,
            message,
            label: String::new(),
            help: None,
            path: path.to_owned(),
            place: None,
        }
    }

    /// A problem at `span`, a byte range of `source`, the text of the file at `path`.
    pub(crate) fn at(problem: Problem, path: &Path, source: &Arc<str>) -> Self {
        let start = floor_char_boundary(source, problem.span.start);
        let end = floor_char_boundary(source, problem.span.end.max(start));
        let location = SourceLocation::of_offset(source, start);
        let name = path.display().to_string();

        Self {
            kind: problem.kind,
            message: problem.message,
            label: problem.label,
            help: problem.help,
            path: path.to_owned(),
            place: Some(Box::new(Place {
                source: SourceText::new(name, Arc::clone(source)).with_language("TOML"),
                span: start..end,
                line: location.line,
                column: location.column,
            })),
        }
    }

    /// The file at `path`, whose bytes are not UTF-8 text. Its place is in the text with the
    /// invalid bytes replaced, which up to the first of them is the file unchanged.
    pub(crate) fn not_utf8(path: &Path, problem: &NotUtf8) -> Self {
        let source: Arc<str> = Arc::from(problem.replaced_text());
        let span = problem.span();
        let message = format!(
            "{message} at byte offset {offset}",
            message = problem.message(),
            offset = problem.offset()
        );
        let problem = Problem::new(
            ScenarioErrorKind::NotUtf8,
            span.offset()..span.offset() + span.len(),
            message,
            "not UTF-8",
        )
        .help("save the file as UTF-8 text");
        Self::at(problem, path, &source)
    }

    /// What kind of problem this is.
    pub fn kind(&self) -> ScenarioErrorKind {
        self.kind
    }

    /// The message without the file and position.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Advice on how to fix the problem, if there is any.
    pub fn help_text(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// The file the problem is in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The 1-based line of the problem, when it has a place in the file.
    pub fn line(&self) -> Option<usize> {
        self.place.as_ref().map(|place| place.line)
    }

    /// The 1-based column, counted in characters, when the problem has a place in the file.
    pub fn column(&self) -> Option<usize> {
        self.place.as_ref().map(|place| place.column)
    }

    /// The byte range of the file the problem underlines. For a file that is not UTF-8 text it
    /// is the range of the replacement character that stands for the first invalid bytes.
    pub fn span(&self) -> Option<Range<usize>> {
        self.place.as_ref().map(|place| place.span.clone())
    }

    /// The text the problem underlines.
    pub fn underlined(&self) -> Option<&str> {
        let place = self.place.as_ref()?;
        place.source.text().get(place.span.clone())
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match self.place.as_deref() {
            Some(Place { line, column, .. }) => {
                write!(
                    f,
                    "{path}:{line}:{column}: {message}",
                    message = self.message
                )
            }
            None => write!(f, "{path}: {message}", message = self.message),
        }
    }
}

impl std::error::Error for ScenarioError {}

impl Diagnostic for ScenarioError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.kind.code()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.place
            .as_ref()
            .map(|place| &place.source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let place = self.place.as_ref()?;
        let label = Some(self.label.clone()).filter(|label| !label.is_empty());
        let span = LabeledSpan::new(label, place.span.start, place.span.len());
        Some(Box::new(std::iter::once(span)))
    }
}

/// A problem found while reading one file, before it is tied to the file.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub(crate) kind: ScenarioErrorKind,
    pub(crate) message: String,
    pub(crate) label: String,
    pub(crate) help: Option<String>,
    pub(crate) span: Range<usize>,
}

impl Problem {
    pub(crate) fn new(
        kind: ScenarioErrorKind,
        span: Range<usize>,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            message: message.into(),
            label: label.into(),
            help: None,
            span,
        }
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Every problem found in one or more scenario files.
#[derive(Debug, Clone)]
pub struct ScenarioErrors {
    errors: Vec<ScenarioError>,
}

impl ScenarioErrors {
    pub(crate) fn new(errors: Vec<ScenarioError>) -> Self {
        Self { errors }
    }

    pub(crate) fn into_errors(self) -> Vec<ScenarioError> {
        self.errors
    }

    /// The problems, in file order and, within a file, in the order they were found.
    pub fn errors(&self) -> &[ScenarioError] {
        &self.errors
    }

    /// An iterator over the problems.
    pub fn iter(&self) -> std::slice::Iter<'_, ScenarioError> {
        self.errors.iter()
    }

    /// How many problems there are.
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// Whether there are none; a returned `ScenarioErrors` always has at least one.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }
}

impl<'a> IntoIterator for &'a ScenarioErrors {
    type Item = &'a ScenarioError;
    type IntoIter = std::slice::Iter<'a, ScenarioError>;

    fn into_iter(self) -> Self::IntoIter {
        self.errors.iter()
    }
}

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.errors.len();
        let files: BTreeSet<&Path> = self.errors.iter().map(ScenarioError::path).collect();
        let problems = if count == 1 { "problem" } else { "problems" };
        match files.first() {
            Some(file) if files.len() == 1 => {
                write!(f, "{count} {problems} in `{file}`", file = file.display())
            }
            _ => write!(
                f,
                "{count} {problems} in {files} scenario files",
                files = files.len()
            ),
        }
    }
}

impl std::error::Error for ScenarioErrors {}

impl Diagnostic for ScenarioErrors {
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(
            self.errors.iter().map(|error| error as &dyn Diagnostic),
        ))
    }
}

/// The largest character boundary of `source` at or before `offset`.
fn floor_char_boundary(source: &str, offset: usize) -> usize {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place_of(source: &str, offset: usize) -> (Option<usize>, Option<usize>) {
        let source: Arc<str> = Arc::from(source);
        let problem = Problem::new(ScenarioErrorKind::Syntax, offset..offset, "", "");
        let error = ScenarioError::at(problem, Path::new("a.toml"), &source);
        (error.line(), error.column())
    }

    #[test]
    fn lines_and_columns_are_one_based_and_count_characters() {
        let source = "a = 1\nbé = 2\n";
        assert_eq!(place_of(source, 0), (Some(1), Some(1)));
        assert_eq!(place_of(source, 4), (Some(1), Some(5)));
        assert_eq!(place_of(source, 6), (Some(2), Some(1)));
        assert_eq!(place_of(source, 9), (Some(2), Some(3)));
        assert_eq!(place_of(source, source.len()), (Some(3), Some(1)));
        // An offset inside `é` is moved back to its first byte.
        assert_eq!(place_of(source, 8), (Some(2), Some(2)));
    }

    #[test]
    fn snippet_headers_agree_with_the_message() {
        let source: Arc<str> = Arc::from("a = \"日本\"\nbé = 2\n");
        let offset = source.find('2').unwrap();
        let problem = Problem::new(ScenarioErrorKind::InvalidValue, offset..offset + 1, "m", "");
        let error = ScenarioError::at(problem, Path::new("a.toml"), &source);

        assert_eq!(error.to_string(), "a.toml:2:6: m");
        let label = error.labels().unwrap().next().unwrap();
        let contents = error
            .source_code()
            .unwrap()
            .read_span(label.inner(), 0, 0)
            .unwrap();
        assert_eq!((contents.line() + 1, contents.column() + 1), (2, 6));
        assert_eq!(contents.name(), Some("a.toml"));
        assert_eq!(contents.language(), Some("TOML"));
    }

    #[test]
    fn an_error_displays_with_its_place_and_renders_with_miette() {
        let source: Arc<str> = Arc::from("id = 1\n");
        let problem = Problem::new(ScenarioErrorKind::InvalidValue, 5..6, "bad id", "this")
            .help("use a string");
        let error = ScenarioError::at(problem, Path::new("s/a.toml"), &source);

        assert_eq!(error.to_string(), "s/a.toml:1:6: bad id");
        assert_eq!(error.underlined(), Some("1"));
        let labels: Vec<_> = error.labels().unwrap().collect();
        assert_eq!(labels.len(), 1);
        assert_eq!(labels[0].label(), Some("this"));
        assert_eq!(labels[0].offset(), 5);

        let errors = ScenarioErrors::new(vec![error]);
        assert_eq!(errors.to_string(), "1 problem in `s/a.toml`");
        assert_eq!(errors.related().unwrap().count(), 1);
    }
}
