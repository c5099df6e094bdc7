//! The library behind the `scpcheck` binary: the run pipeline and the exit codes, kept apart
//! from argument parsing so that tests drive the same code the binary does.

pub mod commands;
pub mod exit_codes;
pub mod oracle_command;
pub mod run;
