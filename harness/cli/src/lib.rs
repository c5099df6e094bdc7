//! The library behind the `scpcheck` binary: the run pipeline and the exit codes, kept apart
//! from argument parsing so that tests drive the same code the binary does.

/// `eprintln!` for messages to the user: a closed stderr (`2>&1 | head -1`) is no error of the
/// command, where `eprintln!` would panic.
#[macro_export]
macro_rules! report {
    ($($arg:tt)*) => {
        $crate::commands::write_stderr(&format!("{}\n", format_args!($($arg)*)))
    };
}

pub mod commands;
pub mod exit_codes;
pub mod oracle_command;
pub mod run;
pub mod run_arguments;
