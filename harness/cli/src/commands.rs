//! The subcommands that work on policies alone, without a target: `explain`, `eval` and `lint`.
//! Each takes its clap arguments and returns the exit code.

pub mod eval;
pub mod explain;
pub mod lint;

use std::io::{IsTerminal as _, Write as _};
use std::path::Path;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};
use scpcheck_policy::decode_utf8;

/// Renders `diagnostic` with its source snippet, in colour only on a terminal.
pub(crate) fn render(diagnostic: &dyn Diagnostic, terminal: bool) -> String {
    let theme = if terminal {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut rendered = String::new();
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    if handler.render_report(&mut rendered, diagnostic).is_err() {
        // Rendering into a `String` fails only on a formatting bug; the message still helps.
        return format!("error: {diagnostic}\n");
    }
    rendered
}

/// Prints `diagnostic` to stderr.
pub(crate) fn eprint_diagnostic(diagnostic: &dyn Diagnostic) {
    eprint!("{}", render(diagnostic, std::io::stderr().is_terminal()));
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
