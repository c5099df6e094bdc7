//! The subcommands that work on policies alone, without a target: `explain`, `eval` and `lint`.
//! Each takes its clap arguments and returns the exit code.

pub mod eval;
pub mod explain;
pub mod lint;

use std::fmt;
use std::io::{IsTerminal as _, Write as _};
use std::path::Path;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};
use scpcheck_policy::decode_utf8;

/// Renders `diagnostic` with its source snippet, in colour only on a terminal.
///
/// A diagnostic that gathers related ones (every problem of one file, say) is shown as its
/// message, then each related diagnostic in full, one after the other and with the same
/// snippets as if each stood alone: miette would prefix each with an empty `Error:` header, or
/// wrap the snippets' lines when nesting them.
pub(crate) fn render(diagnostic: &dyn Diagnostic, terminal: bool) -> String {
    let theme = if terminal {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut rendered = String::new();
    render_flat(&handler, &Flat::new(diagnostic, None), &mut rendered);
    rendered
}

fn render_flat(handler: &GraphicalReportHandler, diagnostic: &Flat<'_>, out: &mut String) {
    if handler.render_report(out, diagnostic).is_err() {
        // Rendering into a `String` fails only on a formatting bug; the message still helps.
        out.push_str(&format!("error: {diagnostic}\n"));
    }
    let source = diagnostic.source_code();
    for related in diagnostic.inner.related().into_iter().flatten() {
        out.push('\n');
        render_flat(handler, &Flat::new(related, source), out);
    }
}

/// A diagnostic shown without its related diagnostics, with the source text of the one that
/// gathered it when it has none of its own.
struct Flat<'a> {
    inner: &'a dyn Diagnostic,
    source: Option<&'a dyn SourceCode>,
}

impl<'a> Flat<'a> {
    fn new(inner: &'a dyn Diagnostic, parent_source: Option<&'a dyn SourceCode>) -> Self {
        Flat {
            inner,
            source: inner.source_code().or(parent_source),
        }
    }
}

impl fmt::Debug for Flat<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.inner, f)
    }
}

impl fmt::Display for Flat<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.inner, f)
    }
}

impl std::error::Error for Flat<'_> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source()
    }
}

impl Diagnostic for Flat<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.code()
    }

    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.help()
    }

    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.url()
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.inner.labels()
    }

    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.inner.diagnostic_source()
    }
}

/// Prints `diagnostic` to stderr.
pub fn eprint_diagnostic(diagnostic: &dyn Diagnostic) {
    write_stderr(&render(diagnostic, std::io::stderr().is_terminal()));
}

/// Writes `text` to stderr; a closed stderr is ignored, as the command's result does not
/// depend on its messages being read.
pub fn write_stderr(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr
        .write_all(text.as_bytes())
        .and_then(|()| stderr.flush());
}

/// Reads a file to a string, with a message that names it, and for a file that is not UTF-8
/// text the line, column and byte offset of its first invalid byte.
pub(crate) fn read_text(path: &Path) -> Result<String, String> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|error| format!("cannot read `{name}`: {error}"))?;
    decode_utf8(&name, bytes).map_err(|problem| problem.to_string())
}

/// Writes `text` to stdout. A reader that closed the pipe early (`| head`) has what it wanted,
/// so a failed write is not an error of the command.
pub(crate) fn print_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}
