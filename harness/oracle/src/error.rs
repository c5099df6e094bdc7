//! Why the oracle is not available or stopped answering.

use std::path::PathBuf;

/// An error while installing, starting or talking to the oracle process.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum OracleError {
    /// A program the oracle needs (`node` or `npm`) was not found or does not run.
    #[error("`{program}` was not found on PATH or does not run: {detail}")]
    #[diagnostic(help(
        "install Node.js 20 or newer with npm (Debian: `apt-get install nodejs npm`), then run \
         again"
    ))]
    ToolMissing {
        /// The program looked for.
        program: String,
        /// What happened when it was run.
        detail: String,
    },

    /// `node` runs but is older than the oracle needs.
    #[error("node `{found}` is too old: the oracle needs node {required} or newer")]
    #[diagnostic(help("install Node.js 20 or newer, then run again"))]
    NodeTooOld {
        /// The version `node --version` printed.
        found: String,
        /// The oldest major version that works.
        required: u32,
    },

    /// `npm ci` failed.
    #[error("installing the oracle into `{dir}` failed: {detail}", dir = dir.display())]
    #[diagnostic(help(
        "check that npm can reach its package registry (`npm ping`), then run again"
    ))]
    Install {
        /// The directory installed into.
        dir: PathBuf,
        /// The installer's last lines of output.
        detail: String,
    },

    /// The oracle process could not be started or did not greet.
    #[error("the oracle did not start: {detail}")]
    Start {
        /// What went wrong.
        detail: String,
    },

    /// The oracle process answered something that is not an answer.
    #[error("the oracle answered in an unexpected form: {detail}")]
    Protocol {
        /// The offending line and what is wrong with it.
        detail: String,
    },

    /// The oracle process kept crashing or hanging, even after restarts.
    #[error("the oracle stopped answering after {restarts} restarts: {detail}")]
    #[diagnostic(help("run again with `-v` to see the oracle's own error output"))]
    Unresponsive {
        /// How many times it was restarted without progress.
        restarts: u32,
        /// The last thing that went wrong, with the process's last error output.
        detail: String,
    },

    /// An I/O error around the cache directory or the process.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The error.
        source: std::io::Error,
    },
}

impl OracleError {
    /// Wraps an I/O error with what was being done.
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> OracleError {
        let context = context.into();
        move |source| OracleError::Io { context, source }
    }

    /// Whether the error means the oracle cannot be installed or started at all, as opposed to
    /// one that happened while it was answering.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            OracleError::ToolMissing { .. }
                | OracleError::NodeTooOld { .. }
                | OracleError::Install { .. }
                | OracleError::Start { .. }
                | OracleError::Io { .. }
        )
    }
}
